"""Tokens per second of this llama.cpp build (every CPU variant, loaded at run time) against the
AVX2-only build it replaced, on this machine, with the real SmolLM2-135M and the app's own
runner: prompt processing and generation, each as new/old.

    python bench/cpu_variants.py [--new WHEEL] [--old WHEEL] [--rounds N]

Each build runs in its own child process from its wheel unpacked into a temporary folder, so
neither needs installing; the rounds alternate between the builds so that other work on the
machine weighs on both alike. Defaults: the two wheels in ~/.cache/assistant-builder-build."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from engine_common import THREADS, smollm2

BUILDS = Path(
    os.environ.get(
        "ASSISTANT_BUILDER_BUILD_CACHE", Path.home() / ".cache" / "assistant-builder-build"
    )
)
OLD_BUILD = "llama-cpp-python-0.3.36-66678c542cd1"  # the AVX2-only flags of before
PROMPT = "Here is a long story about a dragon who learns to bake bread. " * 12
N_TOKENS = 96


def default_new() -> Path:
    """The newest cached wheel that carries CPU variants."""
    wheels = sorted(BUILDS.glob("llama-cpp-python-*/llama_cpp_python-*.whl"), key=os.path.getmtime)
    for wheel in reversed(wheels):
        with zipfile.ZipFile(wheel) as z:
            if any("libggml-cpu-" in name for name in z.namelist()):
                return wheel
    sys.exit("No build with CPU variants in the cache yet; run tools/install-llama-cpp.sh first.")


def child(model: str) -> None:
    """Runs inside the unpacked wheel: one load, one prompt, one greedy answer."""
    from assistant_builder.core.engine.llama_runtime import GenerationStats, LlamaRunner
    from assistant_builder.core.engine.protocol import LoadOptions, SamplingOptions

    runner = LlamaRunner(LoadOptions(model, context_size=1024, threads=THREADS))
    tokens = runner.llm.tokenize(PROMPT.encode(), add_bos=True)
    greedy = SamplingOptions(temperature=0.0, repeat_penalty=1.0, max_tokens=N_TOKENS)
    stats = GenerationStats()
    start = time.perf_counter()
    stamps = []
    for _piece in runner.generate(tokens, greedy, stats, lambda: False):
        stamps.append((time.perf_counter(), stats.completion_tokens))
    (first, n_first), (last, n_last) = stamps[0], stamps[-1]
    result = {
        "variant": runner.hardware.cpu_variant or "built in",
        "prompt_tps": len(tokens) / (first - start),  # includes the first token's sampling
        "gen_tps": (n_last - n_first) / (last - first),
    }
    print(json.dumps(result))


def run(wheel: Path, folder: Path, model: Path) -> dict[str, float | str]:
    if not (folder / "llama_cpp").is_dir():
        with zipfile.ZipFile(wheel) as z:
            z.extractall(folder)
    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(repo)])}
    env.pop("LLAMA_CPP_LIB_PATH", None)
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(model)],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    result: dict[str, float | str] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--new", type=Path)
    parser.add_argument("--old", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    new = args.new or default_new()
    old = args.old or next((BUILDS / OLD_BUILD).glob("*.whl"), None)
    if old is None:
        # The AVX2-only build is not made by `make setup`; without it there is nothing to compare.
        print(
            f"not run: no AVX2-only build to compare with in {BUILDS / OLD_BUILD} "
            "(give one with --old)"
        )
        return
    model = smollm2()
    figures: dict[str, list[dict[str, float | str]]] = {"new": [], "old": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            for name, wheel in (("old", old), ("new", new)):
                figures[name].append(run(wheel, Path(tmp) / name, model))
    print(f"SmolLM2-135M Q4_1, {THREADS} threads, {args.rounds} rounds (medians)")
    median: dict[str, dict[str, float]] = {}
    for name, runs in figures.items():
        median[name] = {
            key: statistics.median(float(r[key]) for r in runs) for key in ("prompt_tps", "gen_tps")
        }
        print(
            f"  {name}: CPU variant {runs[0]['variant']}: prompt {median[name]['prompt_tps']:.0f} "
            f"tokens/s, generation {median[name]['gen_tps']:.1f} tokens/s"
        )
    for key, label in (("prompt_tps", "prompt"), ("gen_tps", "generation")):
        print(f"  {label}: new/old = {median['new'][key] / median['old'][key]:.2f}")


if __name__ == "__main__":
    main()
