"""``assistant-builder assistants …``: create, list, show, remove, export and import."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from assistant_builder.cli.common import print_json, progress, services
from assistant_builder.cli.sampling import add_sampling_options, chosen
from assistant_builder.core.assistants.bundle import export_bundle
from assistant_builder.core.assistants.bundle_import import import_bundle
from assistant_builder.core.assistants.model import (
    DEFAULT_SYSTEM_PROMPT,
    Assistant,
    CollectionRef,
    ModelRef,
)
from assistant_builder.core.assistants.store import AssistantStore, model_ref
from assistant_builder.core.engine.sampling import SETTINGS, SamplingOptions
from assistant_builder.core.errors import AppError, AssistantError, ModelError, ServerError
from assistant_builder.core.services import Services


def register(commands: Any) -> None:
    parser = commands.add_parser("assistants", help="your assistants")
    sub = parser.add_subparsers(dest="assistants_command", metavar="ACTION", required=True)

    create = sub.add_parser("create", help="create an assistant")
    create.add_argument("name", metavar="NAME")
    create.add_argument(
        "--model", required=True, metavar="REF",
        help="an installed model, or with --server a model id as that server lists it",
    )  # fmt: skip
    create.add_argument(
        "--server", metavar="NAME", help="answer through this model server (see “servers list”)"
    )
    create.add_argument(
        "--context-size", type=int, metavar="N",
        help="tokens the assistant keeps in mind (a model server's own size wins when it "
        "reports one)",
    )  # fmt: skip
    prompt = create.add_mutually_exclusive_group()
    prompt.add_argument("--system-prompt", metavar="TEXT", help="its instructions")
    prompt.add_argument("--system-prompt-file", metavar="F", type=Path, help="instructions file")
    create.add_argument(
        "--collection", action="append", default=[], metavar="C", help="a collection to use"
    )
    create.add_argument("--description", default="", metavar="TEXT")
    create.add_argument(
        "--only-from-documents",
        action="store_true",
        help="answer only from the collections' documents, otherwise say so",
    )
    add_sampling_options(create, default="Balanced")
    create.set_defaults(handler=_create)

    listing = sub.add_parser("list", help="list your assistants")
    listing.add_argument("--json", action="store_true", help="print JSON on stdout")
    listing.set_defaults(handler=_list)

    show = sub.add_parser("show", help="show an assistant's settings")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--json", action="store_true", help="print JSON on stdout")
    show.set_defaults(handler=_show)

    remove = sub.add_parser("remove", help="delete an assistant (its model and documents stay)")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(handler=_remove)

    export = sub.add_parser("export", help="save an assistant as one .assistant file to share")
    export.add_argument("name", metavar="NAME")
    export.add_argument("file", metavar="FILE", type=Path)
    export.set_defaults(handler=_export)

    imp = sub.add_parser("import", help="add an assistant from a .assistant file")
    imp.add_argument("file", metavar="FILE", type=Path)
    imp.set_defaults(handler=_import)


def _store(svc: Services) -> AssistantStore:
    return AssistantStore(svc.paths.assistants_dir)


def _create(args: argparse.Namespace) -> int:
    sampling = chosen(args, SamplingOptions())
    svc = services()
    model = _server_model(svc, args.server, args.model) if args.server else _local_model(svc, args)
    system_prompt = DEFAULT_SYSTEM_PROMPT
    if args.system_prompt is not None:
        system_prompt = args.system_prompt
    elif args.system_prompt_file is not None:
        try:
            system_prompt = args.system_prompt_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AssistantError(
                f"The instructions file {args.system_prompt_file} could not be read as text; "
                "check its name and that it is a plain text file."
            ) from exc
    collections = tuple(CollectionRef(name) for name in dict.fromkeys(args.collection))
    assistant = _store(svc).create(
        Assistant(
            id="",
            name=args.name.strip(),
            model=model,
            description=args.description,
            system_prompt=system_prompt,
            collections=collections,
            only_from_documents=args.only_from_documents,
            sampling=sampling,
            **({"context_size": args.context_size} if args.context_size else {}),
        )
    )
    print(f"Created the assistant “{assistant.name}” (id {assistant.id}).")
    return 0


def _local_model(svc: Services, args: argparse.Namespace) -> ModelRef:
    model = svc.models.get(args.model)
    if model.kind != "model":
        raise ModelError(f"“{args.model}” is an adapter, not a model; choose a model to run it.")
    return model_ref(model)


def _server_model(svc: Services, server_name: str, model_id: str) -> ModelRef:
    """The model as the server lists it; a server that cannot be asked now is trusted, and
    the first question says what is wrong."""
    servers = svc.servers
    server = servers.store.get(server_name)
    try:
        offered = [m.id for m in servers.models(server.name)]
    except AppError as exc:
        progress(f"{exc} The assistant is created all the same.")
        offered = []
    if offered and model_id not in offered:
        raise ServerError(
            f"“{server.name}” does not offer a model named “{model_id}”; "
            f"choose one of: {', '.join(offered)}."
        )
    return ModelRef(id=model_id, server=server.name)


def _model_words(svc: Services, model: ModelRef) -> tuple[str, bool]:
    """How the assistant's model reads, and whether it is there to answer."""
    if model.server:
        known = {s.name.casefold() for s in svc.servers.added()}
        there = model.server.casefold() in known
        return f"{model.id} on the model server “{model.server}”", there
    try:
        svc.models.get(model.id)
        return model.id, True
    except ModelError:
        return model.id, False


