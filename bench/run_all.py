"""`make bench`: every benchmark script in bench/, one after the other with its quick settings,
and one table of what each printed. Never part of `make test`.

    python bench/run_all.py [--budget-min 19] [NAME ...]

The whole run is bounded by the budget: each script gets what is left of it (at most its share
of a fair split), and one that runs out is stopped and shown as such, so the table always comes
within the budget, however loaded the machine is. The machine's load is printed beside it."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# Helpers imported by the scripts, and a producer of data files (no figures of its own).
NOT_BENCHMARKS = {"engine_common", "knowledge_corpus", "grounding_answers", "run_all"}
# Quick settings of the scripts that take any; the others run as they are.
QUICK: dict[str, list[str]] = {
    "answer_path": ["--quick"],
    "first_word": ["--quick"],
    "cpu_variants": ["--rounds", "1"],
    "serve_overhead": ["--tokens", "64", "--runs", "1"],
    "serve_streaming": ["--tokens", "500", "--runs", "2"],
    "gui_stall_indexing": ["--files", "50"],
    "knowledge_index": ["--rounds", "1"],
    "knowledge_search_scale": ["--rows", "1000000", "--only-app", "--queries", "50"],
}
FIGURE_LINES = 12  # the last lines a script printed are its figures


def scripts(names: list[str]) -> list[Path]:
    found = sorted(p for p in BENCH.glob("*.py") if p.stem not in NOT_BENCHMARKS)
    return [p for p in found if not names or p.stem in names]


def run(script: Path, timeout: float) -> tuple[str, float, list[str]]:
    """(how it ended, seconds, its figure lines)."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH.parent), env.get("PYTHONPATH")]))
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, str(script), *QUICK.get(script.stem, [])], cwd=BENCH.parent, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)  # the script and whatever it started (servers, engines)
        out, err = proc.communicate()
        return "stopped", time.monotonic() - started, _tail(out)
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        return f"failed ({proc.returncode})", seconds, _tail(out) + _tail(err)[-2:]
    return "ok", seconds, _tail(out)


def _tail(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip()][-FIGURE_LINES:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget-min", type=float, default=19.0)
    parser.add_argument("names", nargs="*", help="only these scripts (file names without .py)")
    args = parser.parse_args()
    todo = scripts(args.names)
    deadline = time.monotonic() + args.budget_min * 60
    rows = []
    for i, script in enumerate(todo):
        left = deadline - time.monotonic()
        # A fair share of what is left, but a script may use what earlier ones did not.
        share = max(left / (len(todo) - i), min(left, 120.0))
        if left <= 5:
            rows.append((script.stem, "not run (budget spent)", 0.0, []))
            continue
        print(f"running {script.name} (up to {share:.0f} s)…", file=sys.stderr, flush=True)
        status, seconds, lines = run(script, share)
        rows.append((script.stem, status, seconds, lines))
    one, five, _ = os.getloadavg()
    total = sum(r[2] for r in rows)
    print(f"| benchmark | result | seconds | figures (load average {one:.1f}, 5 min {five:.1f}) |")
    print("|---|---|---:|---|")
    for name, status, seconds, lines in rows:
        figures = "<br>".join(line.replace("|", "/") for line in lines) or "—"
        print(f"| {name} | {status} | {seconds:.0f} | {figures} |")
    print(f"\n{len(rows)} scripts in {total / 60:.1f} minutes")


if __name__ == "__main__":
    main()
