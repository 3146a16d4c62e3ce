"""Conversations as a person keeps them: saved as they happen, searchable, exportable, and
intact after the app is killed in the middle of an answer."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant_builder.core.citation import Citation
from assistant_builder.core.conversations import schema
from assistant_builder.core.conversations.export import export_conversation, to_markdown
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.errors import ConversationError
from assistant_builder.core.paths import Paths

CITATION = Citation(
    1, "/home/ada/docs/lease.pdf", 3, 10, 30, "Rent is due monthly.", 0.0, ((0, 24),)
)


def store_at(paths: Paths) -> ConversationStore:
    return ConversationStore(paths.conversations_db)


def test_an_answer_keeps_its_citations_model_settings_and_timings(app_home: Paths) -> None:
    with store_at(app_home) as store:
        conv = store.create("lease-helper")
        store.add_message(conv.id, "user", "When is the rent due?")
        writer = store.start_answer(conv.id, model="smollm2", settings={"temperature": 0.2})
        for piece in ("Rent ", "is due ", "monthly [1]."):
            writer.append(piece)
        writer.finish(
            citations=[CITATION],
            usage={"prompt_tokens": 120, "completion_tokens": 6},
            timings={"ttft_s": 0.05, "total_s": 0.4},
        )
    with store_at(app_home) as store:  # a fresh process would see the same
        (listed,) = store.list()
        assert listed.title == "When is the rent due?" and listed.message_count == 2
        user, answer = store.messages(conv.id)
        assert user.role == "user" and user.complete
        assert answer.content == "Rent is due monthly [1]." and answer.complete
        assert answer.citations == (CITATION,) and answer.model == "smollm2"
        assert answer.settings == {"temperature": 0.2}
        assert answer.timings["total_s"] == 0.4 and answer.usage["completion_tokens"] == 6
        mode = store._conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"


def test_list_rename_delete(app_home: Paths) -> None:
    with store_at(app_home) as store:
        a = store.create("helper", "First")
        b = store.create("other", "Second")
        store.add_message(a.id, "user", "newer activity")
        assert [c.title for c in store.list()] == ["First", "Second"]
        assert [c.title for c in store.list("other")] == ["Second"]
        assert store.rename(b.id, "  Renamed ").title == "Renamed"
        store.delete(a.id)
        assert [c.title for c in store.list()] == ["Renamed"]
        assert store.search("activity") == []  # its messages went with it
        with pytest.raises(ConversationError, match="does not exist"):
            store.rename(a.id, "x")


def test_full_text_search_finds_words_in_any_form_and_survives_odd_input(app_home: Paths) -> None:
    with store_at(app_home) as store:
        conv = store.create("helper", "Holidays")
        store.add_message(conv.id, "user", "Where did we go in Zürich last summer?")
        writer = store.start_answer(conv.id)
        writer.append("You visited the Café ")
        writer.append("near the lake.")
        writer.finish()
        other = store.create("helper", "Work")
        store.add_message(other.id, "user", "Quarterly report deadline")
        (hit,) = store.search("zurich")  # accents folded
        assert hit.conversation_id == conv.id and hit.title == "Holidays"
        assert ("Zürich", True) in hit.parts and "[" not in "".join(t for t, _ in hit.parts)
        (streamed,) = store.search("cafe lake")  # text written while streaming is indexed
        assert streamed.role == "assistant"
        for odd in ('"', "AND OR NOT", "report*", "NEAR(", "'; DROP TABLE messages; --", ""):
            store.search(odd)  # never an FTS syntax error
        assert [h.title for h in store.search("report")] == ["Work"]
        assert store.integrity_check() == "ok"


def test_markdown_and_json_exports(app_home: Paths, tmp_path: Path) -> None:
    with store_at(app_home) as store:
        conv = store.create("lease-helper", "Rent")
        store.add_message(conv.id, "user", "When is rent due?")
        writer = store.start_answer(conv.id, model="smollm2")
        writer.append("Monthly [1].")
        writer.finish(
            citations=[CITATION], timings={"total_s": 1.25}, usage={"completion_tokens": 4}
        )
        half = store.start_answer(conv.id)
        half.append("It depends on")
        md = export_conversation(store, conv.id, tmp_path / "rent.md").read_text(encoding="utf-8")
        data = json.loads(export_conversation(store, conv.id, tmp_path / "rent.json").read_text())
    assert md.startswith("# Rent\n")
    assert "## You\n\nWhen is rent due?" in md and "## Assistant\n\nMonthly [1]." in md
    assert "[1] lease.pdf, page 3: “Rent is due monthly.”" in md and "/home/ada" not in md
    assert "model smollm2 · 1.2 s · 4 tokens" in md
    assert "It depends on\n\n*(This answer was interrupted" in md
    assert data["format"] == "assistant-builder.conversation" and data["version"] == 1
    assert [m["role"] for m in data["messages"]] == ["user", "assistant", "assistant"]
    assert data["messages"][1]["citations"] == [CITATION.record()]
    assert data["messages"][2]["complete"] is False


def test_migrations_are_numbered_and_a_newer_database_is_refused(app_home: Paths) -> None:
    with store_at(app_home) as store:
        assert store._conn.execute("PRAGMA user_version").fetchone()[0] == schema.VERSION
    with store_at(app_home):
        pass  # opening again migrates nothing and fails nothing
    conn = sqlite3.connect(app_home.conversations_db)
    conn.execute(f"PRAGMA user_version = {schema.VERSION + 1}")
    conn.close()
    with pytest.raises(ConversationError, match="newer version"):
        store_at(app_home)


def test_a_failing_migration_leaves_the_database_as_it_was(
    app_home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_at(app_home).close()
    broken = "CREATE TABLE notes (id INTEGER);\nTHIS IS NOT SQL;"
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, broken])
    monkeypatch.setattr(schema, "VERSION", len(schema.MIGRATIONS))
    with pytest.raises(ConversationError):
        store_at(app_home)
    conn = sqlite3.connect(app_home.conversations_db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.VERSION - 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "notes" not in tables
    conn.close()


def test_a_damaged_database_file_gets_a_plain_sentence(app_home: Paths) -> None:
    app_home.conversations_db.parent.mkdir(parents=True)
    app_home.conversations_db.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ConversationError, match="move it aside"):
        store_at(app_home)


STREAMER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from assistant_builder.core.conversations.store import ConversationStore

    store = ConversationStore(Path(sys.argv[1]))
    conv = store.create("helper", "Killed mid-answer")
    store.add_message(conv.id, "user", "Tell me a long story.")
    writer = store.start_answer(conv.id, model="smollm2")
    print(conv.id, writer.message_id, flush=True)
    n = 0
    while True:  # an answer that streams until the process is killed
        writer.append(f"word{n} ")
        print(n, flush=True)
        n += 1
    """
)


