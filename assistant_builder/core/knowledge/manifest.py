"""The manifest of an index: which embedder made it and, per file, the content hash and state
that the table holds. Written atomically, and only after the chunks it describes are stored."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.fileio import write_json_atomic

SCHEMA_VERSION = 1
# The table's columns and what is embedded; a manifest of another layout means its table must
# be rebuilt. 1: text only; 2: title and headings embedded too ("search_text").
TABLE_LAYOUT = 2


@dataclass(frozen=True)
class FileEntry:
    hash: str
    size: int
    mtime_ns: int
    chunks: int
    failed: str = ""  # the plain reason when the file could not be read


@dataclass
class Manifest:
    embedder: str = ""
    dimension: int = 0
    files: dict[str, FileEntry] = field(default_factory=dict)
    # True while a run is under way; a run that finds it set knows the last one was killed.
    running: bool = False
    layout: int = TABLE_LAYOUT
    # How the embedder ran when it made the vectors ("float32", or a runtime of its export:
    # "onnx-int8", "openvino-bf16", "openvino-float32"; "" before this was recorded, which was
    # float32).
    variant: str = ""

    @classmethod
    def load(cls, path: Path) -> Manifest:
        try:
            return cls.from_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except OSError:
            return cls(running=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        try:
            raw = json.loads(text)
            files = {p: FileEntry(**e) for p, e in raw.get("files", {}).items()}
        except (ValueError, TypeError, AttributeError):
            # Losing the manifest costs a re-embedding, never a wrong answer: start afresh.
            return cls(running=True)
        return cls(
            embedder=str(raw.get("embedder", "")),
            dimension=int(raw.get("dimension", 0)),
            files=files,
            running=bool(raw.get("running", False)),
            layout=int(raw.get("layout", 1)),
            variant=str(raw.get("variant", "")),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "embedder": self.embedder,
            "dimension": self.dimension,
            "running": self.running,
            "layout": self.layout,
            "variant": self.variant,
            "files": {p: asdict(e) for p, e in sorted(self.files.items())},
        }

    def save(self, path: Path) -> None:
        write_json_atomic(path, self.to_dict())


def file_sha256(path: str, *, cancel: CancelToken = NEVER) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            cancel.raise_if_cancelled()
            digest.update(block)
    return digest.hexdigest()
