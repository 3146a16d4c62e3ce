"""``assistant-builder collections …``: folders of documents, indexed for search."""

from __future__ import annotations

import argparse
from typing import Any

from assistant_builder.cli.common import print_json, progress, services
from assistant_builder.core.assistants.collection_removal import (
    remove_collection,
    removed_sentence,
)
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.indexer import index_collection
from assistant_builder.core.knowledge.report import IndexProgress, IndexReport


def register(commands: Any) -> None:
    group = commands.add_parser("collections", help="folders of documents your assistants cite")
    sub = group.add_subparsers(dest="collections_command", metavar="ACTION", required=True)

    create = sub.add_parser("create", help="make a collection from one or more folders")
    create.add_argument("name")
    create.add_argument("folders", nargs="+", metavar="FOLDER")
    create.add_argument(
        "--embedder",
        default="",
        metavar="ID",
        help="sentence-transformers model id or folder (default all-MiniLM-L6-v2)",
    )
    create.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="PATTERN",
        help="only files matching this pattern (repeatable), e.g. '*.md'",
    )
    create.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="PATTERN",
        help="leave out files or folders matching this pattern (repeatable)",
    )
    create.add_argument("--chunk-tokens", type=int, default=200, metavar="N")
    create.add_argument("--overlap-tokens", type=int, default=32, metavar="N")
    create.add_argument(
        "--reranker",
        default="",
        metavar="ID",
        help="cross-encoder model id or folder to rerank search results",
    )
    create.add_argument(
        "--store",
        default="",
        metavar="LANCEDB_URI",
        help="keep the index at this LanceDB location, e.g. s3://bucket/folder shared by a "
        "team (keys from the AWS_* environment variables)",
    )
    create.add_argument(
        "--store-endpoint",
        default="",
        metavar="URL",
        help="address of the S3-compatible server of --store (default: AWS_ENDPOINT_URL or AWS)",
    )
    create.add_argument("--json", action="store_true", help="print JSON on stdout")
    create.set_defaults(handler=_create)  # fmt: skip

    index = sub.add_parser("index", help="read, chunk and embed the collection's documents")
    index.add_argument("name")
    index.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    index.add_argument(
        "--watch",
        action="store_true",
        help="keep watching the folders and re-index changes (Ctrl+C stops)",
    )
    index.add_argument(
        "--time-limit",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="skip a file whose reading takes longer than this",
    )
    index.set_defaults(handler=_index)  # fmt: skip

    listing = sub.add_parser("list", help="list the collections")
    listing.add_argument("--json", action="store_true", help="print JSON on stdout")
    listing.set_defaults(handler=_list)

    show = sub.add_parser("show", help="show a collection's settings and index")
    show.add_argument("name")
    show.add_argument("--json", action="store_true", help="print JSON on stdout")
    show.set_defaults(handler=_show)

    remove = sub.add_parser("remove", help="delete a collection and its index (not your files)")
    remove.add_argument("name")
    remove.add_argument("--json", action="store_true", help="print JSON on stdout")
    remove.set_defaults(handler=_remove)


def _collections() -> Collections:
    return services().collections


def _summary(collections: Collections, name: str) -> dict[str, Any]:
    status = collections.status(collections.get(name))
    return {
        **status.config.to_dict(),
        "store": status.store,
        "files_indexed": status.files,
        "files_failed": status.failed,
        "chunks": status.chunks,
        "indexed_with": status.indexed_with,
    }


def _create(args: argparse.Namespace) -> int:
    collections = _collections()
    options: dict[str, Any] = {
        "chunk_tokens": args.chunk_tokens,
        "overlap_tokens": args.overlap_tokens,
        "reranker": args.reranker,
        "include": tuple(args.include),
        "store_uri": args.store,
        "store_endpoint": args.store_endpoint,
    }
    if args.exclude:
        options["exclude"] = tuple(args.exclude)
    config = collections.create(args.name, args.folders, embedder=args.embedder, **options)
    if args.json:
        print_json(_summary(collections, config.name))
    else:
        print(f"Created the collection “{config.name}”; run "
              f"“assistant-builder collections index {config.name}” to index it.")  # fmt: skip
    return 0


def _print_progress(event: IndexProgress) -> None:
    if event.note:
        progress(event.note)
        return
    eta = f", about {event.eta_s:.0f} s left" if event.eta_s is not None else ""
    if event.embedding:
        return  # a line per file read and one at the end, as before
    progress(f"[{event.files_done}/{event.files_total}] {event.in_words()}, "
             f"{event.rate:.1f} passages/s{eta}  {event.path}")  # fmt: skip


def _print_report(report: IndexReport, as_json: bool) -> None:
    if as_json:
        print_json(report.to_json())
        return
    for path in report.indexed:
        print(f"indexed    {path}")
    for path in report.unchanged:
        print(f"unchanged  {path}")
    for path in report.removed:
        print(f"removed    {path}")
    for path, reason in report.failed:
        print(f"failed     {path}: {reason}")
    print(f"{len(report.indexed)} indexed, {len(report.unchanged)} unchanged, "
          f"{len(report.removed)} removed, {len(report.failed)} failed; "
          f"{report.chunks} chunks in {report.seconds:.1f} s.", flush=True)  # fmt: skip


def _index(args: argparse.Namespace) -> int:
    collections = _collections()  # the run checks the index and rebuilds a damaged one
    cancel = CancelToken()
    if args.watch:
        from assistant_builder.core.knowledge.watcher import watch_collection

        # The watcher indexes once as soon as it is live, then after every change.
        events = watch_collection(
            collections, args.name, time_limit_s=args.time_limit, cancel=cancel
        )
    else:
        events = index_collection(
            collections, args.name, time_limit_s=args.time_limit, cancel=cancel
        )
    first = True
    for event in events:
        if isinstance(event, IndexReport):
            _print_report(event, args.json)
            if args.watch and first:
                progress("Watching the folders for changes; press Ctrl+C to stop.")
            first = False
        else:
            _print_progress(event)
    return 0


def _list(args: argparse.Namespace) -> int:
    collections = _collections()
    summaries = [_summary(collections, c.name) for c in collections.list()]
    if args.json:
        print_json({"collections": summaries})
        return 0
    if not summaries:
        print(
            "No collection yet; create one with “assistant-builder collections create NAME FOLDER”."
        )
        return 0
    for s in summaries:
        print(f"{s['name']}  {s['files_indexed']} files, {s['chunks']} chunks  "
              f"({', '.join(s['folders'])})")  # fmt: skip
    return 0


def _show(args: argparse.Namespace) -> int:
    summary = _summary(_collections(), args.name)
    if args.json:
        print_json(summary)
        return 0
    for key in (
        "name",
        "folders",
        "include",
        "exclude",
        "embedder",
        "chunk_tokens",
        "overlap_tokens",
        "reranker",
        "store",
        "files_indexed",
        "files_failed",
        "chunks",
    ):
        value = summary[key]
        value = ", ".join(value) if isinstance(value, list) else value
        print(f"{key.replace('_', ' ')}: {value}")  # fmt: skip
    return 0


def _remove(args: argparse.Namespace) -> int:
    svc = services()
    store = AssistantStore(svc.paths.assistants_dir)
    removed = remove_collection(store, args.name, remove=svc.collections.remove)
    if args.json:
        print_json({"removed": removed.name, "assistants_changed": list(removed.changed),
                    "assistants_unchanged": [{"name": n, "reason": r}
                                             for n, r in removed.unchanged]})  # fmt: skip
    else:
        print(removed_sentence(removed))
    return 0
