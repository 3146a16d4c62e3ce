"""What the table shortens can be read in full: the chosen model's whole description and its
licence by name, linked to the licence text; installed file names keep their beginning."""

from __future__ import annotations

from PySide6.QtCore import Qt

from assistant_builder.core.models.catalog import LICENCES
from assistant_builder.core.records import CatalogEntry
from tests.ui.models.conftest import MakePage


def test_the_chosen_model_shows_its_whole_description_and_a_licence_link(
    make_page: MakePage,
) -> None:
    page = make_page()
    panel = page.catalog
    entries: list[CatalogEntry] = page.catalog_model.rows()
    longest = max(entries, key=lambda e: len(e.description))
    panel.select(longest.id)
    assert panel.about.isVisible()
    text = panel.about.text()
    assert longest.description.replace("'", "&#x27;") in text
    assert f'href="{longest.licence_url}"' in text and longest.licence_name in text
    assert panel.about.openExternalLinks()
    qwen = next(e for e in entries if e.license == "qwen-research")
    panel.select(qwen.id)
    assert "Qwen Research License" in panel.about.text()
    assert f"https://huggingface.co/{qwen.repo}" in panel.about.text()  # its own terms


def test_every_licence_in_the_catalog_has_a_name_and_a_link(make_page: MakePage) -> None:
    page = make_page()
    for entry in page.catalog_model.rows():
        assert entry.license in LICENCES, entry.license
        assert entry.licence_name != entry.license
        assert entry.licence_url.startswith("https://")
        row = page.catalog_model.rows().index(entry)
        tip = page.catalog_model.index(row, 3).data(Qt.ItemDataRole.ToolTipRole)
        assert entry.licence_url in tip


def test_installed_file_names_are_shortened_at_their_end(make_page: MakePage) -> None:
    page = make_page()
    assert page.installed.table.textElideMode() == Qt.TextElideMode.ElideRight
