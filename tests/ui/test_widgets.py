from __future__ import annotations

from pytestqt.qtbot import QtBot

from assistant_builder.ui.widgets.banner import Banner
from assistant_builder.ui.widgets.progress_panel import ProgressPanel, format_duration


def test_banner_shows_sentence_details_and_runs_its_action(qtbot: QtBot) -> None:
    banner = Banner()
    qtbot.addWidget(banner)
    assert banner.isHidden()
    fixed: list[bool] = []
    banner.show_message(
        "The model stopped unexpectedly; start it again.",
        details="exit status -9",
        action="Restart model",
        on_action=lambda: fixed.append(True),
    )
    assert banner.isVisible()
    assert banner.message.text() == "The model stopped unexpectedly; start it again."
    assert banner.details.isHidden()
    banner.details_button.click()
    assert banner.details.isVisible() and banner.details.toPlainText() == "exit status -9"
    banner.action_button.click()
    assert fixed == [True]
    # A new message replaces the old action instead of adding to it.
    banner.show_message("Another problem.", action="Other fix", on_action=lambda: None)
    banner.action_button.click()
    assert fixed == [True]
    assert banner.details_button.isHidden()
    with qtbot.waitSignal(banner.dismissed):
        banner.close_button.click()
    assert banner.isHidden()


def test_progress_panel_reports_and_cancels(qtbot: QtBot) -> None:
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.start("Indexing “Papers”…")
    assert panel.isVisible() and panel.bar.maximum() == 0
    panel.update_progress(25, 100, "25 of 100 files, 310 passages", eta_s=95)
    assert panel.bar.value() == 250
    assert panel.label.text() == "25 of 100 files, 310 passages — about 1 min 35 s left"
    with qtbot.waitSignal(panel.cancel_requested):
        panel.cancel_button.click()
    assert not panel.cancel_button.isEnabled() and panel.cancel_button.text() == "Cancelling…"


def test_durations_read_naturally() -> None:
    assert [format_duration(s) for s in (None, 4.4, 59.6, 61, 3725)] == [
        "", "4 s", "1 min 00 s", "1 min 01 s", "1 h 02 min",
    ]  # fmt: skip


def test_the_app_icon_ships_in_the_package_and_renders(qtbot: QtBot) -> None:
    from assistant_builder.ui.resources import app_icon

    image = app_icon().pixmap(64, 64).toImage()
    assert not image.isNull() and image.width() == 64
    assert image.pixelColor(32, 8).blue() > 150  # the blue tile, not an empty pixmap
