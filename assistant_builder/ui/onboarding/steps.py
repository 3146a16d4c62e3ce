"""The three pages of the first-run guide — the model, the documents, the name — as plain
widgets that say what was chosen through signals; the guide (guide.py) does the work."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.records import STARTER_WARNING, Recommendation
from assistant_builder.ui.models.words import human_size

STYLE = """
QFrame#guideCard {
    background: palette(base); border: 1px solid palette(mid); border-radius: 10px;
}
QFrame#guideCard[recommended="true"] { border: 2px solid palette(highlight); }
QLabel#guideBadge { color: palette(link); font-weight: 600; }
QLabel#guideCardName { font-size: 16px; font-weight: 600; }
QLabel#guideWarning { font-weight: 600; }
QLabel#guideTitle { font-size: 24px; font-weight: 600; }
QLabel#stepTitle { font-size: 19px; font-weight: 600; }
QLabel#guideHint { color: palette(placeholder-text); }
"""


def _label(text: str = "", name: str = "", *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    if name:
        label.setObjectName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label


def _primary(text: str, accessible: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(accessible)
    button.setAutoDefault(True)  # Enter presses it when it has the keyboard focus
    button.setMinimumHeight(34)
    return button


class Step(QWidget):
    """A page of the guide: its title, a sentence, then its own content."""

    def __init__(self, title: str, intro: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(12)
        heading = _label(title, "stepTitle")
        heading.setAccessibleName("Step title")
        self.layout_.addWidget(heading)
        self.layout_.addWidget(_label(intro))

    def first_focus(self) -> QWidget | None:
        """The control the keyboard starts on when the step is shown."""
        return None


class ModelCard(QFrame):
    chosen = Signal()

    def __init__(self, badge: str, button: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guideCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(6)
        self.badge = _label(badge, "guideBadge")
        self.name = _label("", "guideCardName")
        self.description = _label()
        self.warning = _label("", "guideWarning")
        self.facts = _label("", "guideHint")
        self.button = _primary(button, button)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        for widget in (self.badge, self.name, self.description, self.warning, self.facts):
            layout.addWidget(widget)
        layout.addLayout(row)
        self.warning.hide()
        self.button.clicked.connect(self.chosen)

    def show_choice(self, choice: Recommendation, facts: str) -> None:
        self.name.setText(choice.entry.name)
        self.description.setText(choice.entry.description)
        self.facts.setText(facts)
        self.button.setEnabled(True)


class ModelStep(Step):
    """Step 1: the best model for documents on this computer, or the offline starter."""

    recommended_chosen = Signal()
    starter_chosen = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Step 1 of 3: the model",
            "The model is the part that writes the answers. It runs on this computer, so "
            "nothing you ask leaves it.",
            parent,
        )
        self.recommended = ModelCard("Recommended for this computer", "Download this model")
        self.recommended.setProperty("recommended", True)
        self.recommended.name.setText("Checking this computer…")
        self.recommended.button.setEnabled(False)
        self.starter = ModelCard("Starter model", "Use the starter model")
        self.starter.warning.setText(STARTER_WARNING)
        self.starter.warning.show()
        self.starter.button.setEnabled(False)  # until this computer is known
        self.layout_.addWidget(self.recommended)
        self.layout_.addWidget(self.starter)
        self.layout_.addStretch(1)
        self.recommended.chosen.connect(self.recommended_chosen)
        self.starter.chosen.connect(self.starter_chosen)

    def show_choices(
        self,
        best: Recommendation | None,
        starter: Recommendation,
        *,
        best_installed: bool,
        starter_installed: bool,
        starter_at_hand: bool,
    ) -> None:
        if best is None:
            self.recommended.name.setText("The starter model is the one for this computer")
            self.recommended.description.setText(
                "The models in the catalog need more memory than this computer has free. Start "
                "with the starter model; the Models page lists others to try later."
            )
            self.recommended.button.hide()
        else:
            size = "It is already on this computer." if best_installed else (
                f"About {human_size(best.size)} to download; you can go on while it arrives."
            )  # fmt: skip
            self.recommended.show_choice(best, f"{best.fit.reason} {size}")
            self.recommended.button.setText("Use this model" if best_installed else
                                             "Download this model")  # fmt: skip
        if starter_installed:
            where = "It is already on this computer, so it needs no internet."
        elif starter_at_hand:
            where = "It comes with the app, so it needs no internet."
        else:
            where = f"About {human_size(starter.size)} to download."
        self.starter.show_choice(starter, where)
        self.starter.description.setText("A very small model that answers at once.")

    def first_focus(self) -> QWidget | None:
        button = self.recommended.button
        return button if button.isVisible() and button.isEnabled() else self.starter.button


class DocumentsStep(Step):
    """Step 2: a folder of documents; reading starts at once, nobody waits for it here."""

    folder_requested = Signal()
    next_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Step 2 of 3: your documents",
            "Choose the folder with the documents your assistant should answer from (PDF, "
            "Word, text and web pages). The app reads them on this computer and keeps its own "
            "index of them; your files are not changed.",
            parent,
        )
        self.choose_button = _primary("Choose a folder…", "Choose a folder of documents")
        self._folder = ""  # the folder chosen
        self.folder = _label("No folder chosen yet.", "guideHint")
        self.folder.setAccessibleName("Chosen folder")
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Reading progress")
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.bar.hide()
        self.progress = _label("", "guideHint")
        self.progress.setAccessibleName("Reading your documents")
        self.next_button = _primary("Next", "Next: name your assistant")
        self.next_button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.choose_button)
        row.addWidget(self.folder, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.bar)
        self.layout_.addWidget(self.progress)
        self.layout_.addStretch(1)
        self.layout_.addLayout(buttons)
        self.choose_button.clicked.connect(self.folder_requested)
        self.next_button.clicked.connect(self.next_requested)

    def show_folder(self, folder: str) -> None:
        self._folder = folder
        self.folder.setText(f"Reading “{folder}”. You can go on while it reads.")
        self.next_button.setEnabled(True)
        self.next_button.setFocus()

    def show_read(self) -> None:
        """The chosen folder once it was read (the focus stays where the person is now)."""
        self.folder.setText(f"Folder: “{self._folder}”.")

    def show_progress(self, done: int, total: int, text: str) -> None:
        self.bar.show()
        self.bar.setRange(0, total if total > 0 else 0)
        self.bar.setValue(done)
        self.progress.setText(text)

    def first_focus(self) -> QWidget | None:
        return self.next_button if self.next_button.isEnabled() else self.choose_button


class NameStep(Step):
    """Step 3: a name; then the chat opens."""

    start_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Step 3 of 3: a name",
            "What should your assistant be called? You can change it, and everything else "
            "about it, later on the Assistants page.",
            parent,
        )
        self.name = QLineEdit()
        self.name.setAccessibleName("Assistant name")
        self.name.setPlaceholderText("For example: Home papers helper")
        self.name.setMaxLength(80)
        self.name.setMinimumHeight(34)
        self.start_button = _primary("Start chatting", "Start chatting")
        self.note = _label("", "guideHint")
        self.note.setAccessibleName("What the assistant waits for")
        row = QHBoxLayout()
        row.addWidget(self.name, 1)
        row.addWidget(self.start_button)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.note)
        self.layout_.addStretch(1)
        self.model_ready = False
        self.name.textChanged.connect(lambda _t: self._update())
        self.name.returnPressed.connect(self._start)
        self.start_button.clicked.connect(self._start)
        self._update()

    def set_model_state(self, ready: bool, note: str) -> None:
        self.model_ready = ready
        self.note.setText(note)
        self._update()

    def _update(self) -> None:
        self.start_button.setEnabled(self.model_ready and bool(self.name.text().strip()))

    def _start(self) -> None:
        if self.start_button.isEnabled():
            self.start_requested.emit(self.name.text().strip())

    def first_focus(self) -> QWidget | None:
        return self.name
