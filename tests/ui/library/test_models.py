"""The Library's item models and the test search's highlighting, without threads."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt

from assistant_builder.core.knowledge.collection import CollectionConfig, CollectionStatus
from assistant_builder.core.knowledge.report import IndexReport
from assistant_builder.ui.library.models import (
    CollectionListModel,
    ReportFilterModel,
    ReportModel,
)
from assistant_builder.ui.library.search_panel import highlighted, question_words
from assistant_builder.ui.library.summary import embedder_in_words

REPORT = IndexReport(
    indexed=("/docs/a.md", "/docs/b.txt"),
    unchanged=("/docs/c.txt",),
    removed=("/docs/old.md",),
    failed=(("/docs/photo.txt", "it looks like a binary file, not text"),),
    chunks=7,
    seconds=1.5,
)


def summary(name: str, *, watch: bool = False, **kw: object) -> CollectionStatus:
    config = CollectionConfig(
        name=name, folders=("/home/ada/Papers", "/home/ada/Letters"), watch=watch
    )
    values: dict[str, object] = dict(
        config=config, store="/data/lancedb", files=12, failed=1, chunks=140,
        indexed_with="all-MiniLM-L6-v2", last_indexed=datetime(2026, 3, 4, 9, 30),
        interrupted=False,
    )  # fmt: skip
    values.update(kw)
    return CollectionStatus(**values)  # type: ignore[arg-type]


def test_collection_model_rows_and_modeltester(qtmodeltester) -> None:
    model = CollectionListModel()
    qtmodeltester.check(model)
    model.set_summaries([summary("Papers"), summary("Recipes", last_indexed=None, watch=True)])
    qtmodeltester.check(model)
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row == ["Papers", "Papers, Letters", "12 (1 unreadable)", "140", "04 Mar 2026, 09:30"]
    assert model.index(0, 1).data(3) == "/home/ada/Papers\n/home/ada/Letters"  # ToolTipRole
    assert model.index(1, 0).data() == "Recipes  ·  watching"
    assert model.index(1, 4).data() == "Not indexed yet"
    assert "passages" in model.headerData(3, Qt.Orientation.Horizontal, 3)


def test_report_model_and_filters(qtmodeltester) -> None:
    model = ReportModel()
    proxy = ReportFilterModel()
    proxy.setSourceModel(model)
    model.set_report(REPORT)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    statuses = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert statuses == ["Failed", "Indexed", "Indexed", "Removed", "Unchanged"]
    assert model.index(0, 3).data() == "it looks like a binary file, not text"
    assert model.index(0, 2).data() == "/docs"  # the folder tells two same-named files apart
    assert model.index(0, 1).data(3) == "/docs/photo.txt"  # full path on hover

    proxy.set_status("Indexed")
    assert [proxy.index(r, 1).data() for r in range(proxy.rowCount())] == ["a.md", "b.txt"]
    proxy.set_status("")
    proxy.setFilterFixedString("binary")  # the reason is searched too
    assert [proxy.index(r, 1).data() for r in range(proxy.rowCount())] == ["photo.txt"]
    proxy.setFilterFixedString("")
    assert proxy.rowCount() == 5
    qtmodeltester.check(proxy)
    model.set_report(None)
    assert proxy.rowCount() == 0


def test_question_words_are_highlighted_in_the_passage() -> None:
    assert question_words("What is the most ACTIVE volcano?") == ["volcano", "active", "most"]
    html = highlighted("Mount Etna is the most active of the volcanoes <here>.", "active volcano")
    assert "<span" in html and ">active</span>" in html
    assert ">volcanoes</span>" in html  # a plural still matches
    assert "Etna" in html and ">Etna<" not in html
    assert "&lt;here&gt;" in html  # the passage's own text is never taken as markup
    assert highlighted("a & b", "the") == "a &amp; b"


def test_embedder_in_plain_words() -> None:
    assert embedder_in_words("all-MiniLM-L6-v2").startswith("all-MiniLM-L6-v2 (small and fast")
    assert embedder_in_words("BAAI/bge-small-en-v1.5") == "bge-small-en-v1.5"
