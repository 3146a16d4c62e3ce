"""The indexing process of tests/faults/hostile.py: index one folder with the app's indexer
(a deterministic embedder, so only parsing, chunking and storing are measured), then print
the report and the peak resident memory of this process and of its parser processes."""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import threading
from pathlib import Path

from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.indexer import IndexReport, index_collection
from assistant_builder.core.paths import Paths
from tests.fakes import DeterministicEmbedder

CHANGING = "changing.txt"  # appended to, rewritten and truncated while the folder is indexed


def _keep_changing(path: Path) -> threading.Event:
    """Another program at work on ``path`` for as long as the indexing runs."""
    stop = threading.Event()

    def work() -> None:
        n = 0
        while not stop.wait(0.002):
            n += 1
            if n % 50 == 0:
                path.write_text("Cats were rewritten.\n", encoding="utf-8")
            elif n % 77 == 0:
                os.truncate(path, 0)
            else:
                with open(path, "a", encoding="utf-8") as handle:
                    handle.write(f"Line {n}: cats sleep a lot.\n")

    if path.exists():
        threading.Thread(target=work, daemon=True).start()
    return stop


def main(folder: Path, time_limit_s: float) -> None:
    with tempfile.TemporaryDirectory() as home:
        os.environ["ASSISTANT_BUILDER_HOME"] = home
        collections = Collections(Paths.from_env().ensure())
        collections.create("Hostile", [folder])
        changing = _keep_changing(folder / CHANGING)
        try:
            events = list(index_collection(collections, "Hostile", embedder=DeterministicEmbedder(),
                                           time_limit_s=time_limit_s))  # fmt: skip
        finally:
            changing.set()
    report = events[-1]
    assert isinstance(report, IndexReport)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    parsers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"report": report.to_json(), "indexed": list(report.indexed),
                      "peak_mb": max(own, parsers)}))  # fmt: skip


if __name__ == "__main__":
    main(Path(sys.argv[1]), float(sys.argv[2]))
