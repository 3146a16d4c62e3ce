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


UI_CONTRACT = "the ui reaches core only through the façade"


def _ui_contract() -> dict:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["name"].startswith(UI_CONTRACT))


def test_the_ui_contract_forbids_every_module_of_core_but_the_facade_and_its_records() -> None:
    """A module added to core later is forbidden to the ui too, not forgotten by the list."""
    core = ROOT / "assistant_builder" / "core"
    modules = {p.stem for p in core.glob("*.py")} | {
        p.name for p in core.iterdir() if (p / "__init__.py").is_file()
    }
    contract = _ui_contract()
    forbidden = {
        str(m).removeprefix("assistant_builder.core.") for m in contract["forbidden_modules"]
    }
    assert forbidden == modules - {"__init__", "app", "records"}
    assert not contract.get("ignore_imports")  # nothing of the ui is let past the façade


def test_import_contract_fails_when_the_ui_imports_core_past_the_facade(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    (project / "assistant_builder" / "ui" / "sneaky.py").write_text(
        "from assistant_builder.core.app import App\n"
        "from assistant_builder.core.records import Assistant\n"
        "from assistant_builder.core.knowledge.process import KnowledgeProcess\n"
    )
    env = {"PYTHONPATH": str(project), "PATH": str(BIN), "HOME": str(tmp_path)}
    broken = subprocess.run([BIN / "lint-imports", "--no-cache"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert broken.returncode != 0
    assert "assistant_builder.ui.sneaky -> assistant_builder.core.knowledge.process" in (
        broken.stdout
    )
    # The façade and the records are allowed: only the knowledge import is reported.
    assert "-> assistant_builder.core.app" not in broken.stdout
    assert "-> assistant_builder.core.records" not in broken.stdout
