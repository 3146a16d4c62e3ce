"""Settings' "Model servers" section: add a server by its address and an optional API key,
test the connection (which lists its models), remove one. The key goes to the system keyring
or a private file, never to the settings file; the section says which."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import App
from assistant_builder.core.records import AppError, ModelServer, ServerModels
from assistant_builder.ui.workers import TaskRunner

INTRO = (
    "Answer with models that run elsewhere: a server program on this computer or another "
    "(llama.cpp, Ollama, vLLM, LM Studio). Its models then appear on the Models page and "
    "in each assistant's Model section."
)


class ServersSection(QWidget):
    changed = Signal()  # a server was added or removed
    checked = Signal(object)  # ServerModels, after a connection test

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.setAccessibleName("Model servers")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        heading = QLabel("Model servers")
        heading.setObjectName("sectionTitle")
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        self.list = QListWidget()
        self.list.setAccessibleName("Model servers added")
        self.list.setMaximumHeight(96)
        self.name = QLineEdit()
        self.name.setAccessibleName("Server name")
        self.name.setPlaceholderText("A name of your choice, e.g. Office")
        self.address = QLineEdit()
        self.address.setAccessibleName("Server address")
        self.address.setPlaceholderText("http://192.168.1.20:8080")
        self.api_key = QLineEdit()
        self.api_key.setAccessibleName("Server API key")
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText("Only if the server asks for one")
        self.add_button = QPushButton("Add server")
        self.test_button = QPushButton("Test connection")
        self.test_button.setToolTip("Reach the chosen server and list the models it offers")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Forget the chosen server and its key")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Model server status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_note = QLabel()
        self.key_note.setObjectName("hint")
        self.key_note.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Address", self.address)
        form.addRow("API key", self.api_key)
        form.addRow("", self.key_note)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        for widget in (heading, intro, self.list):
            layout.addWidget(widget)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)

        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._checked)
        self.runner.failed.connect(self.status.setText)
        self.runner.busy_changed.connect(self._busy)
        self.add_button.clicked.connect(self.add)
        self.test_button.clicked.connect(self.test)
        self.remove_button.clicked.connect(self.remove)
        self.list.currentRowChanged.connect(lambda _row: self._enable())
        self.refresh()

    def refresh(self) -> None:
        chosen = self.chosen()
        self.list.clear()
        try:
            servers = self.app.model_servers()
        except AppError as exc:
            servers = []
            self.status.setText(str(exc))
        for server in servers:
            item = QListWidgetItem(_label(server))
            item.setData(Qt.ItemDataRole.UserRole, server.name)
            self.list.addItem(item)
            if server.name == chosen:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self._enable()

    def showEvent(self, event: object) -> None:
        # Asked when the section is seen, not at start-up: a keyring can be slow to answer.
        if not self.key_note.text():
            self.key_note.setText(
                f"A key is kept in {self.app.key_storage()} on this computer, never in the "
                "settings file."
            )
        super().showEvent(event)  # type: ignore[arg-type]

    def chosen(self) -> str:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def add(self) -> None:
        try:
            added = self.app.add_model_server(
                self.name.text(), self.address.text(), self.api_key.text().strip()
            )
        except AppError as exc:
            self.status.setText(str(exc))  # what was typed stays, to be corrected
            return
        for field in (self.name, self.address, self.api_key):
            field.clear()
        self.refresh()
        self._choose(added.name)
        self.changed.emit()
        self.test()

    def test(self) -> None:
        name = self.chosen()
        if name:
            self.status.setText(f"Reaching “{name}”…")
            self.runner.start(self.app.check_model_server, name)

    def remove(self) -> None:
        name = self.chosen()
        if not name:
            return
        try:
            removed = self.app.remove_model_server(name)
        except AppError as exc:
            self.status.setText(str(exc))
            return
        self.status.setText(
            f"Removed “{removed.name}” and its key; assistants that used it keep their "
            "choice until you choose another model for them."
        )
        self.refresh()
        self.changed.emit()

    def _choose(self, name: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentRow(row)

    def _checked(self, result: object) -> None:
        if isinstance(result, ServerModels):
            self.status.setText(result.sentence)
            self.checked.emit(result)

    def _busy(self, busy: bool) -> None:
        self.test_button.setText("Testing…" if busy else "Test connection")
        self._enable()

    def _enable(self) -> None:
        has = bool(self.chosen())
        self.test_button.setEnabled(has and not self.runner.busy)
        self.remove_button.setEnabled(has)


def _label(server: ModelServer) -> str:
    where = "this computer" if server.on_this_computer else "the network"
    key = ", API key kept" if server.has_key else ""
    return f"{server.name} — {server.url} ({where}{key})"
