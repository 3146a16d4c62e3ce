"""The Knowledge section: which collections of documents the assistant reads, how passages are
picked from them, and whether it may answer only from them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from assistant_builder.core.records import Assistant, CollectionRef, PassageChoices
from assistant_builder.ui.editor.choices_list import ChoicesList
from assistant_builder.ui.editor.section import FieldGrid, Section, heading, hint

SEARCH_MODE_LABELS = (
    ("hybrid", "Words and meaning (recommended)"),
    ("vector", "Meaning only"),
    ("keyword", "Exact words only"),
)


class KnowledgeSection(Section):
    title = "Knowledge"
    choices_edited = Signal(object)  # PassageChoices with one removed; kept at once, not a draft
    intro = (
        "Give the assistant documents to read. Before each answer it looks up the passages "
        "closest to the question and cites them."
    )

    def __init__(
        self, collection_names: Callable[[], Sequence[str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._collection_names = collection_names
        self._defaults = CollectionRef("")
        self.collections = QListWidget()
        self.collections.setAccessibleName("Collections")
        self.collections.setToolTip("Tick the collections of documents this assistant may read.")
        self.collections.setMaximumHeight(150)
        self.collections_note = hint("")
        self.collections_note.setAccessibleName("Collections note")
        self.body.addWidget(heading("Collections"))
        self.body.addWidget(self.collections)
        self.body.addWidget(self.collections_note)

        grid = FieldGrid()
        self.top_k = QSpinBox()
        self.top_k.setRange(1, 50)
        self.mode = QComboBox()
        for value, label in SEARCH_MODE_LABELS:
            self.mode.addItem(label, value)
        self.min_score = QDoubleSpinBox()
        self.min_score.setRange(0.0, 1.0)
        self.min_score.setSingleStep(0.05)
        self.min_score.setDecimals(2)
        grid.add("&Passages per answer", self.top_k,
                 "How many passages it reads before answering; more is slower.")  # fmt: skip
        grid.add("&Search by", self.mode,
                 "Meaning finds passages that say it in other words; exact words find names "
                 "and numbers.")  # fmt: skip
        self.mode.setToolTip(
            "Hybrid search mixes keyword and semantic (vector) search; it suits most documents."
        )
        grid.add("&Minimum relevance", self.min_score,
                 "Passages scoring below this are ignored; 0 keeps them all.")  # fmt: skip
        self.min_score.setToolTip("The lowest relevance score (0 to 1) a passage needs.")
        self.retrieval_note = hint("")
        self.retrieval_note.setAccessibleName("Retrieval settings note")
        self.retrieval_note.hide()
        self.body.addWidget(heading("How passages are picked"))
        self.body.addLayout(grid)
        self.body.addWidget(self.retrieval_note)

        self.only_documents = QCheckBox("Only answer from my documents")
        self.only_documents.setAccessibleName("Only answer from my documents")
        self.only_documents.setToolTip(
            "When no passage is relevant enough, the assistant gives the text below instead "
            "of answering from its general knowledge."
        )
        self.refusal = QPlainTextEdit()
        self.refusal.setAccessibleName("Reply when the documents have no answer")
        self.refusal.setFixedHeight(70)
        self.refusal.setTabChangesFocus(True)
        self.body.addWidget(heading("Staying with your documents"))
        self.body.addWidget(self.only_documents)
        self.body.addWidget(hint("What it says when your documents do not have the answer:"))
        self.body.addWidget(self.refusal)
        self.choices = ChoicesList()
        self.choices.edited.connect(self.choices_edited)
        self.body.addWidget(heading("Your choices about passages"))
        self.body.addWidget(self.choices)
        self.body.addStretch(1)

        self.collections.itemChanged.connect(self._on_collections)
        self.top_k.valueChanged.connect(self._on_retrieval)
        self.mode.currentIndexChanged.connect(self._on_retrieval)
        self.min_score.valueChanged.connect(self._on_retrieval)
        self._retrieval_touched = False
        self.only_documents.toggled.connect(self._on_only)
        self.refusal.textChanged.connect(self._emit_changed)

    def set_retrieval_defaults(self, defaults: CollectionRef) -> None:
        """Retrieval settings to show when no collection is attached yet (a starting point's)."""
        self._defaults = defaults

    def _load(self, assistant: Assistant) -> None:
        attached = {c.name for c in assistant.collections}
        self.collections.clear()
        names = list(dict.fromkeys([*self._collection_names(), *attached]))
        available = set(self._collection_names())
        for name in names:
            label = name if name in available else f"{name} (missing)"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = name in attached
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.collections.addItem(item)
        self._retrieval_touched = False
        ref = assistant.collections[0] if assistant.collections else self._defaults
        differ = len({(c.top_k, c.mode, c.min_score) for c in assistant.collections}) > 1
        self.retrieval_note.setText(
            "Your collections use different settings; these are the first one's. Each keeps "
            "its own until you change one here, which then applies to all."
            if differ
            else ""
        )
        self.retrieval_note.setVisible(differ)
        self.top_k.setValue(ref.top_k)
        self.mode.setCurrentIndex(max(0, self.mode.findData(ref.mode)))
        self.min_score.setValue(ref.min_score)
        self.only_documents.setChecked(assistant.only_from_documents)
        self.refusal.setPlainText(assistant.refusal_text)
        self.choices.show_choices(assistant.passage_choices)
        self._update()

    def checked_names(self) -> list[str]:
        names = []
        for row in range(self.collections.count()):
            item = self.collections.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                names.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return names

    def set_checked(self, name: str, checked: bool) -> None:
        for row in range(self.collections.count()):
            item = self.collections.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def apply(self, assistant: Assistant) -> Assistant:
        # One set of retrieval settings for every attached collection keeps this page simple;
        # until the person changes it, each collection keeps the settings it had.
        shown = CollectionRef(
            "",
            top_k=self.top_k.value(),
            mode=self.mode.currentData(),
            min_score=round(self.min_score.value(), 2),
        )
        had = {c.name: c for c in assistant.collections}
        collections = tuple(
            had[name] if name in had and not self._retrieval_touched else replace(shown, name=name)
            for name in self.checked_names()
        )
        return replace(
            assistant,
            collections=collections,
            only_from_documents=self.only_documents.isChecked(),
            refusal_text=self.refusal.toPlainText().strip() or assistant.refusal_text,
            passage_choices=self.choices.choices,
        )

    def show_choices(self, choices: PassageChoices) -> None:
        self.choices.show_choices(choices)

    def _on_retrieval(self, *_: object) -> None:
        if not self._loading:
            self._retrieval_touched = True
        self._emit_changed()

    def _on_collections(self, _item: QListWidgetItem) -> None:
        self._update()
        self._emit_changed()

    def _on_only(self, _on: bool) -> None:
        self._update()
        self._emit_changed()

    def _update(self) -> None:
        self.refusal.setEnabled(self.only_documents.isChecked())
        if self.collections.count() == 0:
            self.collections_note.setText(
                "There is no collection yet; create one on the Library page, then tick it here."
            )
        elif self.only_documents.isChecked() and not self.checked_names():
            self.collections_note.setText(
                "Tick a collection: answering only from documents with none attached means "
                "every question gets the reply below."
            )
        else:
            self.collections_note.setText("")
