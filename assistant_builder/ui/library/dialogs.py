"""The New collection dialog: a name, the folders, and the embedder in plain words; under
"More options", a shared store to keep the index in. Create asks the page to make the
collection; a refusal is said under the name and nothing chosen is lost."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.ui.library.summary import embedder_in_words

EMBEDDER_TIP = (
    "The embedder is a small model that turns each passage into numbers describing its "
    "meaning, so a question finds passages that mean the same thing even in other words. "
    "It runs on this computer."
)
STORE_HELP = (
    "To share this collection's index with your team, give the address of the store you "
    "share, such as s3://bucket/folder, and the address of its server if it is not Amazon's. "
    "The keys to the store are read from this computer's AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY environment variables; the app never saves them. "
    "Leave it empty to keep the index on this computer."
)


class NewCollectionDialog(QDialog):
    """``create(name, folders)`` makes the collection and returns "" or why it could not."""

    def __init__(
        self,
        embedder: str,
        folders: list[str] | None = None,
        parent: QWidget | None = None,
        *,
        create: Callable[[str, list[str]], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self._create = create
        self.setWindowTitle("New collection")
        self.setAccessibleName("New collection")
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Household papers")
        self.name.setAccessibleName("Collection name")
        self.problem = QLabel()
        self.problem.setObjectName("fieldError")
        self.problem.setAccessibleName("Why the collection was not created")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #c62828;")
        self.problem.hide()
        self.folders = QListWidget()
        self.folders.setAccessibleName("Folders")
        self.folders.setToolTip("The folders whose documents this collection reads.")
        self.folders.setMinimumHeight(90)
        for folder in folders or []:
            self.folders.addItem(folder)
        self.add_button = QPushButton("Add folder…")
        self.add_button.setAccessibleName("Add folder")
        self.add_button.setToolTip("Choose a folder of documents.")
        self.remove_button = QPushButton("Remove folder")
        self.remove_button.setAccessibleName("Remove folder")
        self.remove_button.setToolTip("Leave the selected folder out (nothing is deleted).")
        self.embedder = QLabel(embedder_in_words(embedder))
        self.embedder.setAccessibleName("Embedder")
        self.embedder.setToolTip(EMBEDDER_TIP)
        self.embedder.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        folder_box = QVBoxLayout()
        folder_box.addWidget(self.folders)
        folder_box.addLayout(buttons)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("", self.problem)
        form.addRow("Folders", folder_box)
        reads = QLabel("Reads with")
        reads.setToolTip(EMBEDDER_TIP)
        form.addRow(reads, self.embedder)
        self.more = QToolButton()
        self.more.setText("More options")
        self.more.setAccessibleName("More options")
        self.more.setCheckable(True)
        self.more.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.more.setArrowType(Qt.ArrowType.RightArrow)
        self.options = self._store_options()
        self.options.setVisible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.more)
        layout.addWidget(self.options)
        layout.addWidget(self.buttons)
        self.more.toggled.connect(self._show_options)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.add_button.clicked.connect(self._choose_folder)
        self.remove_button.clicked.connect(self._remove_folder)
        self.name.textEdited.connect(lambda _text: self.problem.hide())
        self.resize(520, 300)

    def _store_options(self) -> QWidget:
        box = QWidget()
        self.store = QLineEdit()
        self.store.setAccessibleName("Shared store")
        self.store.setPlaceholderText("s3://bucket/folder (empty: on this computer)")
        self.store.setToolTip(STORE_HELP)
        self.endpoint = QLineEdit()
        self.endpoint.setAccessibleName("Store server")
        self.endpoint.setPlaceholderText("https://storage.example.org (empty: Amazon's)")
        self.endpoint.setToolTip(STORE_HELP)
        help_text = QLabel(STORE_HELP)
        help_text.setWordWrap(True)
        help_text.setAccessibleName("About shared stores")
        form = QFormLayout(box)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Shared store", self.store)
        form.addRow("Store server", self.endpoint)
        form.addRow(help_text)
        return box

    def _show_options(self, shown: bool) -> None:
        self.options.setVisible(shown)
        self.more.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.adjustSize()

    def store_choice(self) -> tuple[str, str]:
        """The shared store and its server as typed; empty: the index stays on this computer."""
        return self.store.text().strip(), self.endpoint.text().strip()

    def accept(self) -> None:
        problem = self._create(self.name.text().strip(), self.folder_list()) if self._create else ""
        if problem:
            self.problem.setText(problem)
            self.problem.show()
            self.name.setFocus()
            return
        super().accept()

    def folder_list(self) -> list[str]:
        return [self.folders.item(i).text() for i in range(self.folders.count())]

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a folder of documents")
        if folder and folder not in self.folder_list():
            self.folders.addItem(folder)

    def _remove_folder(self) -> None:
        for item in self.folders.selectedItems():
            self.folders.takeItem(self.folders.row(item))
