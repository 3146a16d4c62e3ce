"""``ask`` and ``chat`` as a user runs them: real processes, the real SmolLM2 model and MiniLM
embedder on a small real folder, answers saved in the conversation."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant_builder.core.assistants.turn import Answer
from assistant_builder.core.citation import Citation
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.engine.protocol import Timings, Usage
from assistant_builder.core.paths import Paths
from tests.integration.conftest import DOCS, tune_assistant
from tests.test_cli import run_cli


@pytest.mark.integration
def test_ask_json_answers_from_the_folder_and_keeps_the_conversation(
    app_home: Paths, ready: Path
) -> None:
    result = run_cli("ask", "Cats", "How long do cats sleep?", "--max-tokens", "30", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # stdout holds the JSON alone
    assert {"answer", "citations", "usage", "timings"} <= set(data)
    assert data["answer"].strip()
    assert "Loading the model" in result.stderr
    assert data["citations"], data["answer"]  # the app attributes the copied sentence
    for citation in data["citations"]:
        assert set(citation) == {"n", "source", "page", "start", "end", "text", "spans"}
        assert isinstance(citation["n"], int) and citation["spans"]  # what of the answer it backs
        assert all(0 <= a < b <= len(data["answer"]) for a, b in citation["spans"])
        assert Path(citation["source"]).parent == ready and Path(citation["source"]).name in DOCS
        assert citation["page"] is None  # markdown has no pages
        assert citation["text"].strip() in DOCS[Path(citation["source"]).name]
    assert data["flagged"] == []
    usage, timings = data["usage"], data["timings"]
    assert usage["prompt_tokens"] > 0 and 0 < usage["completion_tokens"] <= 30
    assert 0 < timings["ttft_s"] <= timings["total_s"]

    saved = ConversationStore(app_home.conversations_db).messages(data["conversation_id"])
    assert [m.role for m in saved] == ["user", "assistant"]
    assert saved[0].content == "How long do cats sleep?"
    assert saved[1].content == data["answer"] and saved[1].model == "smol"
    assert [c.source for c in saved[1].citations] == [c["source"] for c in data["citations"]]


def test_ask_an_unknown_assistant_is_one_plain_sentence(app_home: Paths) -> None:
    result = run_cli("ask", "Nobody", "Hello?")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_json_shape_drops_and_flags_an_invented_citation() -> None:
    from assistant_builder.cli.ask import answer_json

    real = Citation(1, "/docs/cats.md", None, 0, 40, "Cats sleep fifteen hours.", 0.9, ((0, 24),))
    answer = Answer("They sleep fifteen hours [1], says [7].", (real,), (7,), Usage(50, 9),
                    Timings(0.2, 0.9), "stop")  # fmt: skip
    data = answer_json(answer, 3)
    assert data["citations"] == [
        {"n": 1, "source": "/docs/cats.md", "page": None, "start": 0, "end": 40,
         "text": "Cats sleep fifteen hours.", "spans": [[0, 24]]}
    ]  # fmt: skip
    assert data["flagged"] == [7]
    assert data["usage"] == {"prompt_tokens": 50, "completion_tokens": 9}
    assert data["timings"] == {"ttft_s": 0.2, "total_s": 0.9}


class _Reader:
    """Collects a pipe's text on a thread so the test can wait for what it expects."""

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        self.text = ""
        self._lock = threading.Lock()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:  # type: ignore[no-untyped-def]
        while chunk := stream.read1(256) if hasattr(stream, "read1") else stream.read(1):
            with self._lock:
                self.text += chunk.decode("utf-8", "replace") if isinstance(chunk, bytes) else chunk

    def wait_for(self, predicate, timeout: float = 180) -> str:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if predicate(self.text):
                    return self.text
            time.sleep(0.05)
        raise AssertionError(f"timed out; got {self.text!r}")


@pytest.mark.integration
def test_chat_streams_keeps_history_and_ctrl_c_stops_only_the_answer(
    app_home: Paths, ready: Path
) -> None:
    tune_assistant(Path(os.environ["ASSISTANT_BUILDER_HOME"]), max_tokens=200)
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant_builder", "chat", "Cats"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )  # fmt: skip
    assert proc.stdin is not None
    out, err = _Reader(proc.stdout), _Reader(proc.stderr)
    try:
        out.wait_for(lambda t: t.count("You: ") == 1)
        proc.stdin.write(b"How long do cats sleep?\n")
        proc.stdin.flush()
        first = out.wait_for(lambda t: t.count("You: ") == 2)
        assert "Cats: " in first and "fifteen" in first.split("Cats: ", 1)[1]

        proc.stdin.write(b"Now write a very long story about a cat who travels the world.\n")
        proc.stdin.flush()
        out.wait_for(lambda t: t.count("Cats: ") == 2 and len(t.split("Cats: ")[2].strip()) > 10)
        # Ctrl+C in a terminal signals the whole process group, the model process included.
        os.killpg(proc.pid, signal.SIGINT)
        err.wait_for(lambda t: "stopped" in t)
        out.wait_for(lambda t: t.count("You: ") == 3)

        proc.stdin.write(b"/exit\n")
        proc.stdin.flush()
        assert proc.wait(timeout=60) == 0, err.text
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Traceback" not in err.text
    conversations = ConversationStore(app_home.conversations_db)
    [conversation] = conversations.list()
    messages = conversations.messages(conversation.id)
    assert [m.role for m in messages] == ["user", "assistant"] * 2
    assert messages[1].stop_reason == "stop" and "fifteen" in messages[1].content
    stopped = messages[3]
    assert stopped.stop_reason == "cancelled" and stopped.complete
    assert 0 < stopped.usage["completion_tokens"] < 200 and stopped.content.strip()


