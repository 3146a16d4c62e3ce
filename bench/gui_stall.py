"""Benchmark: the longest stall of the GUI event loop while long work runs through a page
(target: no stall over 50 ms). A 10 ms timer records how late it fires (ui/diagnostics).

Scenarios (run all, or name some):  PYTHONPATH=. .venv/bin/python bench/gui_stall.py [NAME…]
- download: a real download of the SmolLM2-135M GGUF (98 MB) through the Models page from a
  local fake hub (tests/models/fake_hub.py), until the model is installed.
To add one (e.g. indexing a folder through the Library page), write a function taking the
QApplication, a private home folder and the StallMonitor: it builds the page, calls
freeze_startup_heap() as app.py does once the window is up, starts the monitor just before
the work starts (building a page is not the stall being measured), drives the page until
the work is done, stops the monitor, and returns a line saying what was done and the
seconds it took. Add it to SCENARIOS."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from assistant_builder.ui.diagnostics import StallMonitor, freeze_startup_heap
from bench.engine_common import smollm2

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_OFFLINE"] = "0"

RUNS = int(os.environ.get("RUNS", "3"))
ROOT = str(Path(__file__).resolve().parent.parent)
SERVE_HUB = """
import sys, threading
from pathlib import Path
from tests.models.fake_hub import FakeHub
hub = FakeHub().start()
hub.add_file(sys.argv[1], Path(sys.argv[2]).name, Path(sys.argv[2]))
print(hub.url, flush=True)
threading.Event().wait()
"""
TARGET_MS = 50.0


def wait_until(app: object, done: Callable[[], bool], timeout_s: float) -> None:
    """Run the event loop (as the app would) until ``done()``, without busy-waiting."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    check = QTimer()
    check.setInterval(20)
    check.timeout.connect(lambda: loop.quit() if done() else None)
    check.start()
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    deadline.start(int(timeout_s * 1000))
    loop.exec()
    check.stop()
    if not done():
        raise TimeoutError("the scenario did not finish in time")


def download(app: object, home: Path, monitor: StallMonitor) -> tuple[str, float]:
    """Download the 98 MB SmolLM2 GGUF from the catalog-like flow of the Models page."""
    import huggingface_hub.constants as hf_constants

    from assistant_builder.core.app import App
    from assistant_builder.core.paths import Paths
    from assistant_builder.core.services import Services
    from assistant_builder.core.settings import Settings
    from assistant_builder.ui.pages.models_page import ModelsPage

    source = smollm2()  # fetched on the first run, as the tests fetch it
    hf_constants.HF_HUB_OFFLINE = False
    # The hub serves from a process of its own, as a real one does from another computer: in
    # this process its threads would take the interpreter from the window's thread.
    hub = subprocess.Popen(
        [sys.executable, "-c", SERVE_HUB, "bench/SmolLM2-GGUF", str(source)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": ROOT},
    )  # fmt: skip
    assert hub.stdout is not None
    os.environ["HF_ENDPOINT"] = hub.stdout.readline().strip()
    try:
        services = Services.create(Paths.from_env({"ASSISTANT_BUILDER_HOME": str(home)}))
        page = ModelsPage(App(services, Settings()))
        page.resize(1100, 760)
        page.show()
        wait_until(app, lambda: page.catalog_model.machine is not None, 30)
        freeze_startup_heap()  # as app.py does once the window is up
        ref = f"bench/SmolLM2-GGUF:{source.name}"
        events: list[tuple[float, str]] = []
        page.queue.model.dataChanged.connect(
            lambda *_: events.append((time.perf_counter(), page.queue.model.rows()[0].status))
        )
        monitor.start()
        start = time.perf_counter()
        page.download(ref, "SmolLM2 135M")

        def finished() -> bool:
            row = page.queue.model.get(ref)
            return row is not None and row.status in ("done", "failed")

        wait_until(app, finished, 300)
        seconds = time.perf_counter() - start
        monitor.stop()
        if os.environ.get("STALL_TRACE"):
            for when, late in monitor.stalls:
                status = [s for t, s in events if t <= when][-1:] or ["before any progress"]
                print(f"  {when - start:6.2f} s: {late:6.1f} ms late, during {status[0]}")
        row = page.queue.model.get(ref)
        assert row is not None
        if row.status != "done":
            raise RuntimeError(row.message)
        page.queue.wait()
        page.close()
        return f"{source.stat().st_size / 1e6:.0f} MB downloaded, verified and installed", seconds
    finally:
        hub.terminate()
        hub.wait(timeout=30)


SCENARIOS: dict[str, Callable[[object, Path, StallMonitor], tuple[str, float]]] = {
    "download": download
}


def main(names: list[str]) -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    worst_of_all = 0.0
    for name in names or list(SCENARIOS):
        stalls, seconds, what = [], [], ""
        for run in range(RUNS):
            with tempfile.TemporaryDirectory() as tmp:
                monitor = StallMonitor(interval_ms=10)
                what, took = SCENARIOS[name](app, Path(tmp) / f"home-{run}", monitor)
                seconds.append(took)
                stalls.append(monitor.longest_stall_ms)
                print(
                    f"{name} run {run + 1}: longest stall {stalls[-1]:.1f} ms over "
                    f"{seconds[-1]:.1f} s ({monitor.ticks} ticks)",
                    flush=True,
                )
        worst_of_all = max(worst_of_all, max(stalls))
        print(
            f"{name}: {what}; longest GUI stall median {statistics.median(stalls):.1f} ms, "
            f"worst {max(stalls):.1f} ms (target ≤ {TARGET_MS:.0f} ms)"
        )
    return 0 if worst_of_all <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
