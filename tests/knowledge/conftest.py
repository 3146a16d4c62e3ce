"""Fixtures of the knowledge tests: a folder of real documents and helpers around the index."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.indexer import index_collection
from assistant_builder.core.knowledge.report import IndexProgress, IndexReport
from assistant_builder.core.paths import Paths
from tests.knowledge.docs import write_docx, write_encrypted_pdf, write_pdf


class CountingEmbedder:
    """Wraps a real embedder and counts the texts it embeds."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.embedded = 0

    model_id = property(lambda self: self.inner.model_id)
    dimension = property(lambda self: self.inner.dimension)
    max_tokens = property(lambda self: self.inner.max_tokens)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def embed(self, texts: Sequence[str], *, cancel: CancelToken = NEVER):
        self.embedded += len(texts)
        return self.inner.embed(texts, cancel=cancel)


def run_index(collections: Collections, name: str, **kwargs) -> tuple[IndexReport, list]:
    events = list(index_collection(collections, name, **kwargs))
    report = events[-1]
    assert isinstance(report, IndexReport)
    assert all(isinstance(e, IndexProgress) for e in events[:-1])
    return report, events[:-1]


@pytest.fixture
def collections(app_home: Paths) -> Collections:
    return Collections(app_home.ensure())


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A folder with one good file of each format and a few bad ones."""
    root = tmp_path / "library"
    root.mkdir()
    (root / "garden.md").write_text(
        "# Garden\n\nTomatoes need full sun and regular watering.\n\n"
        "## Pests\n\nAphids can be washed off the leaves with soapy water.\n",
        encoding="utf-8",
    )
    (root / "dessert.txt").write_bytes(
        "Crème brûlée is a French dessert: a rich custard under a layer of hard caramel. "
        "Serve it cold; caramelise the sugar with a blowtorch just before serving.\n".encode(
            "cp1252"
        )
    )
    write_pdf(
        root / "volcanoes.pdf",
        ["Volcanoes erupt when magma rises.", "Mount Etna in Sicily is the most active volcano."],
    )
    write_docx(root / "policy.docx")
    (root / "bread.html").write_text(
        "<html><head><title>Bread</title><script>var x = 'sourdough secret';</script></head>"
        "<body><h1>Sourdough</h1><p>Feed the starter with flour and water every day.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    (root / "planets.csv").write_text(
        "planet,moons\nMars,2\nJupiter,95\nSaturn,146\n", encoding="utf-8"
    )
    (root / "photo.txt").write_bytes(bytes(range(256)) * 20)
    write_pdf(root / "scan.pdf", ["", ""])
    write_encrypted_pdf(root / "locked.pdf", write_pdf(root.parent / "plain.pdf", ["Secret."]))
    return root