def _list(args: argparse.Namespace) -> int:
    found, unreadable = _store(services()).scan()
    if args.json:
        print_json(
            {
                "assistants": [a.to_dict() for a in found],
                "unreadable": [{"path": str(u.path), "reason": u.reason} for u in unreadable],
            }
        )
        return 0
    for problem in unreadable:
        progress(problem.reason)
    if not found:
        print("No assistant yet; create one with “assistant-builder assistants create NAME”.")
        return 0
    width = max(len(a.name) for a in found)
    for a in found:
        model = f"{a.model.id} (on {a.model.server})" if a.model.server else a.model.id
        print(f"{a.name:<{width}}  {model}  {a.description}".rstrip())
    return 0


def _show(args: argparse.Namespace) -> int:
    svc = services()
    store = _store(svc)
    a = store.get(args.name)
    words, installed = _model_words(svc, a.model)
    if args.json:
        print_json({**a.to_dict(), "file": str(store.path_of(a.id)), "model_installed": installed})
        return 0
    s = a.sampling
    lines = [
        f"{a.icon} {a.name}".strip(),
        *([a.description] if a.description else []),
        f"Model: {words}" + ("" if installed else " (not installed)"),
        *[f"Adapter: {ad.id} × {ad.scale}" for ad in a.adapters],
        f"Context: {a.context_size} tokens",
        "Sampling: " + "; ".join(f"{x.called} {_value(getattr(s, x.name))}" for x in SETTINGS),
        "Collections: "
        + (
            ", ".join(
                f"{c.name} (top {c.top_k}, {c.mode}, min score {c.min_score})"
                for c in a.collections
            )
            or "none"
        ),
        "Only from my documents: "
        + (f"yes; otherwise it says “{a.refusal_text}”" if a.only_from_documents else "no"),
        f"Examples: {len(a.examples)}",
        "Instructions:",
        *["  " + line for line in a.system_prompt.splitlines()],
        f"File: {store.path_of(a.id)}",
    ]
    print("\n".join(lines))
    return 0


def _value(value: object) -> str:
    if value is None:
        return "random"
    if isinstance(value, tuple):
        return ", ".join(f"“{v}”" for v in value) or "none"
    return str(value)


def _remove(args: argparse.Namespace) -> int:
    removed = _store(services()).remove(args.name)
    print(f"Removed the assistant “{removed.name}”.")
    return 0


def _export(args: argparse.Namespace) -> int:
    svc = services()
    assistant = _store(svc).get(args.name)
    summary = export_bundle(assistant, args.file, registry=svc.models)
    print(f"Saved “{assistant.name}” to {summary.path} ({summary.bytes / 1e3:.1f} kB).")
    return 0


def _import(args: argparse.Namespace) -> int:
    svc = services()
    result = import_bundle(
        args.file,
        store=_store(svc),
        registry=svc.models,
        documents_dir=svc.paths.imported_documents_dir,
    )
    a = result.assistant
    if result.renamed_from:
        print(f"Imported “{a.name}” (an assistant called “{result.renamed_from}” already exists).")
    else:
        print(f"Imported “{a.name}”.")
    if not result.model_installed:
        ref = f"{a.model.repo}:{a.model.filename}" if a.model.repo else a.model.id
        progress(
            f"Its model {a.model.filename or a.model.id} is not installed; "
            f"run “assistant-builder models pull {ref}” before chatting with it."
        )
    for adapter in result.missing_adapters:
        progress(f"Its adapter {adapter} is not installed; add it before chatting.")
    for collection, folder in result.documents.items():
        progress(f"The documents of collection “{collection}” were placed in {folder}.")
    return 0
