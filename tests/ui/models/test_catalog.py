"""The catalog as a person sees it: rows, “will it run?” pills with their reasons, sizes per
quantization, and words explained where they are jargon."""

from __future__ import annotations

from PySide6.QtCore import Qt

from assistant_builder.core.models.fit import GIB, Machine
from assistant_builder.ui.models.item_models import VERDICT_ROLE, CatalogModel
from tests.ui.models.conftest import MakePage

TIP = Qt.ItemDataRole.ToolTipRole
SMALL = Machine(total_ram=2 * GIB, available_ram=1 * GIB, cpu_cores=2)


def _row(model: CatalogModel, entry_id: str) -> int:
    return next(i for i, e in enumerate(model.rows()) if e.id == entry_id)


def test_catalog_rows_show_name_description_size_and_a_pill_with_its_reason(
    make_page: MakePage, qtmodeltester: object
) -> None:
    page = make_page(machine=SMALL)
    model = page.catalog_model
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.rowCount() >= 10
    tiny, big = _row(model, "smollm2-135m-instruct"), _row(model, "qwen2.5-7b-instruct")
    assert model.index(tiny, 0).data() == "SmolLM2 135M Instruct"
    assert "tiny model" in model.index(tiny, 0).data(TIP)
    assert model.index(tiny, 1).data() == "98.4 MB"  # known exactly
    assert model.index(big, 1).data().startswith("about ")  # estimated until the hub says
    assert model.index(tiny, 2).data() == "135 million"
    assert model.index(tiny, 3).data() == "Apache 2.0"  # the licence by name, not its id
    verdict = CatalogModel.VERDICT_COLUMN
    assert model.index(tiny, verdict).data() == "Fits"
    assert model.index(big, verdict).data() == "Won't fit"
    reason = model.index(big, verdict).data(TIP)
    assert reason.startswith("Needs about") and "this computer has 2.1 GB" in reason
    assert model.index(big, verdict).data(VERDICT_ROLE).verdict == "Won't fit"
    header_tip = model.headerData(verdict, Qt.Orientation.Horizontal, TIP)
    assert "Fits" in header_tip and "Won't fit" in header_tip
    # The pill is painted: the cell is wide enough for its word.
    view = page.catalog.table
    assert view.sizeHintForColumn(verdict) >= view.fontMetrics().horizontalAdvance("Won't fit")


def test_on_a_bigger_computer_the_same_model_is_slow_rather_than_impossible(
    make_page: MakePage,
) -> None:
    page = make_page(machine=Machine(total_ram=64 * GIB, available_ram=60 * GIB, cpu_cores=2))
    model = page.catalog_model
    big = _row(model, "qwen2.5-7b-instruct")
    assert model.index(big, CatalogModel.VERDICT_COLUMN).data() == "Slow"
    assert "answers slowly" in model.index(big, CatalogModel.VERDICT_COLUMN).data(TIP)


def test_choosing_a_quantization_changes_the_size_and_explains_itself(
    make_page: MakePage,
) -> None:
    page = make_page()
    panel, model = page.catalog, page.catalog_model
    panel.select("smollm2-360m-instruct")
    row = _row(model, "smollm2-360m-instruct")
    offered = [panel.quantization.itemText(i) for i in range(panel.quantization.count())]
    assert offered[0].startswith("Q4_K_M — about ") and offered[-1].startswith("Q8_0 — about ")
    assert "smaller = faster" in panel.quantization.toolTip().lower()
    assert "slightly less accurate" in panel.quantization.toolTip()
    small_size = model.index(row, 1).data()
    panel.choose_quantization("Q8_0")
    assert model.index(row, 1).data() != small_size
    assert model.chosen_file(model.row_at(row)).quantization == "Q8_0"
    assert panel.reason.text().startswith("Fits: Needs about")
    assert panel.chosen_name.text() == "SmolLM2 360M Instruct"
    assert panel.download_button.isEnabled()


def test_the_machine_is_examined_off_the_gui_thread(make_page: MakePage, qtbot: object) -> None:
    page = make_page(machine=None)
    model = page.catalog_model
    qtbot.waitUntil(lambda: model.machine is not None, timeout=10_000)  # type: ignore[attr-defined]
    assert model.index(0, CatalogModel.VERDICT_COLUMN).data() in ("Fits", "Slow", "Won't fit")


def test_every_control_has_an_accessible_name(make_page: MakePage) -> None:
    from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QComboBox, QLineEdit

    page = make_page()
    controls = [
        w for kind in (QAbstractButton, QComboBox, QLineEdit, QAbstractItemView)
        for w in page.findChildren(kind)
        if w.parent() is not None and type(w).__name__ != "QTabBar"
        and w.objectName() not in ("qt_scrollarea_viewport",)
        and not type(w).__name__.startswith("QHeader")
    ]  # fmt: skip
    assert len(controls) > 10
    unnamed = [
        f"{type(w).__name__} {getattr(w, 'text', lambda: '')()}"
        for w in controls
        if not w.accessibleName() and w.isVisibleTo(page)
    ]
    assert unnamed == []


def test_a_model_that_reads_images_says_so_and_can_bring_its_image_reader(
    make_page: MakePage, qtbot: object
) -> None:
    page = make_page()
    panel = page.catalog
    asked: list[tuple[str, str]] = []
    panel.download_requested.connect(lambda ref, label: asked.append((ref, label)))
    panel.select("qwen3-4b-instruct-2507")
    assert not panel.images_note.isVisibleTo(page) and not panel.images.isVisibleTo(page)
    panel.select("qwen3.5-4b")
    assert panel.images_note.isVisibleTo(page) and "later version" in panel.images_note.text()
    panel.download_chosen()
    panel.images.click()
    panel.download_chosen()
    assert asked == [
        ("qwen3.5-4b:Q4_K_M", "Qwen3.5 4B Q4_K_M"),
        ("qwen3.5-4b:Q4_K_M+images", "Qwen3.5 4B Q4_K_M with its image reader"),
    ]
