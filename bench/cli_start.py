"""Command-line start: seconds from launching `assistant-builder search` and `ask` to their
result, on a warm disk, with a real collection (man pages embedded by MiniLM) and the real
SmolLM2; then where `search`'s time goes (python -X importtime: the imports it pays for, by
package) against a bare `python -c pass` taken in the same run. Given other checkouts (an
export of an older commit), it times each of them too, on the same home, turn by turn.

    python bench/cli_start.py [CHECKOUT ...]     (default: this checkout)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engine_common import smollm2
from bench.knowledge_corpus import man_page
from bench.knowledge_search import MINILM

RUNS = int(os.environ.get("RUNS", "5"))
PAGES = ["ls", "cp", "tar", "grep", "find", "ps", "sort", "bash", "ssh", "sed", "du", "chmod"]
# The console script users run (the editable install's; PYTHONPATH picks the checkout).
SCRIPT = str(Path(sys.executable).with_name("assistant-builder"))
COMMAND = [sys.executable, SCRIPT]
QUESTION = "how do I copy a directory recursively"


HERE = str(Path(__file__).resolve().parent.parent)


def run(env: dict[str, str], *args: str, timed: bool = False, checkout: str = HERE) -> float:
    env = {**env, "PYTHONPATH": checkout}
    start = time.perf_counter()
    result = subprocess.run([*COMMAND, *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0 or (timed and not result.stdout.strip()):
        raise SystemExit(f"{' '.join(args)} failed: {result.stderr.strip()[-500:]}")
    return elapsed if timed else 0.0


def prepare(home: str) -> dict[str, str]:
    env = {**os.environ, "ASSISTANT_BUILDER_HOME": home, "HF_HUB_OFFLINE": "1"}
    docs = Path(home) / "docs"
    docs.mkdir()
    for name in PAGES:
        (docs / f"{name}.txt").write_text(man_page(name) or f"{name}: no manual page")
    run(env, "collections", "create", "manuals", str(docs), "--embedder", str(MINILM))
    run(env, "collections", "index", "manuals")
    run(env, "models", "add", str(smollm2()), "--name", "SmolLM2")
    model = subprocess.run([*COMMAND, "models", "list"], env=env, capture_output=True, text=True)
    ref = model.stdout.split()[0] if model.stdout.split() else "SmolLM2"
    run(env, "assistants", "create", "helper", "--model", ref, "--collection", "manuals",
        "--max-tokens", "32", "--seed", "1")  # fmt: skip
    return env


def timings(env: dict[str, str], checkouts: list[str], *args: str) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {c: [] for c in checkouts}
    for checkout in checkouts:
        run(env, *args, checkout=checkout)  # warm the OS file cache, as a second call would
    for _ in range(RUNS):
        for checkout in checkouts:
            times[checkout].append(run(env, *args, timed=True, checkout=checkout))
    return times


def imports(env: dict[str, str], checkout: str, *args: str) -> tuple[float, dict[str, float]]:
    """Total import time of the command and its cumulative time per top-level package."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", SCRIPT, *args],
        env={**env, "PYTHONPATH": checkout}, capture_output=True, text=True,
    )  # fmt: skip
    per_package: dict[str, float] = {}
    total = 0.0
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, raw_name = line[len("import time:") :].split("|")
        name = raw_name.strip()
        if raw_name[1:] == raw_name.lstrip():  # a top-level import (not nested under another)
            micros = int(cumulative.strip())
            total += micros
            package = name
            per_package[package] = per_package.get(package, 0.0) + micros / 1e6
    return total / 1e6, per_package


def main() -> None:
    checkouts = [str(Path(c).resolve()) for c in sys.argv[1:]] or [HERE]
    print("load:", Path("/proc/loadavg").read_text().strip())
    with tempfile.TemporaryDirectory() as home:
        env = prepare(home)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
        bare = time.perf_counter() - start
        searches = timings(env, checkouts, "search", "manuals", QUESTION)
        asks = timings(env, checkouts, "ask", "helper", QUESTION, "--no-history")
        profiles = {c: imports(env, c, "search", "manuals", QUESTION) for c in checkouts}
    print(f"bare python start             {bare:6.2f} s (reference)")
    for checkout in checkouts:
        print(f"{checkout}:")
        for label, times in (("search", searches[checkout]), ("ask", asks[checkout])):
            median = statistics.median(times)
            print(f"  {label:<6} start to result    median {median:6.2f} s  "
                  f"({median / bare:.1f} x bare python; runs: "
                  + ", ".join(f"{t:.2f}" for t in times) + ")")  # fmt: skip
        total, per_package = profiles[checkout]
        print(f"  search: its imports take {total:.2f} s; the biggest, cumulative:")
        for package, seconds in sorted(per_package.items(), key=lambda kv: -kv[1])[:8]:
            print(f"    {package:<40} {seconds:6.2f} s")
    print("load:", Path("/proc/loadavg").read_text().strip())


if __name__ == "__main__":
    main()
