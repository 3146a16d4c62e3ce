"""``assistant-builder search``: the passages of a collection that answer a question."""

from __future__ import annotations

import argparse
from typing import Any

from assistant_builder.cli.common import print_json, services
from assistant_builder.core.knowledge.search import MODES, search_collection


def register(commands: Any) -> None:
    parser = commands.add_parser("search", help="find the passages of a collection for a question")
    parser.add_argument("collection")
    parser.add_argument("query")
    parser.add_argument("--top-k", type=int, default=5, metavar="N")
    parser.add_argument(
        "--mode",
        choices=MODES,
        default="hybrid",
        help="hybrid (default: words and meaning), vector (meaning) or keyword",
    )
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")
    parser.set_defaults(handler=_search)  # fmt: skip


def _search(args: argparse.Namespace) -> int:
    collections = services().collections
    hits = search_collection(
        collections, args.collection, args.query, top_k=max(1, args.top_k), mode=args.mode
    )
    if args.json:
        print_json({"results": [hit.to_json() for hit in hits]})
        return 0
    if not hits:
        print("Nothing found; try other words.")
    for n, hit in enumerate(hits, start=1):
        where = f", page {hit.page}" if hit.page is not None else ""
        print(
            f"[{n}] {hit.source}{where} (characters {hit.start}–{hit.end}, relevance "
            f"{hit.relevance:.2f}: keyword {hit.keyword:.2f}, meaning {hit.meaning:.2f})"
        )
        print("    " + " ".join(hit.text.split())[:300])
    return 0