@pytest.mark.integration
def test_preview_prints_the_prompt_that_ask_then_evaluates(app_home: Paths, ready: Path) -> None:
    question = "How long do cats sleep?"
    shown = run_cli("preview", "Cats", question, "--json")
    assert shown.returncode == 0, shown.stderr
    preview = json.loads(shown.stdout)
    assert preview["passages"] > 0 and preview["parts"]["documents"] > 0
    assert sum(preview["parts"].values()) == preview["tokens"] <= preview["context_size"]
    assert question in preview["prompt"] and "<|im_start|>" in preview["prompt"]

    asked = run_cli("ask", "Cats", question, "--max-tokens", "8", "--json", "--show-prompt")
    assert asked.returncode == 0, asked.stderr
    data = json.loads(asked.stdout)
    assert data["prompt"] == preview["prompt"]  # what the engine evaluated is what was shown
    assert data["usage"]["prompt_tokens"] == preview["tokens"]

    plain = run_cli("preview", "Cats", question)
    assert plain.returncode == 0 and plain.stdout.rstrip("\n") == preview["prompt"].rstrip("\n")
    assert f"{preview['tokens']} of {preview['context_size']} tokens" in plain.stderr


@pytest.mark.integration
def test_a_stop_text_ends_the_answer_early_from_the_file_or_the_command_line(
    app_home: Paths, ready: Path
) -> None:
    def ask(*options: str) -> str:
        result = run_cli("ask", "Cats", "How long do cats sleep?", "--json", *options)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)["answer"].rstrip()

    full = ask()
    words = full.split()
    assert len(words) > 4, full

    def before(word: str) -> str:
        return full[: full.index(word)].rstrip()

    middle, last = words[len(words) // 2], words[-1]
    tune_assistant(Path(os.environ["ASSISTANT_BUILDER_HOME"]), stop=[middle])  # saved in its file
    assert ask() == before(middle) and len(before(middle)) < len(full)
    tune_assistant(Path(os.environ["ASSISTANT_BUILDER_HOME"]), stop=[])
    assert ask("--stop", "xyzzy", "--stop", last) == before(last)


@pytest.mark.integration
def test_a_sampling_option_out_of_range_is_refused_naming_it(app_home: Paths, ready: Path) -> None:
    result = run_cli("ask", "Cats", "Hello?", "--temperature", "3")
    assert result.returncode == 1 and result.stdout == ""
    assert "temperature is 3, but it must be between 0 and 2" in result.stderr
    assert "Loading the model" not in result.stderr  # refused before the wait


def test_preview_of_an_empty_question_is_refused_as_ask_refuses_it(app_home: Paths) -> None:
    result = run_cli("preview", "Anyone", "  ")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == "The question is empty; type what you want to ask."


@pytest.mark.integration
def test_ask_says_it_keeps_the_answer_and_no_history_keeps_nothing(
    app_home: Paths, ready: Path
) -> None:
    kept = run_cli("ask", "Cats", "How long do cats sleep?", "--max-tokens", "8")
    assert kept.returncode == 0, kept.stderr
    [conversation] = ConversationStore(app_home.conversations_db).list()
    assert f"kept in the app's history (conversation {conversation.id})" in kept.stderr
    assert "--no-history" in kept.stderr

    for extra in ((), ("--json",)):
        result = run_cli(
            "ask", "Cats", "Do cats dream?", "--max-tokens", "8", "--no-history", *extra
        )
        assert result.returncode == 0, result.stderr
        assert "history" not in result.stderr
        if extra:
            assert json.loads(result.stdout)["conversation_id"] is None
    assert [c.id for c in ConversationStore(app_home.conversations_db).list()] == [conversation.id]
    assert not list(app_home.scratch_dir.glob("*/conversation.sqlite3"))  # nothing left behind


@pytest.mark.integration
def test_chat_ended_with_ctrl_d_ends_its_last_line(app_home: Paths, ready: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "assistant_builder", "chat", "Cats", "--max-tokens", "8"],
        input=b"How long do cats sleep?\n",  # then the end of input, as Ctrl+D gives
        capture_output=True, timeout=300,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert out.count("You: ") == 2 and out.endswith("You: \n")
    assert "The conversation is saved" in proc.stderr.decode()
