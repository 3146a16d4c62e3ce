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
from assistant_builder.core.paths import HOME_ENV, Paths
from tests.integration.conftest import cli

pytestmark = pytest.mark.integration

REAL_DOCS = Path(__file__).parent.parent / "data" / "real_docs"


def test_a_grounded_answer_cites_the_right_file_without_worked_examples(
    app_home: Paths, smollm2_gguf: Path, minilm_dir: Path
) -> None:
    home = Path(os.environ[HOME_ENV])
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
