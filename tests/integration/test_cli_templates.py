"""``ask`` and ``chat`` as a user runs them print the answer and plain notices only: a model
whose own chat template is broken answers on the standard template with one notice line, and
llama.cpp's own messages never reach the terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant_builder.core.paths import HOME_ENV, Paths
from tests.engine.test_broken_template_models import NOTICES
from tests.integration.conftest import cli
from tests.template_ggufs import BROKEN_TEMPLATES

pytestmark = pytest.mark.integration

LENGTH = "The answer reached its maximum length; ask with a larger --max-tokens."


def _plain_notices(lines: list[str]) -> set[str]:
    """The notices after the answer, but for the line saying where it is kept."""
    return {line for line in lines if "kept in the app's history" not in line}


def _home_with(model: Path) -> dict[str, str]:
    """This test's home with ``model`` installed and an assistant "Cats" that uses it."""
    home = Path(os.environ[HOME_ENV])
    env = {HOME_ENV: str(home)}
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "settings.json").write_text(json.dumps({"threads": 2}))
    steps = [
        ("models", "add", str(model), "--name", "smol"),
        ("assistants", "create", "Cats", "--model", "smol", "--system-prompt", "Be brief."),
    ]
    for step in steps:
        result = cli(*step, env=env)
        assert result.returncode == 0, (step, result.stderr)
    return env


@pytest.mark.parametrize("kind", sorted(BROKEN_TEMPLATES))
def test_ask_answers_with_one_notice_line_when_the_models_template_is_broken(
    app_home: Paths, broken_template_ggufs: dict[str, Path], kind: str
) -> None:
    env = _home_with(broken_template_ggufs[kind])
    result = cli("ask", "Cats", "Say hello.", "--max-tokens", "6", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()  # the answer
    lines = result.stderr.splitlines()
    assert lines[:2] == ["Loading the model of “Cats” (smol)…", NOTICES[kind]]
    assert _plain_notices(lines[2:]) <= {LENGTH}, result.stderr


def test_chat_says_the_notice_once_and_keeps_answering(
    app_home: Paths, broken_template_ggufs: dict[str, Path]
) -> None:
    env = _home_with(broken_template_ggufs["syntax"])
    result = subprocess.run(
        [sys.executable, "-m", "assistant_builder", "chat", "Cats"],
        input="Say hello.\nSay goodbye.\n/exit\n", capture_output=True, text=True,
        timeout=240, env={**os.environ, **env},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Cats: ") == 2
    assert result.stderr.count(NOTICES["syntax"]) == 1
    assert "Traceback" not in result.stderr and "llama" not in result.stderr


def test_ask_with_documents_prints_nothing_of_llama_cpp(app_home: Paths, ready: Path) -> None:
    result = cli("ask", "Cats", "How long do cats sleep?", "--max-tokens", "8", env={})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    lines = result.stderr.splitlines()
    # The vocabulary load used to print "n_ctx_seq (…) > n_ctx_train (…)" here.
    assert lines[0] == "Loading the model of “Cats” (smol)…", result.stderr
    assert _plain_notices(lines[1:]) <= {LENGTH}, result.stderr
