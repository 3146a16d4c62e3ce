"""Indexing progress a person can trust: passages are counted as they are embedded (not only
when a file is read), the bar never reads 100% while embedding goes on, and the time left
follows the recent rate rather than the average since the start."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.indexer import index_collection
from assistant_builder.core.knowledge.pace import Pace
from assistant_builder.core.knowledge.report import IndexProgress, IndexReport
from tests.fakes import DeterministicEmbedder


class WatchedEmbedder(DeterministicEmbedder):
    """Notes, at each embed call, how many progress events the run had sent before it."""

    def __init__(self, events: list[object]) -> None:
        super().__init__()
        self.events = events
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str], *, cancel: CancelToken = NEVER):
        self.calls.append(len(self.events))
        return super().embed(texts, cancel=cancel)


def test_passages_are_counted_while_they_are_embedded(
    collections: Collections, tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    for n in range(6):
        paragraphs = [f"Paragraph {k} of note {n} is about topic {k * n}. " * 12 for k in range(30)]
        (folder / f"note{n}.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    collections.create("notes", [folder], embedder="fake-hash-64")
    events: list[object] = []
    embedder = WatchedEmbedder(events)
    for event in index_collection(collections, "notes", embedder=embedder):
        events.append(event)
    report = events[-1]
    assert isinstance(report, IndexReport) and report.chunks > 64
    progress = [e for e in events if isinstance(e, IndexProgress)]

    # Events arrive between the embed calls of one batch, each with more passages counted.
    assert len(embedder.calls) > 2
    assert all(b > a for a, b in zip(embedder.calls, embedder.calls[1:], strict=False))
    counted = [e.embedded for e in progress]
    assert counted == sorted(counted) and counted[-1] == report.chunks
    assert len({c for c in counted if 0 < c < report.chunks}) >= 2
    assert any(e.embedding for e in progress)  # counted before their batch is stored
    assert all(e.chunks <= e.embedded for e in progress)

    # All files read does not mean done: the bar stays short of full until the last passage.
    read_all = [e for e in progress if e.files_done == e.files_total]
    assert any(e.embedded < report.chunks for e in read_all)
    for event in progress:
        fraction = event.fraction()
        assert fraction is not None and 0.0 <= fraction <= 1.0
        if event.embedded < report.chunks:
            assert fraction < 1.0
    assert progress[-1].fraction() == 1.0
    assert progress[-1].passages_total == report.chunks


def test_the_time_left_follows_the_recent_rate() -> None:
    now = [0.0]
    pace = Pace(window_s=10.0, clock=lambda: now[0])
    pace.add(0)
    assert pace.seconds_left(100) is None  # no rate yet: no made-up estimate
    # A slow start: 10 passages in 30 s ...
    for second in range(1, 31):
        now[0] = float(second)
        pace.add(second / 3)
    assert pace.rate() == pytest.approx(1 / 3)
    # ... then 5 passages a second for 12 s: the estimate forgets the slow start.
    done = 10.0
    for _ in range(12):
        now[0] += 1.0
        done += 5.0
        pace.add(done)
    assert pace.rate() == pytest.approx(5.0)
    assert pace.seconds_left(50) == pytest.approx(10.0)
    assert pace.seconds_left(0) == 0.0
    # Work that stops moving for a whole window leaves no rate to promise anything with.
    for _ in range(11):
        now[0] += 1.0
        pace.add(done)
    assert pace.seconds_left(50) is None
