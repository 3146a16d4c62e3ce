"""The About section's icon: the "first letter of the name" choice is kept as no symbol (its
label was once cut to "(fir" by the typing limit and saved as the icon), a symbol from the
list is kept as it is, and a typed one is kept to its first four characters."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from assistant_builder.ui.editor.about_section import AboutSection


def test_the_first_letter_choice_is_no_symbol_and_typed_ones_are_short(qtbot: QtBot) -> None:
    section = AboutSection()
    qtbot.addWidget(section)
    assert section.icon.currentText() == "(first letter of the name)"
    assert section.icon_text() == ""
    section.icon.setCurrentIndex(1)
    assert section.icon_text() == section.icon.itemData(1) != ""
    section.icon.setEditText("★★★★★★")
    assert section.icon_text() == "★★★★"
