"""Conversations in SQLite (WAL): create, list, rename, delete, full-text search, and answers
written while they stream so that a crash or kill keeps the text received so far."""

from __future__ import annotations

import builtins
import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant_builder.core.citation import Citation, Grounding
from assistant_builder.core.conversations.schema import migrate
from assistant_builder.core.errors import ConversationError, plain_disk_full

TITLE_LENGTH = 60
# Around the matching words of a search snippet: control characters no message contains.
MATCH_START, MATCH_END = "\x02", "\x03"


@dataclass(frozen=True)
class Conversation:
    id: int
    assistant: str
    title: str
    created_at: float
    updated_at: float
    message_count: int = 0


@dataclass(frozen=True)
class Message:
    id: int
    conversation_id: int
    role: str
    content: str
    complete: bool
    created_at: float
    model: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    citations: tuple[Citation, ...] = ()
    invented_citations: list[int] = field(default_factory=list)
    timings: dict[str, Any] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)
    stop_reason: str = ""
    grounding: Grounding = field(default_factory=Grounding)
    reasoning: str = ""  # a reasoning model's thinking, kept apart from the answer


@dataclass(frozen=True)
class SearchHit:
    conversation_id: int
    title: str
    assistant: str
    message_id: int
    role: str
    snippet: str  # the matching words are wrapped in MATCH_START and MATCH_END

    @property
    def parts(self) -> builtins.list[tuple[str, bool]]:
        """The snippet as (text, is a matching word) pieces, for a view to highlight: marked
        by look, not by brackets that a reader would take for a citation."""
        out: builtins.list[tuple[str, bool]] = []
        for i, piece in enumerate(self.snippet.split(MATCH_START)):
            matched, _, rest = piece.partition(MATCH_END) if i else ("", "", piece)
            out += [(t, m) for t, m in ((matched, True), (rest, False)) if t]
        return out


class AnswerWriter:
    """An answer being streamed: each ``append`` is its own small committed transaction."""

    def __init__(self, store: ConversationStore, message_id: int) -> None:
        self._store = store
        self.message_id = message_id
        self.text = ""

    def append(self, text: str) -> None:
        if not text:
            return
        self.text += text
        with self._store._write() as conn:
            conn.execute(
                "UPDATE messages SET content = content || ? WHERE id = ?", (text, self.message_id)
            )

    def finish(
        self,
        *,
        citations: Sequence[Citation] = (),
        invented_citations: Sequence[int] = (),
        usage: Mapping[str, Any] | None = None,
        timings: Mapping[str, Any] | None = None,
        stop_reason: str = "stop",
        grounding: Grounding | None = None,
        reasoning: str = "",
    ) -> Message:
        with self._store._write() as conn:
            conn.execute(
                "UPDATE messages SET complete = 1, citations = ?, invented = ?, usage = ?, "
                "timings = ?, stop_reason = ?, grounding = ?, reasoning = ? WHERE id = ?",
                (
                    _dump([c.record() for c in citations]),
                    _dump(list(invented_citations)),
                    _dump(dict(usage or {})),
                    _dump(dict(timings or {})),
                    stop_reason,
                    _dump((grounding or Grounding()).to_json()),
                    reasoning,
                    self.message_id,
                ),
            )
        return self._store.message(self.message_id)


