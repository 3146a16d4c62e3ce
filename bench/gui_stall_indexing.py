"""The longest stall of the GUI event loop while the Library page indexes a real folder.

Writes 200 text and markdown files from the Python standard library's own documentation,
creates a collection on the Library page, clicks "Index now" and measures, with
ui/diagnostics.StallMonitor (a 10 ms timer that records how late it fires), the worst delay
the event loop suffered until the run ended. Target: no stall over 50 ms.

Two runs: the first of a session also starts the knowledge process, which imports torch and
transformers and loads the embedder (in the child: the window's process never imports them);
the second indexes a copy of the folder with the child ready, which is what every later
indexing costs.

    QT_QPA_PLATFORM=offscreen python bench/gui_stall_indexing.py [--files N]"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MINILM = Path.home() / ".cache" / "assistant-builder-tests" / "embedders" / "all-MiniLM-L6-v2"
MODULES = ("os", "re", "json", "collections", "itertools", "functools", "pathlib", "string",
           "textwrap", "datetime", "statistics", "random", "shutil", "subprocess", "inspect",
           "typing", "argparse", "logging", "email.message", "http.client", "urllib.parse",
           "zipfile", "tarfile", "csv", "sqlite3", "decimal", "fractions", "heapq", "bisect",
           "calendar", "threading", "asyncio", "socket", "struct", "unittest", "difflib",
           "ipaddress", "hashlib", "tempfile", "configparser", "pickle", "codecs")  # fmt: skip


def write_stdlib_docs(folder: Path, count: int) -> int:
    """Up to ``count`` files, one per documented module, class or function (alternately .txt
    and .md); returns how many were written."""
    written = 0
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        members = [(module_name, module)] + [
            (f"{module_name}.{name}", obj)
            for name, obj in sorted(vars(module).items())
            if not name.startswith("_") and (inspect.isclass(obj) or inspect.isfunction(obj))
        ]
        for name, obj in members:
            doc = inspect.getdoc(obj) or ""
            if len(doc) < 300:
                continue
            if written % 2:
                (folder / f"{name}.md").write_text(f"# {name}\n\n{doc}\n", encoding="utf-8")
            else:
                (folder / f"{name}.txt").write_text(f"{name}\n\n{doc}\n", encoding="utf-8")
            written += 1
            if written >= count:
                return written
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ASSISTANT_BUILDER_HOME"] = str(Path(tmp) / "home")
        folder = Path(tmp) / "stdlib"
        folder.mkdir()
        files = write_stdlib_docs(folder, args.files)

        from PySide6.QtCore import QEventLoop
        from PySide6.QtWidgets import QApplication

        from assistant_builder.core.app import App
        from assistant_builder.core.knowledge.process import KnowledgeProcess
        from assistant_builder.core.services import Services
        from assistant_builder.core.settings import Settings
        from assistant_builder.ui.diagnostics import StallMonitor
        from assistant_builder.ui.library.page import LibraryPage

        app = QApplication([])
        embedder = str(MINILM) if MINILM.is_dir() else "all-MiniLM-L6-v2"
        knowledge = KnowledgeProcess()
        facade = App(Services.create(), Settings(), knowledge=knowledge)
        page = LibraryPage(facade, default_embedder=embedder)
        page.resize(1000, 720)
        page.show()

        def index(name: str, docs: Path) -> tuple[float, float, StallMonitor]:
            assert page.create_collection(name, [str(docs)])
            monitor = StallMonitor(interval_ms=10)
            loop = QEventLoop()
            page.index_runner.busy_changed.connect(lambda busy: busy or loop.quit())
            QApplication.processEvents()
            monitor.start()
            started = time.perf_counter()
            page.index_button.click()
            loop.exec()
            seconds = time.perf_counter() - started
            page.index_runner.busy_changed.disconnect()
            page.index_runner.busy_changed.connect(lambda _b: page._update_actions())
            return seconds, monitor.stop(), monitor

        copy = Path(tmp) / "stdlib copy"
        shutil.copytree(folder, copy)
        first_s, first_stall, _ = index("Python docs", folder)
        second_s, second_stall, monitor = index("Python docs copy", copy)
        page.shutdown()
        knowledge.shutdown()
        row = page.model.row_of("Python docs copy")
        print(f"files written: {files}; indexed: {page.model.index(row, 2).data()}, "
              f"passages: {page.model.index(row, 3).data()}")  # fmt: skip
        print(f"first indexing of the session (starts the knowledge process): {first_s:.1f} s, "
              f"longest GUI stall {first_stall:.1f} ms (target <= 50 ms)")  # fmt: skip
        heavy = [m for m in ("torch", "transformers", "sentence_transformers", "lancedb")
                 if m in sys.modules]  # fmt: skip
        print(f"heavy libraries imported by the GUI process: {heavy or 'none'}")
        print(f"indexing with the knowledge process ready: {second_s:.1f} s, "
              f"{monitor.ticks} timer ticks, "
              f"longest GUI stall {second_stall:.1f} ms (target <= 50 ms)")  # fmt: skip
        del app


if __name__ == "__main__":
    main()
