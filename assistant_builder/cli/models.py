"""``assistant-builder models …``: catalog, search, pull, add, inspect, list, remove."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Any

from assistant_builder.cli.common import print_json, progress, services
from assistant_builder.core.errors import AppError
from assistant_builder.core.models.download import DownloadProgress

DEFAULT_CONTEXT = 4096


def register(commands: Any) -> None:
    models = commands.add_parser("models", help="models: catalog, download, import, inspect")
    sub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)

    catalog = sub.add_parser("catalog", help="the curated models, with “will it run?”")
    _context_and_json(catalog)
    catalog.set_defaults(handler=_catalog)

    listing = sub.add_parser("list", help="list the installed models and adapters")
    _context_and_json(listing)
    listing.set_defaults(handler=_list)

    search = sub.add_parser(
        "search",
        help="search Hugging Face for GGUF models",
        description="QUERY: words to search for, or owner/repo to list that repository's "
        "GGUF files with their sizes and quantization.",
    )
    search.add_argument("query", metavar="QUERY")
    search.add_argument("--json", action="store_true", help="print JSON on stdout")
    search.set_defaults(handler=_search)

    pull = sub.add_parser(
        "pull",
        help="download a model (Ctrl-C stops; running it again continues)",
        description="REF: a catalog id (optionally id:QUANT), or owner/repo[:file.gguf].",
    )
    pull.add_argument("ref", metavar="REF")
    pull.add_argument(
        "--with-images", action="store_true",
        help="also download the model's image reader, for a model that can read images",
    )  # fmt: skip
    pull.set_defaults(handler=_pull)

    add = sub.add_parser("add", help="import a GGUF model or LoRA adapter from this computer")
    add.add_argument("path", metavar="PATH.gguf")
    add.add_argument("--name", help="the name to show for it")
    add.add_argument("--base", metavar="MODEL", help="for an adapter: check it fits this model")
    add.set_defaults(handler=_add)

    inspect = sub.add_parser("inspect", help="what a model file says about itself")
    inspect.add_argument("ref", metavar="REF", help="an installed model, or a .gguf path")
    inspect.add_argument("--json", action="store_true", help="print JSON on stdout")
    inspect.set_defaults(handler=_inspect)

    remove = sub.add_parser("remove", help="remove an installed model and its file")
    remove.add_argument("ref", metavar="REF")
    remove.add_argument(
        "--force", action="store_true", help="remove it even when an assistant uses it"
    )
    remove.set_defaults(handler=_remove)


def _context(args: argparse.Namespace) -> int:
    if args.context < 1:
        raise AppError("The context size must be a number of tokens of at least 1; try 4096.")
    return int(args.context)


def _context_and_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--context",
        type=int,
        default=DEFAULT_CONTEXT,
        metavar="N",
        help=f"context size in tokens for the estimate (default {DEFAULT_CONTEXT})",
    )
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit in ("B", "KB") else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def _catalog(args: argparse.Namespace) -> int:
    from assistant_builder.core.models.catalog import load_catalog
    from assistant_builder.core.models.fit import detect_machine, estimate_fit

    context = _context(args)
    machine = detect_machine()
    models = services().models.list()
    installed = {m.sha256 for m in models} | {(m.repo, m.filename) for m in models}
    rows = []
    for entry in load_catalog():
        chosen = entry.file()
        fit = estimate_fit(entry.model_shape(chosen), context, machine)
        rows.append(
            {
                **entry.to_dict(),
                "installed": chosen.sha256 in installed
                or (entry.repo_of(chosen), chosen.filename) in installed,
                "verdict": fit.verdict,
                "fit": fit.to_dict(),
            }
        )
    if args.json:
        print_json({"models": rows})
        return 0
    width = max(len(r["id"]) for r in rows)
    for row in rows:
        params = row["parameters"] / 1e9
        print(
            f"{row['id']:<{width}}  {params:4.1f}B  {row['verdict']:<9}  "
            f"{row['license']:<13}  {row['description']}"
            + (" It can also read images (pull it --with-images)." if row["reads_images"] else "")
        )
    return 0


def _list(args: argparse.Namespace) -> int:
    from assistant_builder.core.models.fit import detect_machine
    from assistant_builder.core.models.library import verdict_for

    context = _context(args)
    installed = services().models.list()
    machine = detect_machine()
    rows = []
    for m in installed:
        row = m.to_dict()
        if m.kind == "model":
            try:
                fit = verdict_for(m, context, machine)
                row["verdict"], row["fit"] = fit.verdict, fit.to_dict()
            except AppError as exc:
                row["verdict"], row["fit"] = "Won't fit", {"reason": str(exc)}
        rows.append(row)
    if args.json:
        print_json({"models": rows})
        return 0
    from assistant_builder.core.models.download import pending_downloads

    if not rows:
        print("No model is installed yet; run “assistant-builder setup” to add the starter model.")
    width = max((len(r["id"]) for r in rows), default=0)
    for r in rows:
        verdict = r.get("verdict", "adapter")
        print(f"{r['id']:<{width}}  {r['size'] / 1e6:8.0f} MB  {verdict:<9}  {r['name']}")
    for p in pending_downloads(services().paths):
        print(
            f"Stopped download: {p.ref} ({_size(p.done)} of {_size(p.total)}); "
            f"“assistant-builder models pull {p.ref}” continues it."
        )
    return 0


def _quiet_hub(args: argparse.Namespace) -> None:
    # huggingface_hub logs each retry as a warning; the user gets one sentence from us.
    if not getattr(args, "debug", False):
        logging.getLogger("huggingface_hub").setLevel(logging.ERROR)


def _search(args: argparse.Namespace) -> int:
    from assistant_builder.core.models import hub

    _quiet_hub(args)
    hub.use_network_policy(services().network)
    query = args.query.strip()
    if "/" in query:
        files = hub.repo_files(query)
        if args.json:
            print_json({"repo": query, "files": [f.__dict__ for f in files]})
            return 0
        if not files:
            print(f"{query} holds no GGUF file.")
        for f in files:
            print(f"{f.quantization or '?':<8}  {_size(f.size):>9}  {query}:{f.filename}")
        return 0
    repos = hub.search_repos(query)
    if args.json:
        print_json({"results": [r.__dict__ for r in repos]})
        return 0
    if not repos:
        print(f"No GGUF model on Hugging Face matches “{query}”.")
    for r in repos:
        gated = "  (licence to accept)" if r.gated else ""
        print(f"{r.repo}  {r.downloads} downloads{gated}")
    return 0


class _ProgressPrinter:
    """Progress on stderr: one rewritten line on a terminal, a line a second otherwise."""

    def __init__(self) -> None:
        self._tty = sys.stderr.isatty()
        self._last = 0.0

    def __call__(self, p: DownloadProgress) -> None:
        now = time.monotonic()
        final = p.done >= p.total
        if not final and now - self._last < (0.2 if self._tty else 1.0):
            return
        self._last = now
        eta = "" if p.eta_s is None else f", {int(p.eta_s) // 60}:{int(p.eta_s) % 60:02d} left"
        verb = "Downloading" if p.stage == "download" else "Verifying"
        line = (
            f"{verb} {p.filename}: {_size(p.done)} of {_size(p.total)} "
            f"({_size(p.bytes_per_s)}/s{eta})"
        )
        if self._tty:
            end = "\n" if final else ""
            print(f"\r{line}\033[K", end=end, file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)


def _pull(args: argparse.Namespace) -> int:
    from assistant_builder.core.models.catalog import WITH_IMAGES
    from assistant_builder.core.models.hub import use_network_policy
    from assistant_builder.core.models.library import pull

    _quiet_hub(args)
    svc = services()
    use_network_policy(svc.network)
    try:
        ref = args.ref + (WITH_IMAGES if args.with_images else "")
        model = pull(
            svc.paths, ref, on_progress=_ProgressPrinter(), log=progress, network=svc.network
        )
    except KeyboardInterrupt:
        print(
            "\nStopped; run the same command again to continue the download.",
            file=sys.stderr,
        )
        return 130
    progress(f"Installed {model.name} ({_size(model.size)}) as “{model.id}”.")
    return 0


def _add(args: argparse.Namespace) -> int:
    from pathlib import Path

    from assistant_builder.core.models.library import add_local, attach_adapter, remove

    svc = services()
    model = add_local(svc.paths, Path(args.path), name=args.name or "")
    if model.kind == "adapter":
        base = model.meta.get("base_architecture", "?")
        if args.base:
            try:
                attach_adapter(svc.paths, args.base, model.id)
            except AppError:
                remove(svc.paths, model.id, force=True)
                raise
        progress(f"Added the LoRA adapter {model.name} as “{model.id}” (for {base} models).")
    else:
        progress(f"Added {model.name} ({_size(model.size)}) as “{model.id}”.")
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from assistant_builder.core.models.library import inspect

    info = inspect(services().paths, args.ref)
    data = info.to_dict()
    if args.json:
        print_json(data)
        return 0
    labels = [
        ("Architecture", info.architecture),
        ("Parameters", f"{info.parameter_count / 1e9:.2f} billion"),
        ("Quantization", info.quantization or "unknown"),
        ("Trained context", f"{info.context_length} tokens"),
        ("Layers", info.block_count),
        ("Embedding size", info.embedding_length),
        ("Attention heads", f"{info.head_count} ({info.head_count_kv} for keys/values)"),
        ("Chat template", "yes" if info.chat_template else "none (a default will be used)"),
        ("File size", _size(info.file_size)),
        ("sha256", info.sha256),
    ]
    if info.kind == "adapter":
        labels.insert(0, ("Kind", f"LoRA adapter for {info.architecture} models"))
    for label, value in labels:
        print(f"{label + ':':<17} {value}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from assistant_builder.core.models.library import remove

    model = remove(services().paths, args.ref, force=args.force)
    progress(f"Removed {model.name}.")
    return 0
