"""The checks of `make test` must catch what they are there to catch."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _copy_project(tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(ROOT / "assistant_builder", dest / "assistant_builder",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


@pytest.mark.parametrize(
    "line", ["import PySide6.QtCore", "from assistant_builder.ui import theme", "import shiboken6"]
)
def test_import_contract_fails_when_core_imports_qt_or_ui(tmp_path: Path, line: str) -> None:
    project = _copy_project(tmp_path)
    env = {"PYTHONPATH": str(project), "PATH": str(BIN), "HOME": str(tmp_path)}
    clean = subprocess.run([BIN / "lint-imports", "--no-cache"], cwd=project, env=env,
                           capture_output=True, text=True, timeout=300)  # fmt: skip
    assert clean.returncode == 0, clean.stdout + clean.stderr
    (project / "assistant_builder" / "core" / "sneaky.py").write_text(line + "\n")
    broken = subprocess.run([BIN / "lint-imports", "--no-cache"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert broken.returncode != 0
    assert "assistant_builder.core.sneaky" in broken.stdout


def test_mypy_is_strict_on_core(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    (project / "assistant_builder" / "core" / "untyped.py").write_text("def f(x):\n    return x\n")
    (project / "assistant_builder" / "ui" / "untyped_ui.py").write_text("def g(x):\n    return x\n")
    result = subprocess.run(
        [BIN / "mypy", "--no-incremental", "assistant_builder/core/untyped.py",
         "assistant_builder/ui/untyped_ui.py"],
        cwd=project, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode != 0
    assert "core/untyped.py:1: error: Function is missing a type annotation" in result.stdout
    assert "untyped_ui.py" not in result.stdout  # strictness is for core; the UI is annotated
