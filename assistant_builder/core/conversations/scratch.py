"""Conversations that are not kept: the editor's Try it and ``ask --no-history`` answer
through the same path as a kept conversation, into a throwaway database under the scratch
folder, so trying something never clutters the person's history or its search."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from assistant_builder.core.conversations.store import ConversationStore


class ScratchConversations(ConversationStore):
    """A conversation store in a folder of its own; ``close`` removes the folder."""

    def __init__(self, scratch_dir: Path, prefix: str = "scratch-") -> None:
        scratch_dir.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=prefix, dir=scratch_dir))
        super().__init__(self.folder / "conversation.sqlite3")

    def close(self) -> None:
        super().close()
        shutil.rmtree(self.folder, ignore_errors=True)
