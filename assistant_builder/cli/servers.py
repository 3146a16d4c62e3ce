"""``assistant-builder servers …``: the model servers assistants can answer through (add,
list, remove, and the models one offers)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from assistant_builder.cli.common import print_json, progress, services
from assistant_builder.core.errors import AppError, ServerError


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "servers", help="model servers (llama.cpp, Ollama, vLLM, LM Studio) to answer with"
    )
    sub = parser.add_subparsers(dest="servers_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help="add a model server by its address")
    add.add_argument("name", metavar="NAME", help="a name of your choice, e.g. Office")
    add.add_argument("url", metavar="URL", help="its address, e.g. http://192.168.1.20:8080")
    add.add_argument(
        "--api-key-env", metavar="VAR",
        help="the environment variable holding its API key (kept in the system keyring, "
        "else in a file only you can read; never in the settings)",
    )  # fmt: skip
    add.set_defaults(handler=_add)

    listing = sub.add_parser("list", help="list the model servers")
    listing.add_argument("--json", action="store_true", help="print JSON on stdout")
    listing.set_defaults(handler=_list)

    models = sub.add_parser("models", help="the models a server offers now")
    models.add_argument("name", metavar="NAME")
    models.add_argument("--json", action="store_true", help="print JSON on stdout")
    models.set_defaults(handler=_models)

    remove = sub.add_parser("remove", help="forget a model server and its key")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(handler=_remove)


def _add(args: argparse.Namespace) -> int:
    key = ""
    if args.api_key_env:
        key = os.environ.get(args.api_key_env, "").strip()
        if not key:
            raise ServerError(
                f"The environment variable {args.api_key_env} is empty or not set; "
                "put the server's API key in it and add the server again."
            )
    servers = services().servers
    added = servers.add(args.name, args.url, key)
    where = f"; its key is kept in {servers.store.keys.where()}" if key else ""
    print(f"Added the model server “{added.name}” at {added.url}{where}.")
    progress(servers.check(added.name).sentence)
    return 0


def _list(args: argparse.Namespace) -> int:
    found = services().servers.added()
    if args.json:
        print_json(
            {
                "servers": [
                    {"name": s.name, "url": s.url, "has_key": s.has_key,
                     "on_this_computer": s.on_this_computer}
                    for s in found
                ]
            }
        )  # fmt: skip
        return 0
    if not found:
        print("No model server yet; add one with “assistant-builder servers add NAME URL”.")
        return 0
    width = max(len(s.name) for s in found)
    for s in found:
        print(f"{s.name:<{width}}  {s.url}" + ("  (API key kept)" if s.has_key else ""))
    return 0


def _models(args: argparse.Namespace) -> int:
    servers = services().servers
    found = servers.models(args.name)
    if args.json:
        print_json(
            {"models": [{"server": m.server, "id": m.id, "context_size": m.context_size}
                        for m in found]}
        )  # fmt: skip
        return 0
    if not found:
        print(f"“{args.name}” lists no models; load one on the server first.")
    for m in found:
        size = f"  ({m.context_size:,} tokens of context)" if m.context_size else ""
        print(f"{m.id}{size}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    svc = services()
    removed = svc.servers.remove(args.name)
    print(f"Removed the model server “{removed.name}” and its key.")
    try:
        from assistant_builder.core.assistants.store import AssistantStore

        using = [
            a.name
            for a in AssistantStore(svc.paths.assistants_dir).scan()[0]
            if a.model.server.casefold() == removed.name.casefold()
        ]
    except AppError:
        using = []
    if using:
        progress(
            f"These assistants used it and need another model: {', '.join(using)}; "
            "add the server again or choose a model for them."
        )
    return 0
