"""The New collection dialog's More options: a collection whose index is kept in a team's
shared store (moto's S3 server on loopback), its keys read from the environment only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.search import search_collection
from assistant_builder.core.paths import HOME_ENV, Paths
from tests.s3_server import BUCKET
from tests.ui.library.conftest import index_and_wait, table_text

pytestmark = pytest.mark.integration


@pytest.fixture
def knowledge(s3_endpoint: str) -> Iterator[object]:
    """A knowledge process of its own, started once the store's keys are in the environment
    (as the app's is started by a user who set them)."""
    from assistant_builder.core.knowledge.process import KnowledgeProcess

    process = KnowledgeProcess()
    yield process
    process.shutdown()


def test_a_collection_made_with_a_shared_store_is_indexed_into_it(
    qtbot: QtBot, make_page, knowledge, s3_endpoint: str, docs: Path, tmp_path: Path,
    app_home: Paths, minilm_dir: Path,
) -> None:  # fmt: skip
    page = make_page(knowledge=knowledge)
    dialog = page.new_collection()
    assert not dialog.options.isVisibleTo(dialog)
    dialog.more.click()
    assert dialog.options.isVisibleTo(dialog)
    assert "AWS_ACCESS_KEY_ID" in dialog.store.toolTip() and "never saves" in dialog.store.toolTip()
    dialog.name.setText("Household")
    dialog.folders.addItem(str(docs))
    dialog.store.setText(f"s3://{BUCKET}/household")
    dialog.endpoint.setText(s3_endpoint)
    dialog.grab().save(str(tmp_path / "new-collection-shared-store.png"))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert table_text(page)[0] == "Household"

    index_and_wait(qtbot, page)
    assert page.report_summary.text().startswith("3 indexed")
    assert not (Collections(app_home).folder("Household") / "lancedb").exists()
    for file in app_home.data_dir.parent.rglob("*.json"):  # nothing secret is written down
        assert "team-secret" not in file.read_text(encoding="utf-8", errors="replace")

    # Someone else's data folder, given the same store, finds the same passages.
    other = Collections(Paths.from_env({HOME_ENV: str(tmp_path / "colleague")}).ensure())
    other.create("Household", [docs], embedder=str(minilm_dir),
                 store_uri=f"s3://{BUCKET}/household", store_endpoint=s3_endpoint)  # fmt: skip
    assert other.status(other.get("Household")).files == 3
    hits = search_collection(other, "Household", "when is the boiler serviced")
    assert hits and Path(hits[0].source).name == "boiler.txt"
