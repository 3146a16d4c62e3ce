"""``assistant-builder models …``: the installed models."""

from __future__ import annotations

import argparse
from typing import Any

from assistant_builder.cli.common import print_json, services


def register(commands: Any) -> None:
    models = commands.add_parser("models", help="installed models")
    sub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="list the installed models")
    listing.add_argument("--json", action="store_true", help="print JSON on stdout")
    listing.set_defaults(handler=_list)


def _list(args: argparse.Namespace) -> int:
    installed = services().models.list()
    if args.json:
        print_json({"models": [m.to_dict() for m in installed]})
        return 0
    if not installed:
        print("No model is installed yet; run “assistant-builder setup” to add the starter model.")
        return 0
    width = max(len(m.id) for m in installed)
    for m in installed:
        print(f"{m.id:<{width}}  {m.size / 1e6:8.0f} MB  {m.name}")
    return 0
