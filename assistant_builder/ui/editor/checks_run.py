"""Running the check questions on the draft: "Run checks" in a worker with progress and Stop,
one row per question as it is answered, "7 of 10 pass" with what changed since the last run,
and the score across runs."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import App
from assistant_builder.core.records import Assistant, CheckProgress, CheckResult, RunSummary
from assistant_builder.ui.editor.score_chart import ScoreChart
from assistant_builder.ui.workers import PROGRESS, TaskRunner

HEADERS = ("Question", "Found", "Cited", "Words", "Answer")


def _mark(ok: bool) -> QTableWidgetItem:
    item = QTableWidgetItem("✓ yes" if ok else "✗ no")
    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
    return item


class CheckRunPanel(QWidget):
    def __init__(
        self, app: App, draft: Callable[[], Assistant], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._draft = draft
        self.run_button = QPushButton("Run checks")
        self.run_button.setToolTip("Answer every check question with the assistant as it is now")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setAccessibleName("Stop the checks")
        self.stop_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Checks answered")
        self.progress.setTextVisible(True)
        self.progress.setFormat("%v of %m answered")
        self.progress.hide()
        self.summary = QLabel("")
        self.summary.setObjectName("subheading")
        self.summary.setAccessibleName("Checks summary")
        self.summary.setWordWrap(True)
        self.problem = QLabel("")
        self.problem.setObjectName("hint")
        self.problem.setProperty("problem", True)
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Why the checks did not run")
        self.problem.hide()
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setAccessibleName("Check results")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.chart = ScoreChart()
        row = QHBoxLayout()
        row.addWidget(self.run_button)
        row.addWidget(self.stop_button)
        row.addWidget(self.progress, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.summary)  # its own line: "what changed" must not be cut
        layout.addWidget(self.problem)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.chart)
        self.runner = TaskRunner(self)
        self.runner.progressed.connect(self._on_progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(lambda: self.summary.setText("Stopped."))
        self.runner.busy_changed.connect(self._on_busy)
        self.run_button.clicked.connect(self.run)
        self.stop_button.clicked.connect(self.runner.cancel)
        self.results: list[CheckResult] = []

    def show_history(self, assistant_id: str) -> None:
        """The score of the saved assistant's earlier runs (none for a new one)."""
        self.runner.cancel()
        self.results = []
        self.table.setRowCount(0)
        self.problem.hide()
        runs = self._app.check_runs(assistant_id) if assistant_id else []
        self.chart.set_runs(runs)
        last = runs[-1] if runs else None
        self.summary.setText(f"Last run: {last.passed} of {last.total} pass" if last else "")

    def set_runnable(self, count: int) -> None:
        self.run_button.setEnabled(count > 0 and not self.runner.busy)
        self.run_button.setToolTip(
            "Answer every check question with the assistant as it is now"
            if count
            else "Add a check question first"
        )

    def run(self) -> None:
        draft = self._draft()
        self.results = []
        self.table.setRowCount(0)
        self.problem.hide()
        self.progress.setRange(0, len(draft.checks))
        self.progress.setValue(0)
        self.progress.show()
        self.summary.setText("Loading the model…")
        self.runner.start(self._app.run_checks, draft, on_progress=PROGRESS)

    def _on_busy(self, busy: bool) -> None:
        self.run_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        if not busy:
            self.progress.hide()

    def _on_progress(self, event: object) -> None:
        if not isinstance(event, CheckProgress):
            return
        result = event.result
        self.results.append(result)
        self.progress.setValue(event.done)
        passed = sum(r.passed for r in self.results)
        self.summary.setText(f"{passed} of {event.done} pass so far")
        row = self.table.rowCount()
        self.table.insertRow(row)
        question = QTableWidgetItem(("✓ " if result.passed else "✗ ") + result.check.question)
        question.setToolTip(f"Expects {result.check.expect}")
        self.table.setItem(row, 0, question)
        self.table.setItem(row, 1, _mark(result.retrieved))
        self.table.setItem(row, 2, _mark(result.cited))
        self.table.setItem(row, 3, _mark(result.contains))
        answer = QTableWidgetItem(" ".join(result.answer.split()))
        answer.setToolTip(result.answer)
        self.table.setItem(row, 4, answer)
        self.table.resizeRowToContents(row)

    def _on_finished(self, result: object) -> None:
        if not isinstance(result, tuple):
            return
        _run, summary = result
        assert isinstance(summary, RunSummary)
        draft = self._draft()
        runs = self._app.check_runs(draft.id) if draft.id else [*self.chart.runs, summary]
        self.chart.set_runs(runs)
        changed = f" ({summary.changes()} since the last run)" if summary.changed else ""
        self.summary.setText(f"{summary.passed} of {summary.total} pass{changed}")

    def _on_failed(self, message: str) -> None:
        self.summary.setText("")
        self.problem.setText(message)
        self.problem.show()
