"""Cold start: seconds from launching `assistant-builder` to a usable window (target <= 1.5 s).

Runs the real console entry point in a fresh process several times (offscreen unless a display
is present) and prints each run and the median. The app prints "window-ready" after the first
pass of the event loop, when the window has been shown and painted.

    python bench/startup.py                     the development build (this Python)
    python bench/startup.py PATH/assistant-builder   a launcher, e.g. the desktop build's"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = int(os.environ.get("RUNS", "5"))


def one_run(home: str, command: list[str]) -> float:
    env = {**os.environ, "ASSISTANT_BUILDER_HOME": home, "ASSISTANT_BUILDER_STARTUP_PROBE": "1"}
    if not os.environ.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        if "window-ready" in line:
            elapsed = time.perf_counter() - start
            break
    else:
        raise SystemExit(f"the app exited without showing its window (status {proc.wait()})")
    proc.wait(timeout=30)
    return elapsed


def main() -> None:
    command = sys.argv[1:] or [sys.executable, "-m", "assistant_builder"]
    with tempfile.TemporaryDirectory() as home:
        one_run(home, command)  # warm the OS file cache once, as a second launch would be
        times = [one_run(home, command) for _ in range(RUNS)]
    for n, t in enumerate(times, 1):
        print(f"run {n}: {t:.3f} s")
    median = statistics.median(times)
    print(f"cold start to usable window: median {median:.3f} s over {RUNS} runs (target <= 1.5 s)")


if __name__ == "__main__":
    main()
