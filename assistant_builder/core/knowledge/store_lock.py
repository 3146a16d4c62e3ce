"""The indexing lock of a shared store: one indexer at a time writes a collection's table,
whichever computer or data folder it runs from; the others are refused with a sentence.

LanceDB gives no lock of its own: two commits never overwrite each other (on S3 a commit is a
conditional put, retried on conflict), but two indexers that both "delete a file's chunks, add
its new ones" duplicate them, and creating a table twice at once lets the second win. So the
lock is a claim appended to a small table: appends are serialised by those commits and kept
in commit order, and the earliest live claim holds the lock. Every claimant reads the same
order, so exactly one of them sees its own claim first; the others withdraw theirs. (The
claims table itself is made when the collection is created, so no two runs make it at once.)"""

from __future__ import annotations

import getpass
import socket
import time
import uuid
from datetime import datetime
from typing import Any

from assistant_builder.core.errors import KnowledgeError
from assistant_builder.core.knowledge.store import LOCK_TABLE

# A claim not renewed for this long belongs to an indexer that was killed: it is set aside.
# The holder renews it at each batch of passages, which takes seconds, not minutes.
STALE_S = 15 * 60


class StoreBusy(KnowledgeError):
    pass


def _schema() -> Any:
    import pyarrow as pa

    return pa.schema([
        pa.field("claim", pa.string()),
        pa.field("who", pa.string()),
        pa.field("since", pa.float64()),
        pa.field("renewed", pa.float64()),
    ])  # fmt: skip


def _who() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "someone"
    return f"{user} on {socket.gethostname()}"


def _is(column: str, value: str) -> str:
    return f"{column} = '" + value.replace("'", "''") + "'"


def make_lock_table(db: Any) -> None:
    db.create_table(LOCK_TABLE, schema=_schema(), exist_ok=True)


class StoreLock:
    """Held for one indexing run: ``acquire`` or StoreBusy, ``renew`` now and then, ``release``."""

    def __init__(self, db: Any, collection: str) -> None:
        self._db = db
        self._collection = collection
        self.claim = uuid.uuid4().hex
        self._table: Any = None

    def _lock_table(self) -> Any:
        if self._table is None:
            self._table = self._db.create_table(LOCK_TABLE, schema=_schema(), exist_ok=True)
        return self._table

    def acquire(self) -> None:
        table = self._lock_table()
        now = time.time()
        row: dict[str, Any] = {"claim": self.claim, "who": _who(), "since": now, "renewed": now}
        table.add([row])
        claims = table.to_arrow().to_pylist()  # in commit order
        stale = [c for c in claims if now - c["renewed"] > STALE_S and c["claim"] != self.claim]
        for old in stale:
            table.delete(_is("claim", old["claim"]))
        live = [c for c in claims if c not in stale]
        first = live[0] if live else row
        if first["claim"] != self.claim:
            table.delete(_is("claim", self.claim))
            since = datetime.fromtimestamp(first["since"]).strftime("%H:%M")
            raise StoreBusy(
                f"The collection “{self._collection}” is being indexed by {first['who']} "
                f"(since {since}) in its shared store; index it again when that has finished."
            )

    def renew(self) -> None:
        self._lock_table().update(where=_is("claim", self.claim), values={"renewed": time.time()})

    def release(self) -> None:
        self._lock_table().delete(_is("claim", self.claim))
