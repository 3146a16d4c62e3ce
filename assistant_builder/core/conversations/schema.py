"""The conversations database's schema as numbered migrations, tracked by ``user_version``.

MIGRATIONS[n] takes the database from version n to n + 1, inside one transaction, so a crash
mid-migration leaves the previous version intact. Append; never edit a released one."""

from __future__ import annotations

import sqlite3

from assistant_builder.core.errors import ConversationError

_V1 = """
CREATE TABLE conversations (
    id          INTEGER PRIMARY KEY,
    assistant   TEXT NOT NULL,
    title       TEXT NOT NULL DEFAULT '',
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL
);
CREATE INDEX conversations_by_update ON conversations(updated_at DESC);

CREATE TABLE messages (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role             TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content          TEXT NOT NULL DEFAULT '',
    complete         INTEGER NOT NULL DEFAULT 1,
    created_at       REAL NOT NULL,
    model            TEXT NOT NULL DEFAULT '',
    settings         TEXT NOT NULL DEFAULT '{}',  -- JSON: sampling and context of this answer
    citations        TEXT NOT NULL DEFAULT '[]',  -- JSON: passages the answer cites
    invented         TEXT NOT NULL DEFAULT '[]',  -- JSON: [n] it cited that were never sent
    timings          TEXT NOT NULL DEFAULT '{}',  -- JSON: ttft_s, total_s
    usage            TEXT NOT NULL DEFAULT '{}',  -- JSON: prompt_tokens, completion_tokens
    stop_reason      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX messages_by_conversation ON messages(conversation_id, id);

-- Full-text index kept in step with the messages by triggers, in the same transaction.
CREATE VIRTUAL TABLE messages_fts USING fts5(
    content, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER messages_au AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
"""

# What an answer rests on (core/citation.py Grounding): the query, every passage found and
# what became of it, and the spans of the answer no passage supports.
_V2 = """
ALTER TABLE messages ADD COLUMN grounding TEXT NOT NULL DEFAULT '{}';
"""

# A reasoning model's thinking, shown apart and never sent back as the answer.
_V3 = """
ALTER TABLE messages ADD COLUMN reasoning TEXT NOT NULL DEFAULT '';
"""

MIGRATIONS: list[str] = [_V1, _V2, _V3]
VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database up to VERSION; returns the version it had before."""
    before = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if before > VERSION:
        raise ConversationError(
            "The conversations were saved by a newer version of Assistant Builder; "
            "update the app to open them."
        )
    for number in range(before, VERSION):
        try:
            conn.execute("BEGIN IMMEDIATE")
            # Another process may have migrated while we waited for the lock.
            if int(conn.execute("PRAGMA user_version").fetchone()[0]) > number:
                conn.execute("COMMIT")
                continue
            for statement in _statements(MIGRATIONS[number]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return before


def _statements(script: str) -> list[str]:
    # executescript() would commit on its own; split into complete statements instead.
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return [s for s in statements if s]
