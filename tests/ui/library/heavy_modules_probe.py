"""Run as a script by test_heavy_modules.py: builds the Library page offscreen in a fresh
interpreter, indexes a folder and runs a test search through the page's own buttons, opens
the first hit in the source viewer, then prints (as JSON) what it saw and which heavy
libraries this process imported.

Everything is imported inside main(): the knowledge process re-imports this file as its main
module, and must not import Qt for it.

    python heavy_modules_probe.py HOME DOCS EMBEDDER"""

from __future__ import annotations

import json
import sys

HEAVY = ("torch", "transformers", "sentence_transformers", "lancedb", "pypdf", "docx")


def main(home: str, docs: str, embedder: str) -> None:
    import os

    os.environ["ASSISTANT_BUILDER_HOME"] = home
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from assistant_builder.core.app import App
    from assistant_builder.core.knowledge.process import KnowledgeProcess
    from assistant_builder.core.services import Services
    from assistant_builder.core.settings import Settings
    from assistant_builder.ui.library.page import LibraryPage
    from assistant_builder.ui.source_viewer import SourceViewer

    app = QApplication([])
    knowledge = KnowledgeProcess()
    facade = App(Services.create(), Settings(), knowledge=knowledge)
    page = LibraryPage(facade, default_embedder=embedder)
    page.show()

    def wait_idle(runner: object) -> None:
        loop = QEventLoop()
        runner.busy_changed.connect(lambda busy: busy or loop.quit())  # type: ignore[attr-defined]
        QTimer.singleShot(120_000, loop.quit)
        loop.exec()

    assert page.create_collection("Household", [docs])
    page.index_button.click()
    wait_idle(page.index_runner)
    panel = page.search_panel
    panel.query.setText("When is the boiler service due?")
    panel.search_button.click()
    wait_idle(panel.runner)
    # The source viewer reads a cited document's text in the knowledge process too.
    from assistant_builder.core.citation import Citation

    viewer = SourceViewer(knowledge)
    hit = panel.cards()[0].hit
    viewer.open_citation(Citation.from_json(hit.to_json()))
    wait_idle(viewer.runner)
    result = {
        "viewer": viewer.passage_range == (hit.start, hit.end),
        "report": page.report_summary.text(),
        "hits": [card.hit.source for card in panel.cards()],
        "status": panel.status.text(),
        "child": knowledge.process_id is not None,
        "heavy": sorted(name for name in HEAVY if name in sys.modules),
    }
    page.shutdown()
    knowledge.shutdown()
    facade.close()
    print(json.dumps(result))
    del app


if __name__ == "__main__":
    main(*sys.argv[1:4])