def test_sigkill_while_an_answer_streams_loses_nothing_committed(app_home: Paths) -> None:
    with store_at(app_home) as store:
        earlier = store.create("helper", "Earlier")
        store.add_message(earlier.id, "user", "Hello")
        store.add_message(earlier.id, "assistant", "Hi there [1].", citations=[CITATION])
    proc = subprocess.Popen(
        [sys.executable, "-c", STREAMER, str(app_home.conversations_db)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert proc.stdout is not None
    conv_id, message_id = map(int, proc.stdout.readline().split())
    acknowledged = -1
    while acknowledged < 300:
        acknowledged = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    with store_at(app_home) as store:
        assert store.integrity_check() == "ok"
        answer = store.message(message_id)
        written = answer.content.split()
        assert not answer.complete
        # Every word whose commit was acknowledged is there, in order, and nothing is torn.
        assert len(written) >= acknowledged + 1
        assert written == [f"word{i}" for i in range(len(written))]
        assert [m.content for m in store.messages(earlier.id)] == ["Hello", "Hi there [1]."]
        assert store.messages(earlier.id)[1].citations == (CITATION,)
        assert [c.title for c in store.list()] == ["Killed mid-answer", "Earlier"]
        assert store.search(f"word{acknowledged}")[0].message_id == message_id
        md = to_markdown(store.get(conv_id), store.messages(conv_id))
        assert "interrupted" in md
        # The conversation goes on: a new answer can be written after the crash.
        store.add_message(conv_id, "user", "Go on.")
        assert store.integrity_check() == "ok"
        # FTS5's own consistency check raises if the index and the messages disagree.
        store._conn.execute(
            "INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)"
        )


def test_the_markdown_export_shows_the_attribution_as_footnotes(
    app_home: Paths, tmp_path: Path
) -> None:
    from assistant_builder.core.citation import Grounding

    answer = "Rent is due monthly. Pets cost extra."
    rent = (0, answer.index(" Pets"))
    with store_at(app_home) as store:
        conv = store.create("lease-helper", "Rent")
        store.add_message(conv.id, "user", "When is rent due?")
        writer = store.start_answer(conv.id)
        writer.append(answer)
        cited = Citation(1, "/home/ada/lease.pdf", 3, 10, 30, "Rent is due\nmonthly.", 0.8, (rent,))
        message = writer.finish(
            citations=[cited], grounding=Grounding(unsupported=((rent[1] + 1, len(answer)),))
        )
        md = export_conversation(store, conv.id, tmp_path / "rent.md").read_text(encoding="utf-8")
    label = f"{message.id}-1"
    assert f"Rent is due monthly.[^{label}] Pets cost extra. *(not found in your documents)*" in md
    assert f"[^{label}]: [1] lease.pdf, page 3: “Rent is due monthly.”" in md
