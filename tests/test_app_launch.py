"""Launching the app the way a user does: the console script with no arguments."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from assistant_builder.core.paths import Paths
from assistant_builder.core.settings import load_settings

LAUNCH = "from assistant_builder.app import main; raise SystemExit(main([]))"


def test_without_a_display_the_app_runs_offscreen_says_so_and_quits_on_ctrl_c(
    app_home: Paths,
) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}  # fmt: skip
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from assistant_builder.app import main; raise SystemExit(main([]))",
        ],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "No display was found" in line and "QT_QPA_PLATFORM=offscreen" in line
        # The window saves its geometry when it closes; wait until it says it is up.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and "The window is open." not in _log(app_home):
            time.sleep(0.1)
        assert "The window is open." in _log(app_home)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert load_settings(app_home.settings_file).window_geometry


def test_ctrl_c_while_the_window_is_being_built_quits_cleanly(app_home: Paths) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCH], env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        # As soon as the app has started its log, the window is being built: interrupt it.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not app_home.log_file.exists():
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.stderr is not None and "Traceback" not in proc.stderr.read()


def _log(paths: Paths) -> str:
    try:
        return paths.log_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
