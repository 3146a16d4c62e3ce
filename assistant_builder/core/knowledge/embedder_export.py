"""An embedder's ONNX export, made once on this computer from its model folder and kept in the
app's cache under a key of the folder's content and the exporting libraries' versions: a float32
copy and an int8 one (which of them runs, and with which runtime, is measured once here: see
embedder_runner). The only module that exports; it imports torch, onnx and onnxruntime only
while it does."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import shutil
import stat
import tempfile
import warnings
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant_builder.core.fileio import write_json_atomic
from assistant_builder.core.knowledge.embedder_onnx import (
    FLOAT32_FILE,
    INT8_FILE,
    copy_name,
    native_bf16,
)
from assistant_builder.core.knowledge.manifest import file_sha256

if TYPE_CHECKING:
    from assistant_builder.core.knowledge.embedder_onnx import OnnxEmbedder

# What the export does; a change here makes every cached copy stale.
RECIPE = "int8-dynamic-matmul-per-channel-1+float32-2"
FILES = (INT8_FILE, FLOAT32_FILE)
DONE_FILE = "done.json"  # written last: a folder without it is an export that did not finish
LIBRARIES = ("torch", "transformers", "onnx", "onnxruntime", "sentence-transformers")
PREPARING = "Preparing the document reader for this computer…"


def cache_key(folder: Path) -> str:
    """The folder's content (every file but hidden ones) and the libraries' versions."""
    digest = hashlib.sha256(RECIPE.encode())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=none;".encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if relative.startswith(".") or "/." in relative:
            continue
        digest.update(relative.encode() + b"\0")
        digest.update(file_sha256(str(path)).encode())
    return digest.hexdigest()[:32]


def cached_export(cache: Path, key: str, files: Iterable[str] = FILES) -> Path | None:
    """The cached export's folder when the ``files`` asked for are whole (their recorded hashes
    match), else None."""
    folder = cache / key
    try:
        done = json.loads((folder / DONE_FILE).read_text(encoding="utf-8"))
        if all(done["sha256"][name] == file_sha256(str(folder / name)) for name in files):
            return folder
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        pass
    return None


def _bundled_export(key: str, files: Iterable[str] = FILES) -> Path | None:
    """The copy the desktop build was made with, when it is of this very folder and libraries."""
    from assistant_builder.core.paths import bundled_exports_dir

    bundled = bundled_exports_dir()
    return None if bundled is None else cached_export(bundled, key, files)


def discard(cache: Path, key: str) -> None:
    def writable(remove: Any, path: str, _exc: object) -> None:
        # OpenVINO keeps its compiled models read-only, which Windows will not delete as is.
        with contextlib.suppress(OSError):
            os.chmod(path, stat.S_IWRITE | stat.S_IREAD)
            remove(path)

    shutil.rmtree(cache / key, onerror=writable)


def export(folder: Path, cache: Path, key: str, copies: Iterable[str] = FILES) -> Path:
    """Exports the folder's transformer to ONNX, keeps that float32 copy and an int8 one (its
    weights quantized), or those of ``copies``, and publishes them atomically (a temporary
    folder renamed into place); returns the export's folder. Raises on any failure."""
    copies = tuple(copies)
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=cache))
    try:
        _export_float32(folder, work / FLOAT32_FILE)
        _quantize(work / FLOAT32_FILE, work / INT8_FILE)
        for name in set(FILES) - set(copies):
            (work / name).unlink()
        hashes = {name: file_sha256(str(work / name)) for name in copies}
        write_json_atomic(work / DONE_FILE, {"sha256": hashes, "recipe": RECIPE,
                                             "source": str(folder)})  # fmt: skip
        target = cache / key
        discard(cache, key)  # a damaged copy in the way
        try:
            os.replace(work, target)
        except OSError:
            if cached_export(cache, key, copies) is None:  # not another process's finished copy
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _export_float32(folder: Path, out: Path) -> None:
    from assistant_builder.core.knowledge.embedder import quiet_model_loading

    quiet_model_loading()
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(folder)).eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = torch.ones((2, 8), dtype=torch.int64)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on Python branches it fixes
        torch.onnx.export(
            LastHiddenState(model), (sample, sample, torch.zeros_like(sample)), str(out),
            input_names=names, output_names=["last_hidden_state"], dynamic_axes=axes,
            opset_version=17, dynamo=False,
        )  # fmt: skip


