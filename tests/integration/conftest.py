"""A home with the real SmolLM2 model, a small real folder indexed with the real MiniLM and an
assistant that uses it, built once through the command line and copied for each test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant_builder.core.paths import HOME_ENV, Paths

# The 135M model answers by copying the passage nearly word for word, so the footnote marker in
# the document becomes the answer's citation; larger models cite on their own.
DOCS = {
    "cats.md": "# Cats\n\nCats sleep for about fifteen hours every day [1]. "
    "A group of cats is called a clowder.\n",
    "bread.md": "# Bread\n\nBread dough rises best in a warm kitchen, at about 27 degrees.\n",
}
# One example exchange that quotes and cites: enough for the 135M model to write [n] markers.
EXAMPLE_PASSAGE = "The sky looks blue because air scatters blue light."
SYSTEM_PROMPT = "Quote the passage that answers and cite its number like [1]."


def cli(
    *args: str, env: dict[str, str], timeout: float = 240, wrap: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run the command line; ``wrap`` is a command to run it under (a connect tracer)."""
    result = subprocess.run(
        [*wrap, sys.executable, "-m", "assistant_builder", *args],
        capture_output=True, text=True, timeout=timeout, env={**os.environ, **env},
    )  # fmt: skip
    return result


def write_docs(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def tune_assistant(home: Path, name: str = "cats", **sampling: object) -> None:
    """Greedy, short answers, a small context and the citing example (the CLI has no flags for
    these; the assistant's file is meant to be readable and editable)."""
    from assistant_builder.core.assistants.model import Example
    from assistant_builder.core.assistants.prompt import Passage, user_turn

    path = home / "data" / "assistants" / f"{name}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    question = user_turn(
        "Why is the sky blue?", [Passage(1, "sky.md", None, 0, 1, EXAMPLE_PASSAGE, 1.0)]
    )
    example = Example(question, EXAMPLE_PASSAGE + " [1]")
    data["examples"] = [{"user": example.user, "assistant": example.assistant}]
    data["sampling"].update({"temperature": 0.0, "seed": 1, "max_tokens": 40, **sampling})
    data["context_size"] = 1024
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def build_home(
    home: Path,
    docs: Path,
    model: Path,
    embedder: Path,
    env: dict[str, str],
    wrap: tuple[str, ...] = (),
) -> None:
    """The user's path: settings, model, collection, index, assistant, all through the CLI."""
    (home / "config").mkdir(parents=True, exist_ok=True)
    # Two threads: the machine running the tests has two cores, shared.
    (home / "config" / "settings.json").write_text(json.dumps({"threads": 2}))
    env = {HOME_ENV: str(home), **env}
    steps = [
        ("models", "add", str(model), "--name", "smol"),
        ("collections", "create", "docs", str(docs), "--embedder", str(embedder)),
        ("collections", "index", "docs"),
        ("assistants", "create", "Cats", "--model", "smol", "--collection", "docs",
         "--system-prompt", SYSTEM_PROMPT),
    ]  # fmt: skip
    for step in steps:
        result = cli(*step, env=env, wrap=wrap)
        assert result.returncode == 0, (step, result.stderr)
    tune_assistant(home)


@pytest.fixture(scope="session")
def prepared_home(
    tmp_path_factory: pytest.TempPathFactory, smollm2_gguf: Path, minilm_dir: Path
) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("prepared")
    docs = write_docs(root / "docs")
    build_home(root / "home", docs, smollm2_gguf, minilm_dir, env={})
    return root / "home", docs


@pytest.fixture
def ready(app_home: Paths, prepared_home: tuple[Path, Path]) -> Path:
    """This test's home holds a copy of the prepared one; returns the documents folder."""
    home = Path(os.environ[HOME_ENV])
    shutil.copytree(prepared_home[0], home, dirs_exist_ok=True, symlinks=True)
    return prepared_home[1]
