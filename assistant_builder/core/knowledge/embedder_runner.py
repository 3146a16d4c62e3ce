"""Which of the runtimes (embedder_onnx.RUNNERS) reads an embedder's export on this computer:
measured once, on a batch of passages in each, and kept beside the exports per export and
processor. Which kernels are fastest differs between processors (on one with AMX, OpenVINO's
bfloat16 read passages 2.4 times as fast as the int8 copy in onnxruntime; on others the int8
copy is the fast one), so it is measured, not assumed; a runtime whose vectors stray from
float32's is never chosen."""

from __future__ import annotations

import functools
import hashlib
import json
import platform
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from filelock import FileLock

from assistant_builder.core.fileio import write_json_atomic
from assistant_builder.core.knowledge.embedder import Vectors
from assistant_builder.core.knowledge.embedder_onnx import (
    BF16,
    FLOAT32,
    INT8,
    RUNNERS,
    OnnxEmbedder,
    native_bf16,
)

RECORD = "runners.json"
MIN_COSINE = 0.98  # to the float32 vectors of the same passages; the int8 copy's bar too
SAMPLE = 32  # passages timed per runtime, twice, after a warm-up
_PROSE = (
    "The committee met on Tuesday to review the budget for the coming year. Members asked "
    "why the cost of maintaining the old library building had risen, and the treasurer "
    "explained that the heating system needed repairs before winter. A proposal to open the "
    "reading room on Sunday afternoons was approved, provided that volunteers can be found. "
    "The next meeting will discuss the garden behind the town hall and the summer concerts."
)


@functools.cache
def processor() -> str:
    """A short name for this computer's processor, the instructions it reports and the
    runtimes' versions: what a measurement holds for."""
    parts = [platform.machine(), platform.processor()]
    for name in ("onnxruntime", "openvino"):
        try:
            parts.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name}=none")
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith(("model name", "flags", "Features")):
                    parts.append(line.strip())
                elif not line.strip():
                    break  # the first processor is enough
    except OSError:
        pass
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _records(cache: Path) -> dict[str, Any]:
    try:
        records = json.loads((cache / RECORD).read_text(encoding="utf-8"))
        return records if isinstance(records, dict) else {}
    except (OSError, ValueError):
        return {}


def recorded_runner(cache: Path, key: str) -> str | None:
    """The runtime measured for this export on this processor, or None."""
    entry = _records(cache).get(f"{key}:{processor()}")
    runner = entry.get("runner") if isinstance(entry, dict) else None
    return runner if runner in RUNNERS else None


def folder_runner(cache: Path, folder: Path) -> str | None:
    """The runtime last measured for this model folder on this processor (whatever its export),
    without hashing the folder: what a collection's vectors will most likely be made by."""
    mine = processor()
    found = [
        entry for name, entry in _records(cache).items()
        if name.endswith(f":{mine}") and isinstance(entry, dict)
        and entry.get("folder") == str(folder) and entry.get("runner") in RUNNERS
    ]  # fmt: skip
    return str(max(found, key=lambda e: str(e.get("measured", "")))["runner"]) if found else None


def forget(cache: Path, key: str) -> None:
    """Drops this export's measurement (it is made again with the export); where the cache
    cannot be written there is nothing to drop, and the caller's fallback goes on."""
    try:
        with FileLock(str(cache / f"{RECORD}.lock")):
            records = _records(cache)
            if records.pop(f"{key}:{processor()}", None) is not None:
                write_json_atomic(cache / RECORD, records)
    except OSError:
        pass


def choose_runner(cache: Path, key: str, folder: Path, make: Callable[..., OnnxEmbedder]) -> str:
    """The recorded runtime, or the one measured now and recorded (one process measures; any
    other waits for its answer). ``make(runner=…)`` builds the embedder for a runtime."""
    cache.mkdir(parents=True, exist_ok=True)
    with FileLock(str(cache / f"{RECORD}.lock")):
        found = recorded_runner(cache, key)
        if found is not None:
            return found
        runner, figures = measure(make)
        records = _records(cache)
        records[f"{key}:{processor()}"] = {
            "runner": runner, "folder": str(folder), "figures": figures,
            "measured": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }  # fmt: skip
        write_json_atomic(cache / RECORD, records)
        return runner


def sample_passages(count: int = SAMPLE, words: int = 150) -> list[str]:
    """``count`` different passages of about ``words`` words of plain prose."""
    prose = _PROSE.split()
    size = len(prose)
    return [" ".join(prose[(i * 7 + j) % size] for j in range(words)) for i in range(count)]


def measure(make: Callable[..., OnnxEmbedder]) -> tuple[str, dict[str, Any]]:
    """The fastest runtime whose vectors are within MIN_COSINE of float32's on sample passages,
    with each one's figures (passages a second, the lowest cosine to float32), where the
    processor computes bfloat16 natively; elsewhere, or where OpenVINO cannot run here, the
    int8 copy. A runtime that fails to load is left out; the int8 copy failing raises (a
    damaged export)."""
    import numpy as np

    if not native_bf16():
        # Elsewhere the int8 copy has been the fast one (3.7 times float32 PyTorch on a
        # processor without it), and the float32 copy is not even carried by the desktop build.
        return INT8, {}
    texts = sample_passages()
    candidates = [FLOAT32, INT8, BF16]
    figures: dict[str, Any] = {}
    reference = None
    for runner in candidates:
        try:
            best, vectors = _timed(make(runner=runner), texts)
        except Exception:
            if runner == INT8:
                raise
            continue  # OpenVINO cannot run this here
        if reference is None:
            reference = vectors
        cosine = float(np.min(np.sum(vectors * reference, axis=1)))
        figures[runner] = {"passages_per_s": round(len(texts) / best, 1),
                           "min_cosine": round(cosine, 5)}  # fmt: skip
    if FLOAT32 not in figures:  # nothing to check the others against: the int8 copy, as ever
        return INT8, figures
    eligible = [r for r, f in figures.items() if f["min_cosine"] >= MIN_COSINE]
    return max(eligible, key=lambda r: figures[r]["passages_per_s"]), figures


def _timed(embedder: OnnxEmbedder, texts: list[str]) -> tuple[float, Vectors]:
    """The best of two runs over ``texts`` after a warm-up, and the vectors."""
    embedder.embed(texts[:8])  # loads and warms the session passages use
    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        vectors = embedder.embed(texts)
        best = min(best, time.perf_counter() - t0)
    return best, vectors
