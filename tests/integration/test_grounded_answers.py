"""Answers you can check, with the starter model as it is: real documents no one here wrote,
the real SmolLM2 and MiniLM, an assistant with the default instructions and no worked examples.
The app attributes the answer itself, so a grounded answer shows its source although the model
never writes "[n]", and a sentence the documents do not say is marked as such."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.fileio import write_json_atomic
from assistant_builder.core.knowledge.embedder_export import memo_key, prepared_embedder
from assistant_builder.core.knowledge.embedder_onnx import FLOAT32
from assistant_builder.core.knowledge.embedder_runner import RECORD, processor
from assistant_builder.core.paths import HOME_ENV, Paths
from tests.conftest import TEST_CACHE
from tests.integration.conftest import cli

pytestmark = pytest.mark.integration

REAL_DOCS = Path(__file__).parent.parent / "data" / "real_docs"


def _read_passages_in_float32(paths: Paths, minilm_dir: Path) -> None:
    """The home reads passages with OpenVINO's float32 copy on every computer. The runtime
    measured fastest here changes which passage comes fifth (the int8 copy's vectors stray
    from float32's by up to 0.7%), so the prompt, and with it the tiny model's answer at
    temperature 0: with the int8 copy's fifth passage SmolLM2 goes on writing the documents'
    markup instead of an answer. With the same prompt everywhere this test checks attribution
    on the same answer on every computer; which runtime is chosen is tested in
    tests/knowledge/test_int8_embedder.py."""
    shared = TEST_CACHE / "int8-embedders"
    assert prepared_embedder(minilm_dir, shared) is not None  # the export made, once
    key = memo_key(minilm_dir)
    own = paths.embedders_cache
    own.unlink()  # the link to the shared cache (tests/conftest.py)
    own.mkdir()
    (own / key).symlink_to(shared / key, target_is_directory=True)
    record = {"runner": FLOAT32, "folder": str(minilm_dir), "figures": {}, "measured": "pinned"}
    write_json_atomic(own / RECORD, {f"{key}:{processor()}": record})


def test_a_grounded_answer_cites_the_right_file_without_worked_examples(
    app_home: Paths, smollm2_gguf: Path, minilm_dir: Path
) -> None:
    home = Path(os.environ[HOME_ENV])
    _read_passages_in_float32(app_home, minilm_dir)
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "settings.json").write_text(json.dumps({"threads": 2}))
    env = {HOME_ENV: str(home)}
    for step in (
        ("models", "add", str(smollm2_gguf), "--name", "smol"),
        ("collections", "create", "debian", str(REAL_DOCS), "--embedder", str(minilm_dir)),
        ("collections", "index", "debian"),
        ("assistants", "create", "Helper", "--model", "smol", "--collection", "debian"),
    ):
        done = cli(*step, env=env)
        assert done.returncode == 0, (step, done.stderr)
    manifest = json.loads((home / "data" / "collections" / "debian" / "manifest.json").read_text())
    assert manifest["variant"] == FLOAT32
    saved = json.loads((home / "data" / "assistants" / "helper.json").read_text())
    assert saved["examples"] == []  # the assistant as a new user makes it

    question = "Which commands does the adduser package include?"
    asked = cli(
        "ask", "Helper", question, "--json", "--temperature", "0", "--seed", "1",
        "--max-tokens", "60", env=env,
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    data = json.loads(asked.stdout)
    answer = data["answer"]
    assert "[" not in answer  # the model wrote no citation of its own
    assert data["citations"], answer
    cited = data["citations"][0]
    assert Path(cited["source"]).name == "adduser-README.txt"
    assert cited["spans"] and all(0 <= a < b <= len(answer) for a, b in cited["spans"])
    supported = " ".join(answer[a:b] for a, b in cited["spans"])
    assert "adduser" in supported
    for a, b in data["unsupported"]:  # never overlapping what a passage supports
        assert not any(a < y and x < b for x, y in cited["spans"])

    # The conversation keeps the same attribution.
    stored = ConversationStore(Paths.from_env().conversations_db)
    try:
        message = stored.messages(data["conversation_id"])[-1]
    finally:
        stored.close()
    assert [c.to_json() for c in message.citations] == data["citations"]
    assert [list(s) for s in message.grounding.unsupported] == data["unsupported"]
