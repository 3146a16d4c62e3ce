"""Costs a person could feel on the Assistants page and in the editor, offscreen: listing many
assistants as cards, opening the editor, one keystroke (which re-checks for unsaved changes)
and one chat-template check. Prints the figures; run with QT_QPA_PLATFORM=offscreen."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    home = Path(tempfile.mkdtemp())
    os.environ["ASSISTANT_BUILDER_HOME"] = str(home)
    from PySide6.QtWidgets import QApplication

    from assistant_builder.core.app import App
    from assistant_builder.core.assistants.model import Assistant, Example, ModelRef
    from assistant_builder.core.assistants.template_check import template_problem
    from assistant_builder.core.paths import Paths
    from assistant_builder.core.services import Services
    from assistant_builder.core.settings import Settings
    from assistant_builder.ui.pages.assistants_page import AssistantsPage

    app = QApplication([])
    facade = App(Services.create(Paths.from_env().ensure()), Settings())
    store = facade.assistants  # the page's own store
    page = AssistantsPage(facade)
    page.resize(1100, 700)
    page.show()
    made = 0
    for count in (10, 100, 300):
        while made < count:
            store.create(
                Assistant(id="", name=f"Assistant {made:03d}", model=ModelRef("m"),
                          description="Answers from my papers. " * 3,
                          examples=(Example("q", "a"),) * 3)
            )  # fmt: skip
            made += 1
        start = time.perf_counter()
        store.scan()
        scanned = time.perf_counter() - start
        start = time.perf_counter()
        page.refresh()
        app.processEvents()
        print(
            f"list {count:>3} assistants, cards built for the new ones: "
            f"{ms(time.perf_counter() - start)} "
            f"(of which reading the files {ms(scanned)})"
        )

    store.duplicate(store.list()[0].id)
    start = time.perf_counter()
    page.refresh()
    app.processEvents()
    print(f"list again after one duplicate among 300: {ms(time.perf_counter() - start)}")

    first = store.list()[0]
    start = time.perf_counter()
    page.open_editor(first.id)
    app.processEvents()
    print(f"open the editor: {ms(time.perf_counter() - start)}")

    prompt = page.editor.instructions.prompt
    prompt.setPlainText("You are {assistant_name}. " * 40)
    costs = []
    for _ in range(200):
        start = time.perf_counter()
        prompt.insertPlainText("x")
        costs.append(time.perf_counter() - start)
    costs.sort()
    print(
        f"one keystroke in the instructions (highlight + unsaved check): median "
        f"{ms(statistics.median(costs))}, p95 {ms(costs[int(len(costs) * 0.95)])}"
    )
    template = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}\n{% endfor %}" * 20
    template_problem(template)  # the first call imports jinja2
    start = time.perf_counter()
    for _ in range(50):
        template_problem(template)
    print(f"check a 20-loop chat template: {ms((time.perf_counter() - start) / 50)}")
    # Tear down before the interpreter does, which PySide6 does not always survive.
    page.close()
    page.deleteLater()
    app.processEvents()
    del page


if __name__ == "__main__":
    main()
