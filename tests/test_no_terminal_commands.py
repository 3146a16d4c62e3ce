"""No sentence the desktop app can show tells a person to run a terminal command: core's
errors name the command only in ``AppError.command``, which the command line alone prints."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import assistant_builder

PACKAGE = Path(assistant_builder.__file__).parent
# A command-line invocation: the program's name followed by a command, or an option flag.
COMMAND = re.compile(r"assistant-builder \w|(?<![\w-])--[a-z][\w-]*")


def _words(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module that people read (f-strings whole), leaving out
    docstrings, a child process's own arguments (list items: pip, nvidia-smi) and the
    ``command=`` of an error (the command line's alone)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            if node.body and isinstance(node.body[0], ast.Expr):
                skipped.add(id(node.body[0].value))
        elif isinstance(node, ast.List | ast.Tuple):
            skipped.update(id(item) for item in node.elts)
        elif isinstance(node, ast.keyword) and node.arg == "command":
            skipped.update(id(inner) for inner in ast.walk(node.value))
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.JoinedStr):
            skipped.update(id(v) for v in node.values)
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            found.append((node.lineno, str(text)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
    return found


def test_no_sentence_in_core_or_the_app_names_a_terminal_command() -> None:
    offending = []
    for folder in ("core", "ui"):
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            for line, text in _words(path):
                if COMMAND.search(text):
                    offending.append(f"{path.relative_to(PACKAGE)}:{line}: {text!r}")
    assert offending == []


def test_the_scan_finds_a_command_in_a_message(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""Docstrings may say ``assistant-builder serve``."""\n'
        "def f(name):\n"
        '    raise AppError(f"{name}: run “assistant-builder collections list”.")\n'
        '    raise AppError(f"{name}: see your collections.", command="collections list")\n'
        '    raise AppError("Remove it anyway.", command=f"models remove {name} --force")\n'
    )
    assert [line for line, text in _words(module) if COMMAND.search(text)] == [3]
