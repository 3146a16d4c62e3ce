"""The Compare view: two to four variants of an assistant side by side. One question is
searched once and the passages are shown once above the answers; the answers stream side by
side through the app's answering session (on a worker, holding the engine host's lock so a
Chat question waits); blind mode hides which variant is which until the person picks one;
"Keep this one" saves it and keeps the others as drafts, which are listed and deletable."""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import PurePath

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import App
from assistant_builder.core.records import (
    MAX_VARIANTS,
    MIN_VARIANTS,
    Answer,
    AnswerKept,
    CancelToken,
    Compared,
    Draft,
    Planned,
    Prepared,
    Retrieved,
    Stage,
    TextDelta,
    Variant,
    VariantChecked,
    VariantEvent,
    VariantFailed,
)
from assistant_builder.ui.compare.column import VariantColumn
from assistant_builder.ui.engine_host import EngineHost
from assistant_builder.ui.widgets.banner import Banner
from assistant_builder.ui.workers import TaskRunner


class CompareView(QWidget):
    back_requested = Signal()
    kept = Signal(object)  # the Assistant saved by "Keep this one"
    citation_requested = Signal(object)

    def __init__(self, app: App, host: EngineHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._host = host
        self.owner = ""  # the id of the assistant being compared
        self.columns: list[VariantColumn] = []
        self.setAccessibleName("Compare")
        self.back_button = QPushButton("‹  Assistants")
        self.back_button.setAccessibleName("Back to the assistants")
        self.title = QLabel()
        self.title.setObjectName("editorTitle")
        self.blind = QCheckBox("Blind")
        self.blind.setToolTip("Hide which variant wrote which answer until you pick one")
        self.add_button = QPushButton("Add variant")
        self.drafts_button = QToolButton()
        self.drafts_button.setText("Drafts")
        self.drafts_button.setAccessibleName("Drafts of this assistant")
        self.drafts_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.drafts_menu = QMenu(self.drafts_button)
        self.drafts_button.setMenu(self.drafts_menu)
        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addSpacing(12)
        header.addWidget(self.title, 1)
        header.addWidget(self.blind)
        header.addWidget(self.drafts_button)
        header.addWidget(self.add_button)
        self.banner = Banner()

        self.question = QLineEdit()
        self.question.setAccessibleName("Question")
        self.question.setPlaceholderText("A question to ask every variant…")
        self.compare_button = QPushButton("Compare")
        self.compare_button.setDefault(True)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.checks_button = QPushButton("Run checks")
        self.checks_button.setToolTip("Answer the assistant's check questions with every variant")
        ask = QHBoxLayout()
        ask.addWidget(self.question, 1)
        ask.addWidget(self.compare_button)
        ask.addWidget(self.checks_button)
        ask.addWidget(self.stop_button)
        self.plan = QLabel()
        self.plan.setObjectName("hint")
        self.plan.setWordWrap(True)
        self.plan.setAccessibleName("How the variants run")
        self.passages_title = QLabel("Passages")
        self.passages_title.setObjectName("sectionTitle")
        self.passages = QListWidget()
        self.passages.setAccessibleName("Passages found once for every variant")
        self.passages.setMaximumHeight(84)
        self.passages.setWordWrap(True)
        self.row = QHBoxLayout()
        self.row.setSpacing(8)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addLayout(header)
        layout.addWidget(self.banner)
        layout.addLayout(ask)
        layout.addWidget(self.plan)
        layout.addWidget(self.passages_title)
        layout.addWidget(self.passages)
        layout.addLayout(self.row, 1)
        self.passages_title.hide()
        self.passages.hide()

        self._runner = TaskRunner(self)
        self._runner.progressed.connect(self._on_event)
        self._runner.failed.connect(self._on_failed)
        self._runner.busy_changed.connect(self._on_busy)
        self.back_button.clicked.connect(self._back)
        self.compare_button.clicked.connect(self.run)
        self.checks_button.clicked.connect(self.run_checks)
        self.question.returnPressed.connect(self.run)
        self.stop_button.clicked.connect(self._runner.cancel)
        self.add_button.clicked.connect(self.add_variant)
        self.blind.toggled.connect(self.set_blind)

    # Opening ------------------------------------------------------------------------------
    def open(self, owner: str, variants: list[Variant] | None = None) -> None:
        """Compare the assistant ``owner`` (its id): its saved form and drafts, or ``variants``
        (the editor's unsaved draft first)."""
        self._runner.cancel()
        self.owner = owner
        assistant = self._app.assistants.get(owner)
        self.title.setText(f"Compare “{assistant.name}”")
        self.banner.dismiss()
        self.plan.clear()
        self.passages.clear()
        self.passages_title.hide()
        self.passages.hide()
        self.blind.setChecked(False)
        for column in list(self.columns):
            self._drop(column)
        for variant in variants or self._app.compare_start(owner):
            self._add(variant)
        self._refresh_drafts()

    @property
    def variants(self) -> list[Variant]:
        return [c.variant for c in self.columns]

    def _add(self, variant: Variant) -> VariantColumn:
        column = VariantColumn(variant, self._app.model_names())
        column.changed.connect(self._on_changed)
        column.keep_requested.connect(self.keep)
        column.picked.connect(self.pick)
        column.remove_requested.connect(self._remove)
        column.citation_requested.connect(self.citation_requested)
        self.columns.append(column)
        self.row.addWidget(column, 1)
        self._update_buttons()
        return column

    def _drop(self, column: VariantColumn) -> None:
        self.columns.remove(column)
        self.row.removeWidget(column)
        column.deleteLater()
        self._update_buttons()

    def add_variant(self, variant: Variant | None = None) -> None:
        """A new column: ``variant`` (a draft), or a copy of the last one under a free letter."""
        if len(self.columns) >= MAX_VARIANTS:
            return
        if variant is None:
            taken = {c.variant.name for c in self.columns}
            name = next(ch for ch in string.ascii_uppercase if ch not in taken)
            variant = Variant(name, self.columns[-1].variant.assistant)
        self._add(variant)

    def _remove(self, column: VariantColumn) -> None:
        if len(self.columns) > MIN_VARIANTS:
            self._drop(column)

    def _update_buttons(self) -> None:
        busy = self._runner.busy
        self.add_button.setEnabled(len(self.columns) < MAX_VARIANTS and not busy)
        for column in self.columns:
            column.remove_button.setEnabled(len(self.columns) > MIN_VARIANTS and not busy)

    def _on_changed(self, column: VariantColumn) -> None:
        column.variant = self._app.vary_variant(column.variant, **column.edits())  # type: ignore[arg-type]

    # Drafts -------------------------------------------------------------------------------
    def _refresh_drafts(self) -> None:
        self.drafts_menu.clear()
        drafts = self._app.compare_drafts(self.owner) if self.owner else []
        self.drafts_button.setText(f"Drafts ({len(drafts)})")
        self.drafts_button.setEnabled(bool(drafts))
        for draft in drafts:
            sub = self.drafts_menu.addMenu(draft.name)
            sub.addAction("Compare it", partial(self.compare_draft, draft))
            sub.addAction("Delete", partial(self.delete_draft, draft))

    def compare_draft(self, draft: Draft) -> None:
        self.add_variant(Variant(draft.name, draft.assistant))

    def delete_draft(self, draft: Draft) -> None:
        self._app.delete_draft(draft)
        self._refresh_drafts()
        self.banner.show_message(f"The draft “{draft.name}” was deleted.", kind="info")

    # Running ------------------------------------------------------------------------------
    def run(self) -> None:
        question = self.question.text().strip()
        if not question:
            self.banner.show_message("Type a question to ask every variant.", kind="info")
            return
        self.banner.dismiss()
        self.passages.clear()
        self.plan.setText("Searching your documents…")
        for column in self.columns:
            column.begin()
        self._runner.start(self._compare, self.variants, question)

    def _compare(
        self, variants: list[Variant], question: str, *, cancel: CancelToken
    ) -> Iterator[object]:
        with self._host.exclusive():  # one user of the engine at a time
            yield from self._app.compare_variants(variants, question, cancel=cancel)

    def run_checks(self) -> None:
        """Every variant answers the assistant's check questions; each column shows its score."""
        if not self.variants[0].assistant.checks:
            self.banner.show_message(
                "This assistant has no check questions yet; add some on its Checks tab.",
                kind="info",
            )
            return
        self.banner.dismiss()
        self.plan.setText("Every variant answers the check questions in turn…")
        for column in self.columns:
            column.checks.hide()
        self._host.show_elsewhere(None, doing="Running the check questions")
        self._runner.start(self._check, self.variants)

    def _check(self, variants: list[Variant], *, cancel: CancelToken) -> Iterator[object]:
        # Not under exclusive(): running checks holds the engine one question at a time itself.
        yield from self._app.check_variants(variants, cancel=cancel)

    def stop(self) -> None:
        self._runner.cancel()

    def shutdown(self) -> None:
        """Stop a running comparison and wait for its worker (the window is closing)."""
        self._runner.cancel()
        self._runner.wait(10_000)

    @property
    def busy(self) -> bool:
        return self._runner.busy

    def _on_event(self, event: object) -> None:
        if isinstance(event, Retrieved):
            self._show_passages(event)
        elif isinstance(event, Planned):
            self.plan.setText(event.schedule.sentence)
        elif isinstance(event, VariantFailed):
            self.columns[event.index].show_problem(event.message)
        elif isinstance(event, AnswerKept):
            self.columns[event.index].show_kept(event.message)
        elif isinstance(event, VariantEvent):
            column, inner = self.columns[event.index], event.event
            self._host.show_elsewhere(inner, doing="Comparing variants")
            if isinstance(inner, Stage):  # "Reading your documents…", "Writing…", as in Chat
                column.transcript.show_stage(inner.sentence)
            elif isinstance(inner, Prepared):
                column.show_prompt(inner.final.preview.text if inner.final.preview else "")
            elif isinstance(inner, TextDelta):
                column.stream(inner.text)
            elif isinstance(inner, Answer):
                column.show_answer(inner)
        elif isinstance(event, VariantChecked):
            self.columns[event.index].show_checks(event.run)
            done = f"{event.index + 1} of {len(self.columns)} variants done"
            self._host.show_elsewhere(event, doing=f"Running the check questions ({done})")
            if event.index == len(self.columns) - 1:
                self.plan.setText("The check questions were answered by every variant.")
        elif isinstance(event, Compared):
            for column in self.columns:
                column.end()

    def _show_passages(self, event: Retrieved) -> None:
        self.passages_title.setText(
            f"{len(event.passages)} passages, found once and given to every variant"
            if event.passages else "No passages: the variants answer without documents"
        )  # fmt: skip
        self.passages_title.show()
        self.passages.setVisible(bool(event.passages))
        for p in event.passages:
            where = PurePath(p.source).name + (f", page {p.page}" if p.page is not None else "")
            self.passages.addItem(f"{where}: {' '.join(p.text.split())[:220]}")

    def _on_failed(self, message: str) -> None:
        self.plan.clear()
        for column in self.columns:
            column.end()
        self.banner.show_message(message)

    def _on_busy(self, busy: bool) -> None:
        self.compare_button.setEnabled(not busy)
        self.checks_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        self.question.setEnabled(not busy)
        if not busy:
            for column in self.columns:
                column.end()
            self._host.elsewhere_ended()
        self._update_buttons()

    # Blind mode, picking and keeping -------------------------------------------------------
    def set_blind(self, blind: bool) -> None:
        """Blind: the columns in a shuffled order, named only by their place."""
        order = list(self.columns)
        if blind:
            random.shuffle(order)
        else:
            order.sort(key=self.columns.index)
        for column in order:
            self.row.removeWidget(column)
        for place, column in enumerate(order, start=1):
            self.row.addWidget(column, 1)
            column.set_blind(blind, f"Answer {place}")

    def pick(self, column: VariantColumn) -> None:
        """The person preferred this answer: say which variant wrote it."""
        self.blind.setChecked(False)
        column.set_label(f"{column.variant.name} (your pick)")
        self.banner.show_message(
            f"You preferred variant {column.variant.name}; keep it to save it.", kind="info"
        )

    def keep(self, column: VariantColumn, as_new: bool) -> None:
        others = [c.variant for c in self.columns if c is not column]
        kept = self._app.keep_variant(column.variant, others, owner=self.owner, as_new=as_new)
        column.variant = replace(column.variant, assistant=kept.assistant)
        self._refresh_drafts()
        where = f"the new assistant “{kept.assistant.name}”" if as_new else "the assistant"
        self.banner.show_message(
            f"Variant {column.variant.name} is saved as {where}; the other variants are kept "
            "as drafts.",
            kind="info",
        )
        self.kept.emit(kept.assistant)

    def _back(self) -> None:
        self._runner.cancel()
        self.back_requested.emit()
