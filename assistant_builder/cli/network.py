"""``assistant-builder network``: the network log, every connection the app opened (or was
refused in offline mode), newest first."""

from __future__ import annotations

import argparse
import time
from typing import Any

from assistant_builder.cli.common import print_json, services


def register(commands: Any) -> None:
    parser = commands.add_parser("network", help="every connection the app opened, newest first")
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")
    parser.add_argument(
        "--limit", type=int, default=200, metavar="N", help="how many (default 200)"
    )
    parser.set_defaults(handler=_network)


def _network(args: argparse.Namespace) -> int:
    policy = services().network
    entries = policy.newest_first(max(1, args.limit))
    if args.json:
        print_json({"offline": policy.offline, "entries": [e.to_json() for e in entries]})
        return 0
    state = "on: only this computer is reached" if policy.offline else "off"
    print(f"Offline mode is {state}.")
    if not entries:
        print("The app has opened no network connection yet.")
    for e in entries:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.time))
        print(f"{when}  {e.host:<24}  {e.purpose} ({e.method}, {e.outcome})")
    return 0
