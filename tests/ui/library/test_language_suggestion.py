"""A collection whose documents are mostly not in English: after indexing, the Library suggests
the multilingual embedder once, saying the collection will be embedded again."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.embedder_catalog import MULTILINGUAL
from assistant_builder.ui.library.embedder_hint import ACTION
from tests.ui.library.conftest import index_and_wait

FRENCH = (
    "Le locataire paie le loyer le premier jour de chaque mois sur le compte du propriétaire. "
    "Si le chauffage tombe en panne, prévenez le propriétaire par écrit et gardez une copie. "
    "Les animaux sont autorisés dans l'appartement à condition de ne pas gêner les voisins.\n"
)


def test_french_documents_get_the_multilingual_suggestion_once(
    qtbot: QtBot, page, collections: Collections, tmp_path: Path
) -> None:
    folder = tmp_path / "Bail"
    folder.mkdir()
    for n in range(3):
        (folder / f"bail-{n}.txt").write_text(FRENCH * 3, encoding="utf-8")
    assert page.create_collection("Bail", [str(folder)])
    page.select("Bail")
    index_and_wait(qtbot, page)
    banner = page.banner
    assert banner.isVisible() and "not in English" in banner.message.text()
    assert "embeds the collection again" in banner.message.text()
    assert banner.action_button.text() == ACTION
    banner.dismiss()
    index_and_wait(qtbot, page)  # indexed again: the suggestion is not repeated
    assert not banner.isVisible() or "not in English" not in banner.message.text()
    assert collections.get("Bail").embedder != MULTILINGUAL


def test_accepting_the_suggestion_switches_the_embedder_and_embeds_again(
    qtbot: QtBot, page, collections: Collections, tmp_path: Path
) -> None:
    folder = tmp_path / "Bail"
    folder.mkdir()
    (folder / "bail.txt").write_text(FRENCH * 3, encoding="utf-8")
    assert page.create_collection("Bail", [str(folder)])
    page.select("Bail")
    index_and_wait(qtbot, page)
    with qtbot.waitSignal(page.index_runner.busy_changed, timeout=60_000,
                          check_params_cb=lambda busy: busy):  # fmt: skip
        page.banner.action_button.click()
    assert collections.get("Bail").embedder == MULTILINGUAL
    qtbot.waitUntil(lambda: not page.index_runner.busy, timeout=120_000)
