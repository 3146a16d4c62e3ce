"""The app's knowledge process: nothing starts at launch; showing the Library page or opening
an assistant with collections warms it (child started, embedder loaded) in the background,
without ever holding the window's event loop."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.core.assistants.model import Assistant, CollectionRef, ModelRef
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.process import KnowledgeProcess
from assistant_builder.ui.diagnostics import StallMonitor

pytestmark = pytest.mark.integration


class RecordingKnowledge(KnowledgeProcess):
    """The real knowledge process, noting which collections it was asked to warm."""

    def __init__(self) -> None:
        super().__init__()
        self.warmed: list[list[str]] = []

    def warm(self, collections: Collections, names: Sequence[str]) -> None:
        self.warmed.append(list(names))
        super().warm(collections, names)


def _resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_the_child_starts_on_first_use_and_warms_in_the_background(
    qtbot: QtBot, collections: Collections, docs: Path, minilm_dir: Path
) -> None:
    from assistant_builder.core.app import App
    from assistant_builder.core.services import Services
    from assistant_builder.core.settings import Settings
    from assistant_builder.ui.main_window import MainWindow

    collections.create("Household", [docs], embedder=str(minilm_dir))
    helper = AssistantStore(collections.paths.assistants_dir).create(
        Assistant(id="", name="Helper", model=ModelRef(id="m"),
                  collections=(CollectionRef("Household"),))
    )  # fmt: skip
    knowledge = RecordingKnowledge()
    try:
        window = MainWindow(App(Services.create(), Settings(), knowledge=knowledge))
        qtbot.addWidget(window)
        window.show()
        qtbot.wait(300)
        assert knowledge.process_id is None and knowledge.warmed == []  # launch starts nothing

        monitor = StallMonitor()
        monitor.start()
        window.assistants_page.chat_requested.emit(helper.id)
        assert knowledge.warmed == [["Household"]]
        window.show_page("Library")
        assert knowledge.warmed[-1] == ["Household"]
        qtbot.waitUntil(lambda: knowledge.process_id is not None, timeout=10_000)
        pid = knowledge.process_id
        assert pid is not None
        # torch and MiniLM load in the child, ahead of the first search.
        qtbot.waitUntil(lambda: _resident_mb(pid) > 150, timeout=60_000)
        stall = monitor.stop()
        assert stall < 300, f"the GUI froze for {stall:.0f} ms while the reader warmed up"

    finally:
        knowledge.shutdown()