def _quantize(plain: Path, out: Path) -> None:
    # Per-channel int8 weights of the matrix products only: cosine >= 0.986 to float32 on real
    # chunks, where per-tensor weights (or quantized embeddings too) fell to 0.89.
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    advice = _DropRecords()  # its advice to pre-process, logged on the root logger
    root.addFilter(advice)
    try:
        quantize_dynamic(
            str(plain), str(out), weight_type=QuantType.QInt8, per_channel=True,
            op_types_to_quantize=["MatMul"],
        )  # fmt: skip
    finally:
        root.removeFilter(advice)


class _DropRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.WARNING


COULD_NOT_PREPARE = (
    "The document reader could not be prepared for this computer, so documents are read at "
    "the usual, slower speed."
)


def needs_preparing(folder: Path, cache: Path) -> bool:
    """True when loading this folder's embedder will export it, or measure which runtime reads
    it, first (a minute's work at most)."""
    from assistant_builder.core.knowledge.embedder_onnx import pooling_of
    from assistant_builder.core.knowledge.embedder_runner import recorded_runner

    if pooling_of(folder) is None:
        return False
    key = memo_key(folder)
    runner = recorded_runner(cache, key)
    if runner is None and native_bf16():
        return True  # measured first
    files = _needed(runner)
    return _bundled_export(key, files) is None and cached_export(cache, key, files) is None


def _needed(runner: str | None) -> tuple[str, ...]:
    """The copies a load checks: the one its runtime reads; before it is measured, the int8
    copy and, where the float32 one could be faster here (native bfloat16), that one too."""
    if runner is not None:
        return (copy_name(runner),)
    return FILES if native_bf16() else (INT8_FILE,)


_keys: dict[tuple[str, tuple[tuple[str, int, int], ...]], str] = {}


def memo_key(folder: Path) -> str:
    """cache_key, hashed once per process while the folder's files stay as they are."""
    files = tuple(
        (str(p), p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*")) if p.is_file()
    )  # fmt: skip
    signature = (str(folder), files)
    if signature not in _keys:
        _keys[signature] = cache_key(folder)
    return _keys[signature]


def prepared_embedder(
    folder: Path, cache: Path, *, query_prefix: str = "", passage_prefix: str = "",
    log: Any = None,
) -> OnnxEmbedder | None:  # fmt: skip
    """The folder's OnnxEmbedder in the runtime measured fastest here, exported (and measured)
    first where no whole copy is cached (a damaged one is exported again); None where the model
    is not of a kind it reproduces or the export cannot be made, and then the float32 encoder is
    used."""
    from assistant_builder.core.knowledge.embedder_onnx import OnnxEmbedder, pooling_of
    from assistant_builder.core.knowledge.embedder_runner import (
        choose_runner,
        forget,
        recorded_runner,
    )

    pooling = pooling_of(folder)
    if pooling is None:
        return None
    key = memo_key(folder)
    for attempt in range(2):
        runner = recorded_runner(cache, key)
        files = _needed(runner)  # each is hashed on every load: only those read
        # A bundled copy that fails to load is not tried twice: the export is made anew.
        found = (_bundled_export(key, files) if attempt == 0 else None) or cached_export(
            cache, key, files
        )
        try:
            if found is None:
                found = export(folder, cache, key)
            make = functools.partial(
                OnnxEmbedder, folder, found, pooling=pooling,
                query_prefix=query_prefix, passage_prefix=passage_prefix,
            )  # fmt: skip
            embedder = make(runner=runner or choose_runner(cache, key, folder, make))
            embedder.session(1)  # a file that loads but is not a model fails here (the session
            # a question is embedded with, so `search` loads the model once)
            return embedder
        except Exception as exc:  # any failure means: export and measure again, then fall back
            discard(cache, key)
            forget(cache, key)
            if attempt == 1:
                logging.getLogger(__name__).warning("embedder export failed: %r", exc)
                if log is not None:
                    log(COULD_NOT_PREPARE)
    return None
