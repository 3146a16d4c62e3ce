"""Composition root: the only module that wires core and ui together.

With no arguments it opens the desktop app; with a command it runs the command line."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from assistant_builder.core.logs import log_to_file


def _headless() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    if sys.platform.startswith("linux"):
        return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return False


def run_gui(argv: Sequence[str]) -> int:
    if _headless():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        print(
            "No display was found, so the app runs without a visible window "
            "(QT_QPA_PLATFORM=offscreen). Press Ctrl+C to quit.",
            file=sys.stderr,
        )
    import signal

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from assistant_builder.core.services import Services
    from assistant_builder.ui.diagnostics import freeze_startup_heap
    from assistant_builder.ui.main_window import MainWindow
    from assistant_builder.ui.resources import app_icon
    from assistant_builder.ui.theme import apply_theme
    from assistant_builder.ui.workers import GuiThreadCollector

    # Ctrl+C while the window is being built is remembered and honoured once it is up
    # (a KeyboardInterrupt in the middle of building Qt widgets can crash the process).
    interrupted: list[object] = []
    signal.signal(signal.SIGINT, lambda *_: interrupted.append(True))
    services = Services.create()
    log_to_file(services.paths)
    app = QApplication([sys.argv[0], *argv])
    app.setApplicationName("Assistant Builder")
    app.setOrganizationName("Assistant Builder")
    app.setWindowIcon(app_icon())
    GuiThreadCollector(app)  # dead widgets are freed on the GUI thread only
    settings, notice = services.load_settings_or_defaults()
    notice = " ".join([notice, *services.repair_damaged()]).strip()
    apply_theme(app, settings.theme)
    from assistant_builder.core.app import App

    window = MainWindow(App(services, settings))
    window.show()
    QTimer.singleShot(0, freeze_startup_heap)
    if notice:
        window.statusBar().showMessage(notice)
    # Let Ctrl+C in the terminal close the app: Python only sees signals between Qt events.
    signal.signal(signal.SIGINT, lambda *_: window.close())
    if interrupted:
        QTimer.singleShot(0, window.close)
    logging.getLogger(__name__).info("The window is open.")
    if os.environ.get("ASSISTANT_BUILDER_STARTUP_PROBE"):
        # bench/startup.py: report once the first event-loop pass has painted the window, then quit.
        def ready() -> None:
            print("window-ready", file=sys.stderr, flush=True)
            window.close()

        QTimer.singleShot(0, ready)
    ticker = QTimer()
    ticker.start(200)
    ticker.timeout.connect(lambda: None)
    return int(app.exec())


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        return run_gui(args)
    from assistant_builder.cli import main as cli_main

    return cli_main(args)
