"""The Instructions section: the system prompt with its variables (inserted from a menu and
highlighted), example exchanges, and an optional chat template for experts."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QHBoxLayout,
    QMenu,
    QPlainTextEdit,
    QToolButton,
    QWidget,
)

from assistant_builder.core.app import template_problem
from assistant_builder.core.records import VARIABLE, Assistant
from assistant_builder.core.records import VARIABLE_DESCRIPTIONS as DESCRIPTIONS
from assistant_builder.ui.editor.examples import ExamplesEditor
from assistant_builder.ui.editor.section import Section, heading, hint

TEMPLATE_CHECK_DELAY_MS = 300


class VariableHighlighter(QSyntaxHighlighter):
    """Known variables stand out; a name in braces that is not one gets a wavy underline,
    because it will be sent exactly as written (usually a typo)."""

    def __init__(self, document: QTextDocument, known: set[str]) -> None:
        super().__init__(document)
        self._known = known
        palette = QApplication.palette()
        link = palette.color(QPalette.ColorRole.Link)
        self.known_format = QTextCharFormat()
        self.known_format.setForeground(link)
        self.known_format.setFontWeight(QFont.Weight.DemiBold)
        tint = QColor(link)
        tint.setAlpha(40)
        self.known_format.setBackground(tint)
        self.unknown_format = QTextCharFormat()
        self.unknown_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        self.unknown_format.setUnderlineColor(QColor("#d9822b"))

    def highlightBlock(self, text: str) -> None:
        for match in VARIABLE.finditer(text):
            fmt = self.known_format if match.group(1) in self._known else self.unknown_format
            self.setFormat(match.start(), match.end() - match.start(), fmt)


class InstructionsSection(Section):
    title = "Instructions"
    intro = (
        "Tell the assistant who it is and how to answer, in your own words. Variables in "
        "braces are filled in each time you chat."
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prompt = QPlainTextEdit()
        self.prompt.setAccessibleName("Instructions")
        self.prompt.setToolTip("The system prompt: what the model reads before every chat.")
        self.prompt.setPlaceholderText("You are a helpful assistant who…")
        self.prompt.setMinimumHeight(140)
        self.highlighter = VariableHighlighter(self.prompt.document(), set(DESCRIPTIONS))
        self.variables_button = QToolButton()
        self.variables_button.setText("Insert variable")
        self.variables_button.setAccessibleName("Insert variable")
        self.variables_button.setToolTip("Put a value that changes, such as today's date.")
        self.variables_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.variables_menu = QMenu(self.variables_button)
        for name, description in DESCRIPTIONS.items():
            action = self.variables_menu.addAction(f"{{{name}}}  —  {description}")
            action.setData(name)
            action.triggered.connect(lambda _=False, n=name: self.insert_variable(n))
        self.variables_button.setMenu(self.variables_menu)
        self.unknown_note = hint("")
        self.unknown_note.setAccessibleName("Variable warning")
        self.unknown_note.hide()
        top = QHBoxLayout()
        top.addWidget(heading("System prompt"))
        top.addStretch(1)
        top.addWidget(self.variables_button)
        self.body.addLayout(top)
        self.body.addWidget(self.prompt)
        self.body.addWidget(self.unknown_note)

        self.examples = ExamplesEditor()
        self.body.addWidget(heading("Example exchanges"))
        self.body.addWidget(
            hint(
                "Show the assistant how a good answer looks. They are given to the model as "
                "earlier turns of the chat; one or two are usually enough."
            )
        )
        self.body.addWidget(self.examples)

        self.body.addWidget(heading("Chat template (for experts)"))
        self.template_switch = QCheckBox("Use my own chat template instead of the model's")
        self.template_switch.setAccessibleName("Use my own chat template")
        self.template_switch.setToolTip(
            "A chat template (Jinja) turns the conversation into the exact text the model "
            "reads. Models bring their own; change it only if you know you need to."
        )
        self.template = QPlainTextEdit()
        self.template.setAccessibleName("Chat template")
        self.template.setPlaceholderText(
            "{% for message in messages %}<|im_start|>{{ message.role }}\n"
            "{{ message.content }}<|im_end|>\n{% endfor %}"
        )
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.template.setFont(mono)
        self.template.setMinimumHeight(120)
        self.template_status = hint("")
        self.template_status.setAccessibleName("Chat template check")
        self.body.addWidget(self.template_switch)
        self.body.addWidget(self.template)
        self.body.addWidget(self.template_status)
        self.body.addStretch(1)
        self._template_timer = QTimer(self)
        self._template_timer.setSingleShot(True)
        self._template_timer.setInterval(TEMPLATE_CHECK_DELAY_MS)
        self._template_timer.timeout.connect(self.check_template)

        self.prompt.textChanged.connect(self._on_prompt)
        self.examples.changed.connect(self._emit_changed)
        self.template_switch.toggled.connect(self._on_switch)
        self.template.textChanged.connect(self._on_template)
        self._on_switch(False)

    def insert_variable(self, name: str) -> None:
        self.prompt.insertPlainText(f"{{{name}}}")
        self.prompt.setFocus()

    def _load(self, assistant: Assistant) -> None:
        self.prompt.setPlainText(assistant.system_prompt)
        self.examples.model.set_examples(assistant.examples)
        self.template.setPlainText(assistant.chat_template)
        self.template_switch.setChecked(bool(assistant.chat_template.strip()))
        self._on_switch(self.template_switch.isChecked())
        self.check_template()
        self._show_unknown()

    def apply(self, assistant: Assistant) -> Assistant:
        examples = tuple(
            e for e in self.examples.model.examples() if e.user.strip() or e.assistant.strip()
        )
        template = self.template.toPlainText() if self.template_switch.isChecked() else ""
        return replace(
            assistant,
            system_prompt=self.prompt.toPlainText(),
            examples=examples,
            chat_template=template,
        )

    def template_problem(self) -> str:
        """The sentence shown under the template, or "" when it is fine or not used."""
        if not self.template_switch.isChecked():
            return ""
        return template_problem(self.template.toPlainText())

    def check_template(self) -> None:
        self._template_timer.stop()
        if not self.template_switch.isChecked():
            self.template_status.setText("")
            return
        problem = self.template_problem()
        if problem:
            self.template_status.setText(problem)
        elif self.template.toPlainText().strip():
            self.template_status.setText("✔ The chat template reads correctly.")
        else:
            self.template_status.setText("Empty: the model's own template is used.")
        self.template_status.setProperty("problem", bool(problem))
        self.template_status.style().unpolish(self.template_status)
        self.template_status.style().polish(self.template_status)

    def _on_prompt(self) -> None:
        self._show_unknown()
        self._emit_changed()

    def _show_unknown(self) -> None:
        unknown = [
            name for name in VARIABLE.findall(self.prompt.toPlainText()) if name not in DESCRIPTIONS
        ]
        names = ", ".join(f"{{{n}}}" for n in dict.fromkeys(unknown))
        self.unknown_note.setText(
            f"{names} is not a variable and will be sent exactly as written; "
            "pick one from “Insert variable” if you meant one."
            if len(set(unknown)) == 1
            else f"{names} are not variables and will be sent exactly as written."
        )
        self.unknown_note.setVisible(bool(unknown))

    def _on_switch(self, on: bool) -> None:
        self.template.setVisible(on)
        self.template_status.setVisible(on)
        self.check_template()
        self._emit_changed()

    def _on_template(self) -> None:
        # Debounced: checked once the person pauses, not on every key.
        self._template_timer.start()
        self._emit_changed()
