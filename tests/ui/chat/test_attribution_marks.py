"""The app's attribution in the transcript: its own [n] after supported sentences, a quiet mark
after sentences no passage supports, a model's wrong [n] struck through, and strict mode
folding the unsupported sentences away behind a button."""

from __future__ import annotations

from PySide6.QtGui import QPalette, QTextCharFormat
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from assistant_builder.core.citation import Citation, Grounding
from assistant_builder.core.conversations.marks import answer_marks, marked
from assistant_builder.core.conversations.store import Message
from assistant_builder.ui.chat.markdown_view import NOT_FOUND
from assistant_builder.ui.chat.transcript import TranscriptView
from assistant_builder.ui.theme import apply_theme, color

ANSWER = "Rent is due on the first day. The deposit is three months [2]. Pets are fine [1]."
RENT = (0, ANSWER.index(" The deposit"))
DEPOSIT = (RENT[1] + 1, ANSWER.index(" Pets"))
PETS = (DEPOSIT[1] + 1, len(ANSWER))


def _message(*, strict: bool) -> Message:
    citations = (
        Citation(1, "/docs/lease.md", None, 0, 40, "Rent is due on the first day.", 0.9,
                 (RENT, PETS)),
    )  # fmt: skip
    grounding = Grounding(
        "When is rent due?", unsupported=(DEPOSIT,), doubtful=((2, DEPOSIT),), strict=strict
    )
    return Message(1, 1, "assistant", ANSWER, True, 0.0, citations=citations, grounding=grounding)


def _shown(view: TranscriptView) -> str:
    return "\n".join(label.text() for label in view.views[-1]._piece_views)  # type: ignore[attr-defined]


def _drawn(view: TranscriptView) -> list[tuple[str, QTextCharFormat]]:
    """Each run of the answer's text as it is drawn, with its style."""
    runs = []
    for label in view.views[-1]._piece_views:  # type: ignore[attr-defined]
        block = label.document.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                runs.append((it.fragment().text(), it.fragment().charFormat()))
                it += 1
            block = block.next()
    return runs


def test_marks_go_after_their_sentences_and_a_models_own_number_is_not_repeated() -> None:
    message = _message(strict=False)
    marks = answer_marks(message.content, message.citations, message.grounding)
    text = marked(message.content, marks, lambda m: f"<{m.kind[0]}{m.n or ''}>")
    assert text == (
        "Rent is due on the first day.<s1> The deposit is three months <d2><u>. Pets are fine [1]."
    ) or text == (
        "Rent is due on the first day.<s1> The deposit is three months <d2>.<u> Pets are fine [1]."
    )


def test_the_transcript_shows_the_apps_marks(qtbot: QtBot) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    view.show_messages([_message(strict=False)])
    answer = view.views[-1]
    plain = answer._piece_views[0].document.toPlainText()  # type: ignore[union-attr]
    assert "Rent is due" in plain
    runs = _drawn(view)
    texts = [text for text, _style in runs]
    palette = QApplication.palette()
    # The app's own mark, right after the sentence it stands for, bold in the link colour.
    (source,) = [i for i, (text, _style) in enumerate(runs) if text == "[1]"]
    assert texts[source - 1].endswith("first day.\u202f") and "deposit" in texts[source + 1]
    style = runs[source][1]
    assert style.foreground().color() == palette.color(QPalette.ColorRole.Link)
    assert style.fontWeight() == 600
    # The deposit sentence: no passage says it; quietly, in the placeholder colour.
    (quiet,) = [style for text, style in runs if text == f" ({NOT_FOUND})"]
    assert quiet.foreground().color() == palette.color(QPalette.ColorRole.PlaceholderText)
    # The model's [2] is not backed by its passage: struck through in the doubtful colour.
    (doubtful,) = [style for text, style in runs if text == "[2]"]
    assert doubtful.fontStrikeOut() and doubtful.foreground().color() == color("doubtful")
    assert not any(style.fontStrikeOut() for text, style in runs if text != "[2]")
    assert answer.fold_button.isHidden()
    assert [c.text() for c in answer.chip_buttons] == ["[1] lease.md"]
    assert answer.text == ANSWER  # Copy gives the answer as written


def test_strict_mode_folds_unsupported_sentences_behind_a_button(qtbot: QtBot) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    view.show()
    view.show_messages([_message(strict=True)])
    answer = view.views[-1]
    assert not answer.fold_button.isHidden()
    assert answer.fold_button.text() == "1 sentence is not from your documents (show)"
    assert "deposit" not in _shown(view) and "Pets are fine" in _shown(view)
    answer.fold_button.click()
    assert "deposit" in _shown(view) and f"({NOT_FOUND})" in _shown(view)
    assert answer.fold_button.text() == "1 sentence is not from your documents (hide)"
    answer.fold_button.click()
    assert "deposit" not in _shown(view)


def test_an_answer_strict_mode_folds_away_whole_says_so_instead_of_looking_empty(
    qtbot: QtBot,
) -> None:
    """Seen with the starter model: a one-sentence answer no passage supports left only
    "1 sentence is not from your documents (show)" under an empty answer."""
    text = "Bananas are blue."
    grounding = Grounding("Colour?", unsupported=((0, len(text)),), strict=True)
    view = TranscriptView()
    qtbot.addWidget(view)
    view.show()
    view.show_messages([Message(1, 1, "assistant", text, True, 0.0, grounding=grounding)])
    answer = view.views[-1]
    assert answer.fold_button.text() == "Nothing in this answer was found in your documents (show)"
    assert "Bananas" not in _shown(view)
    answer.fold_button.click()
    assert "Bananas" in _shown(view)
    assert answer.fold_button.text() == "Nothing in this answer was found in your documents (hide)"


def test_the_marks_take_the_colours_of_a_new_theme(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    view = TranscriptView()
    qtbot.addWidget(view)
    view.show_messages([_message(strict=False)])
    try:
        for theme in ("dark", "light"):
            apply_theme(app, theme)
            link = app.palette().color(QPalette.ColorRole.Link)
            (source,) = [style for text, style in _drawn(view) if text == "[1]"]
            assert source.foreground().color() == link, theme
            (doubtful,) = [style for text, style in _drawn(view) if text == "[2]"]
            assert doubtful.foreground().color() == color("doubtful"), theme
    finally:
        apply_theme(app, "light")
