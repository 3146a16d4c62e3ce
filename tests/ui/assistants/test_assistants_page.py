"""The Assistants page, driven through its own widgets against the real stores."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from assistant_builder.core.app import App
from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.models.registry import InstalledModel
from assistant_builder.core.paths import Paths
from assistant_builder.core.services import Services
from assistant_builder.core.settings import Settings
from assistant_builder.ui.main_window import MainWindow
from assistant_builder.ui.pages.assistants_page import AssistantsPage

MakePage = Callable[[], AssistantsPage]


def test_with_no_assistant_the_page_says_how_to_start(make_page: MakePage) -> None:
    page = make_page()
    assert page.empty.isVisible()
    assert "New assistant" in page.empty.text()
    assert page.cards == {}
    actions = [a.text() for a in page.new_menu.actions()]
    assert actions == ["Ask my documents", "Writing helper", "Blank"]


def test_a_card_shows_icon_name_description_model_and_collections(
    make_page: MakePage, household: Assistant, store: AssistantStore
) -> None:
    page = make_page()
    card = page.cards[household.id]
    assert not page.empty.isVisible()
    assert card.badge.text() == "☰"
    assert card.name.text() == "Household papers"
    assert card.description.text() == "Answers from my bills and contracts."
    assert card.model.text() == "Model: SmolLM2 135M Instruct"
    assert card.collections.text() == "Documents: Household papers"
    # A model that went away is said plainly instead of showing an id alone.
    raw = json.loads(store.path_of(household.id).read_text())
    raw["model"]["id"] = "gone"
    store.path_of(household.id).write_text(json.dumps(raw))
    page.refresh()
    assert page.cards[household.id].model.text() == "Model: gone (not installed)"


def test_new_from_ask_my_documents_opens_a_preset_draft_saved_on_save(
    make_page: MakePage, model: InstalledModel, store: AssistantStore, collections: list[str]
) -> None:
    page = make_page()
    page.new_menu.actions()[0].trigger()
    editor = page.editor
    assert page.editing
    assert editor.title.text() == "Document helper  •"
    assert editor.save_button.isEnabled()
    assert "[1]" in editor.instructions.prompt.toPlainText()
    assert editor.knowledge.only_documents.isChecked()
    assert editor.knowledge.top_k.value() == 6  # the starting point's retrieval settings
    assert editor.behaviour.current_preset() == "Precise"
    assert editor.model_section.current_model_id() == model.id
    assert store.list() == []  # nothing is written before Save
    editor.about.name.setText("Tax papers")
    editor.knowledge.set_checked("Household papers", True)
    editor.save_button.click()
    [saved] = store.list()
    assert saved.name == "Tax papers"
    assert [(c.name, c.top_k, c.min_score) for c in saved.collections] == [
        ("Household papers", 6, 0.2)
    ]
    assert saved.model.sha256 == model.sha256
    assert editor.title.text() == "Tax papers" and not editor.save_button.isEnabled()
    editor.back_button.click()
    assert not page.editing
    assert page.cards[saved.id].name.text() == "Tax papers"


def test_duplicate_adds_a_copy_and_edit_opens_the_editor(
    make_page: MakePage, household: Assistant, store: AssistantStore
) -> None:
    page = make_page()
    page.cards[household.id].duplicate_action.trigger()
    names = sorted(c.name.text() for c in page.cards.values())
    assert names == ["Household papers", "Household papers (2)"]
    assert "Made a copy called “Household papers (2)”" in page.banner.message.text()
    copy = store.get("Household papers (2)")
    assert copy.system_prompt == household.system_prompt
    page.cards[copy.id].edit_button.click()
    assert page.editing and page.editor.about.name.text() == "Household papers (2)"


def test_delete_then_undo_restores_the_exact_file(
    make_page: MakePage, household: Assistant, store: AssistantStore
) -> None:
    path = store.path_of(household.id)
    before = path.read_bytes()
    page = make_page()
    page.cards[household.id].delete_action.trigger()
    assert not path.exists()
    assert household.id not in page.cards
    assert page.banner.message.text().startswith("Deleted “Household papers”.")
    assert page.banner.action_button.text() == "Undo"
    page.banner.action_button.click()
    assert path.read_bytes() == before
    assert page.cards[household.id].name.text() == "Household papers"
    assert "is back" in page.banner.message.text()


def test_two_deletes_can_both_be_undone_newest_first(
    make_page: MakePage, household: Assistant, store: AssistantStore
) -> None:
    copy = store.duplicate(household.id)
    files = {a.id: store.path_of(a.id).read_bytes() for a in (household, copy)}
    page = make_page()
    page.cards[household.id].delete_action.trigger()
    page.cards[copy.id].delete_action.trigger()
    assert page.cards == {}
    page.banner.action_button.click()
    assert list(page.cards) == [copy.id]
    assert page.banner.message.text().startswith(
        "“Household papers (2)” is back. Deleted “Household papers”."
    )
    page.banner.action_button.click()
    assert {a.id: store.path_of(a.id).read_bytes() for a in store.list()} == files


def test_chat_button_asks_the_window_for_the_chat_page(qtbot: QtBot, household: Assistant) -> None:
    window = MainWindow(App(Services.create(), Settings()))
    qtbot.addWidget(window)
    window.show()
    page = window.assistants_page
    assert window.current_page_name() == "Assistants"
    with qtbot.waitSignal(page.chat_requested) as signal:
        page.cards[household.id].chat_button.click()
    assert signal.args == [household.id]
    assert window.current_page_name() == "Chat"
    assert window.chat_assistant_id == household.id


def test_export_then_import_through_the_file_dialogs(
    make_page: MakePage,
    household: Assistant,
    store: AssistantStore,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "shared" / "household"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    page = make_page()
    with qtbot.waitSignal(page.runner.finished, timeout=10_000):
        page.cards[household.id].export_action.trigger()
    bundle = target.with_suffix(".assistant")
    assert zipfile.is_zipfile(bundle)
    assert page.banner.message.text().startswith(f"Saved to {bundle}")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bundle), ""))
    with qtbot.waitSignal(page.runner.finished, timeout=10_000):
        page.import_button.click()
    imported = store.get("Household papers (2)")
    assert imported.system_prompt == household.system_prompt
    assert imported.id in page.cards
    assert page.banner.message.text() == (
        "Imported “Household papers (2)” (you already had one called “Household papers”)."
    )


def test_a_hostile_bundle_shows_the_core_sentence_and_adds_nothing(
    make_page: MakePage,
    household: Assistant,
    store: AssistantStore,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    evil = tmp_path / "evil.assistant"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("manifest.json", "{}")
        z.writestr("../../escape.txt", "gotcha")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(evil), ""))
    page = make_page()
    with qtbot.waitSignal(page.runner.failed, timeout=10_000) as failed:
        page.import_button.click()
    assert page.banner.isVisible()
    assert page.banner.message.text() == failed.args[0]
    assert failed.args[0].startswith("evil.assistant ")
    assert [a.id for a in store.list()] == [household.id]
    assert list(page.cards) == [household.id]


def test_an_unreadable_assistant_file_is_reported_not_lost(
    make_page: MakePage, household: Assistant, paths: Paths
) -> None:
    broken = paths.assistants_dir / "broken.json"
    broken.write_text("{not json")
    page = make_page()
    assert "1 assistant file(s) could not be read" in page.banner.message.text()
    assert broken.read_text() == "{not json"
    assert list(page.cards) == [household.id]


def test_cards_reflow_into_columns_that_fit(
    make_page: MakePage, household: Assistant, store: AssistantStore, qtbot: QtBot
) -> None:
    for _ in range(3):
        store.duplicate(household.id)
    page = make_page()
    page.refresh()
    page.resize(1100, 700)
    qtbot.wait(10)
    tops = {card.geometry().top() for card in page.cards.values()}
    lefts = {card.geometry().left() for card in page.cards.values()}
    page.resize(500, 700)
    qtbot.waitUntil(lambda: len({c.geometry().left() for c in page.cards.values()}) == 1)
    assert len(lefts) == 3 and len(tops) == 2


def test_importing_a_bundle_with_documents_shows_progress_and_places_them(
    make_page: MakePage,
    household: Assistant,
    store: AssistantStore,
    paths: Paths,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from assistant_builder.core.assistants.bundle import export_bundle
    from assistant_builder.core.models.registry import ModelRegistry

    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "lease.txt").write_text("The rent is due on the first.")
    (folder / "insurance.md").write_text("# Home insurance\nCovers water damage.")
    bundle = tmp_path / "household.assistant"
    export_bundle(
        household, bundle, registry=ModelRegistry(paths.models_registry),
        documents={"Household papers": [folder]},
    )  # fmt: skip
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bundle), ""))
    page = make_page()
    seen: list[object] = []
    page.relay.progressed.connect(seen.append)
    with qtbot.waitSignal(page.runner.finished, timeout=10_000):
        page.import_button.click()
    qtbot.waitUntil(lambda: page.progress.isHidden())  # gone once the import is done
    assert [(e.done, e.total) for e in seen] == [(1, 2), (2, 2)]  # type: ignore[attr-defined]
    imported = store.get("Household papers (2)")
    placed = sorted(p.name for p in (paths.imported_documents_dir / imported.id).rglob("*.*"))
    assert placed == ["insurance.md", "lease.txt"]
    assert page.import_button.isEnabled()
