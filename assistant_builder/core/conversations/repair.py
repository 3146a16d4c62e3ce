"""A damaged conversations database at start-up: moved aside (never deleted), a new one
started, and every conversation and message that can still be read copied into it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.fileio import move_aside

SIDECARS = ("-wal", "-shm")


def _readable(path: Path) -> bool:
    """The cheap check made at every start (the header and the schema can be read); a full
    ``integrity_check`` would cost a read of the whole file."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute("SELECT count(*) FROM messages").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return True


def _salvage(damaged: Path, fresh: Path) -> int:
    """Copy what can be read of the damaged file into the fresh one; the messages copied."""
    with ConversationStore(fresh) as store:
        conn = store._conn
        try:
            conn.execute("ATTACH DATABASE ? AS old", (f"file:{damaged}?mode=ro",))
        except sqlite3.DatabaseError:
            return 0
        copied = 0
        try:
            for table in ("conversations", "messages"):
                try:
                    columns = [r[1] for r in conn.execute(f"PRAGMA main.table_info({table})")]
                    names = ", ".join(columns)
                    cur = conn.execute(f"INSERT OR IGNORE INTO main.{table} ({names}) "
                                       f"SELECT {names} FROM old.{table}")  # fmt: skip
                    copied += cur.rowcount if table == "messages" else 0
                except sqlite3.DatabaseError:
                    continue
        finally:
            conn.execute("DETACH DATABASE old")
        return max(copied, 0)


def repair_conversations(path: Path) -> str:
    """Nothing when the file is readable; otherwise the sentence saying what was done."""
    if not path.exists() or _readable(path):
        return ""
    kept = move_aside(path, also=SIDECARS)
    copied = _salvage(kept, path)
    saved = f", with the {copied} messages that could still be read" if copied else ""
    return (
        f"Your conversations file was damaged, so it was kept aside as {kept.name} and a "
        f"new one started{saved}."
    )
