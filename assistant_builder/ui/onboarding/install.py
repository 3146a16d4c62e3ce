"""Puts the first-run guide in front of the main window's pages while there is no assistant,
and afterwards opens the chat with the new assistant and its questions to try."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant_builder.ui.onboarding.guide import FirstRunGuide

if TYPE_CHECKING:
    from assistant_builder.ui.main_window import MainWindow


def offer_first_run(window: MainWindow) -> FirstRunGuide | None:
    """The guide, shown instead of the pages, or None when it is not wanted any more."""
    first_run = window.app.first_run
    if not first_run.should_offer():
        return None
    stack = window.front
    guide = FirstRunGuide(first_run, window.models_page.queue)
    stack.addWidget(guide)
    stack.setCurrentWidget(guide)

    def leave() -> None:
        stack.setCurrentIndex(0)  # the sidebar and its pages
        window.assistants_page.refresh()
        window.library_page.refresh()

    def finished(assistant_id: str) -> None:
        leave()
        chat = window.chat_page
        bar = chat.suggestions  # says it is reading until the guide's documents are read
        bar.documents_reading()
        if guide.documents_done:
            bar.documents_read(guide.collection)
        guide.documents_read.connect(bar.documents_read)
        guide.documents_failed.connect(bar.show_problem)
        window.suggestions = bar
        chat.refresh()
        window.assistants_page.chat_requested.emit(assistant_id)  # the window opens the chat

    guide.skipped.connect(leave)
    guide.finished.connect(finished)
    # A chat opened from anywhere else (an assistant made meanwhile) is not hidden behind
    # the guide: the guide steps aside as it does when skipped.
    window.assistants_page.chat_requested.connect(
        lambda _id: leave() if stack.currentWidget() is guide else None
    )
    return guide