class ConversationStore:
    """The one connection to a conversations file and so its one writer: the app's window
    and its answering worker share this object, and a lock lets one thread at a time use
    the connection (each statement and transaction here is short)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # Autocommit mode: every transaction here is explicit and short.
            self._conn = sqlite3.connect(
                path, isolation_level=None, timeout=10.0, check_same_thread=False
            )
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            migrate(self._conn)
        except sqlite3.DatabaseError as exc:
            raise ConversationError(
                f"The conversations file {path} could not be opened ({exc}); "
                "move it aside to start a new one."
            ) from exc
        self.path = path
        self._lock = threading.RLock()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> ConversationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        full = plain_disk_full(self.path, "the conversation", "send or save it again")
        with self._lock, full:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:  # SQLite rolls some failures back itself
                    self._conn.execute("ROLLBACK")
                raise

    def _rows(self, sql: str, args: Sequence[object] = ()) -> builtins.list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, tuple(args)).fetchall()

    # Conversations.
    def create(self, assistant: str, title: str = "") -> Conversation:
        now = time.time()
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO conversations(assistant, title, created_at, updated_at) "
                "VALUES (?, ?, ?, ?)",
                (assistant, title.strip(), now, now),
            )
        return self.get(int(cur.lastrowid or 0))

    def get(self, conversation_id: int) -> Conversation:
        rows = self._rows(f"{_CONVERSATIONS} WHERE c.id = ? GROUP BY c.id", (conversation_id,))
        row = rows[0] if rows else None
        if row is None:
            raise ConversationError(f"Conversation {conversation_id} does not exist any more.")
        return _conversation(row)

    def list(self, assistant: str | None = None) -> list[Conversation]:
        """Most recently active first."""
        where, args = ("WHERE c.assistant = ?", (assistant,)) if assistant else ("", ())
        rows = self._rows(
            f"{_CONVERSATIONS} {where} GROUP BY c.id ORDER BY c.updated_at DESC, c.id DESC", args
        )
        return [_conversation(r) for r in rows]

    def rename(self, conversation_id: int, title: str) -> Conversation:
        self.get(conversation_id)
        with self._write() as conn:
            conn.execute(
                "UPDATE conversations SET title = ? WHERE id = ?", (title.strip(), conversation_id)
            )
        return self.get(conversation_id)

    def delete(self, conversation_id: int) -> None:
        self.get(conversation_id)
        with self._write() as conn:
            conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    # Messages.
    def add_message(
        self,
        conversation_id: int,
        role: str,
        content: str,
        *,
        model: str = "",
        settings: Mapping[str, Any] | None = None,
        citations: Sequence[Citation] = (),
        timings: Mapping[str, Any] | None = None,
        usage: Mapping[str, Any] | None = None,
        complete: bool = True,
    ) -> Message:
        conversation = self.get(conversation_id)
        now = time.time()
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO messages(conversation_id, role, content, complete, created_at, "
                "model, settings, citations, timings, usage) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    conversation_id, role, content, int(complete), now, model,
                    _dump(dict(settings or {})), _dump([c.record() for c in citations]),
                    _dump(dict(timings or {})), _dump(dict(usage or {})),
                ),
            )  # fmt: skip
            conn.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id)
            )
            if not conversation.title and role == "user":
                conn.execute(
                    "UPDATE conversations SET title = ? WHERE id = ?",
                    (_title_from(content), conversation_id),
                )
        return self.message(int(cur.lastrowid or 0))

    def start_answer(
        self, conversation_id: int, *, model: str = "", settings: Mapping[str, Any] | None = None
    ) -> AnswerWriter:
        """Create the answer's row now, empty and incomplete, to be filled as it streams."""
        message = self.add_message(
            conversation_id, "assistant", "", model=model, settings=settings, complete=False
        )
        return AnswerWriter(self, message.id)

    def message(self, message_id: int) -> Message:
        rows = self._rows("SELECT * FROM messages WHERE id = ?", (message_id,))
        row = rows[0] if rows else None
        if row is None:
            raise ConversationError(f"Message {message_id} does not exist any more.")
        return _message(row)

    def messages(self, conversation_id: int) -> builtins.list[Message]:
        rows = self._rows(
            "SELECT * FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,)
        )
        return [_message(r) for r in rows]

    def delete_messages_from(self, conversation_id: int, message_id: int) -> None:
        """Forget a message and every later one (to regenerate or edit the last question)."""
        self.get(conversation_id)
        with self._write() as conn:
            conn.execute(
                "DELETE FROM messages WHERE conversation_id = ? AND id >= ?",
                (conversation_id, message_id),
            )

    def search(self, query: str, *, limit: int = 50) -> builtins.list[SearchHit]:
        """Messages containing every word of ``query`` (any form of punctuation is safe)."""
        match = _fts_query(query)
        if not match:
            return []
        rows = self._rows(
            "SELECT m.id, m.conversation_id, m.role, c.title, c.assistant, "
            f"snippet(messages_fts, 0, '{MATCH_START}', '{MATCH_END}', '…', 12) AS snippet "
            "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid "
            "JOIN conversations c ON c.id = m.conversation_id "
            "WHERE messages_fts MATCH ? ORDER BY rank LIMIT ?",
            (match, limit),
        )
        return [
            SearchHit(r["conversation_id"], r["title"], r["assistant"], r["id"], r["role"],
                      r["snippet"])
            for r in rows
        ]  # fmt: skip

    def integrity_check(self) -> str:
        return str(self._rows("PRAGMA integrity_check")[0][0])


_CONVERSATIONS = (
    "SELECT c.*, COUNT(m.id) AS message_count FROM conversations c "
    "LEFT JOIN messages m ON m.conversation_id = c.id"
)


def _fts_query(query: str) -> str:
    # Each word quoted, so FTS5 operators and stray quotes in what a person types cannot fail.
    words = re.findall(r"\w+", query)
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _title_from(content: str) -> str:
    """The first question on one line; a long one cut between words and ended with "…"."""
    line = " ".join(content.split())
    if len(line) <= TITLE_LENGTH:
        return line
    cut = line[: TITLE_LENGTH - 1]
    if line[TITLE_LENGTH - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _conversation(row: sqlite3.Row) -> Conversation:
    return Conversation(
        row["id"], row["assistant"], row["title"], row["created_at"], row["updated_at"],
        row["message_count"],
    )  # fmt: skip


def _message(row: sqlite3.Row) -> Message:
    return Message(
        id=row["id"],
        conversation_id=row["conversation_id"],
        role=row["role"],
        content=row["content"],
        complete=bool(row["complete"]),
        created_at=row["created_at"],
        model=row["model"],
        settings=json.loads(row["settings"]),
        citations=tuple(Citation.from_json(c) for c in json.loads(row["citations"])),
        invented_citations=json.loads(row["invented"]),
        timings=json.loads(row["timings"]),
        usage=json.loads(row["usage"]),
        stop_reason=row["stop_reason"],
        grounding=Grounding.from_json(json.loads(row["grounding"])),
        reasoning=row["reasoning"],
    )
