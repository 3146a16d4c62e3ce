"""Closing the window while a collection is being indexed: the app ends quietly, with no
Python traceback and no "leaked semaphore" warning on the terminal it was started from."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.paths import Paths

pytestmark = pytest.mark.integration

# The real app (assistant_builder.app.main) with one change: once its window is shown, it
# indexes the collection and closes the window as soon as passages are being embedded
# (parser processes and the embedder both at work).
DRIVER = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from assistant_builder.ui import main_window

    shown = main_window.MainWindow.show

    def show(window):
        shown(window)
        page = window.library_page
        closing = []

        def on_event(event):
            if getattr(event, "embedded", 0) > 0 and not closing:
                closing.append(True)
                print("closing-while-indexing", file=sys.stderr, flush=True)
                QTimer.singleShot(0, window.close)

        page.index_runner.progressed.connect(on_event)
        page.select("Notes")
        page.start_index()

    main_window.MainWindow.show = show
    from assistant_builder.app import main
    raise SystemExit(main([]))
    """
)


def test_closing_the_window_while_indexing_prints_no_traceback(
    app_home: Paths, minilm_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    for n in range(400):
        text = f"Note {n} is about the garden, the boiler and the rent of month {n}.\n\n" * 400
        (folder / f"note{n:03}.txt").write_text(text, encoding="utf-8")
    Collections(app_home.ensure()).create("Notes", [folder], embedder=str(minilm_dir))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", DRIVER], env=env, capture_output=True, text=True, timeout=300
    )
    assert "closing-while-indexing" in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "leaked semaphore" not in done.stderr, done.stderr
