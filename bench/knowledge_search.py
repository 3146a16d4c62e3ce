"""Search latency from query text to top-5, at 10k and 100k chunks, per mode.

The stored chunks get random unit vectors (embedding 100k chunks would take an hour on two
cores); their texts are real sentences from the machine's man pages so the keyword index has
real work; every query is embedded for real by MiniLM. Prints p50/p95 in milliseconds."""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.embedder import SentenceTransformerEmbedder
from assistant_builder.core.knowledge.search import Searcher
from assistant_builder.core.knowledge.store import ChunkStore
from assistant_builder.core.paths import Paths
from bench.engine_common import minilm
from bench.knowledge_corpus import man_page

MINILM = minilm()  # fetched on the first run, as the tests fetch it
QUERIES = [
    "how do I list files sorted by size", "copy a directory recursively", "change file owner",
    "search text in files with a regular expression", "show disk usage of a folder",
    "compress a file with gzip", "kill a process by name", "print the last lines of a file",
    "count words in a file", "create a symbolic link", "set file permissions", "sort lines",
    "download a file over http", "show running processes", "extract a tar archive",
    "compare two files line by line", "find files modified today", "display the calendar",
    "change the password of a user", "show network interfaces",
]  # fmt: skip


def sentences(limit: int) -> list[str]:
    names = ["ls", "cp", "tar", "grep", "find", "ps", "sort", "man", "bash", "ssh", "git", "sed"]
    out: list[str] = []
    for name in names:
        text = man_page(name)
        out += [" ".join(p.split()) for p in text.split("\n\n") if len(p.split()) > 5]
    if not out:
        out = [f"sentence number {n} about topic {n % 97}" for n in range(1000)]
    rng = random.Random(1)
    return [rng.choice(out) for _ in range(limit)]


def build(uri: str, n: int, texts: list[str]) -> None:
    rng = np.random.default_rng(0)
    store = ChunkStore(uri)
    step = 20_000
    for start in range(0, n, step):
        count = min(step, n - start)
        vectors = rng.standard_normal((count, 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        rows = [
            {"id": f"h{i}:0", "path": f"/docs/file{i // 10}.txt", "file_hash": f"h{i}",
             "chunk": i % 10, "page": None, "start": 0, "end": len(texts[i % len(texts)]),
             "heading": "", "text": texts[i % len(texts)],
             "search_text": texts[i % len(texts)]}
            for i in range(start, start + count)
        ]  # fmt: skip
        store.replace_files([], rows, vectors)
    store.finish_writes()


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    embedder = SentenceTransformerEmbedder(MINILM)
    embedder.embed(["warm up"])
    times = []
    for q in QUERIES * 3:
        t = time.perf_counter()
        embedder.embed([q])
        times.append((time.perf_counter() - t) * 1000)
    p50, p95 = np.percentile(times, [50, 95])
    print(f"query embedding alone      p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")
    texts = sentences(5000)
    with tempfile.TemporaryDirectory() as tmp:
        paths = Paths.from_env({"ASSISTANT_BUILDER_HOME": tmp})
        collections = Collections(paths.ensure())
        for n in (10_000, 100_000):
            name = f"c{n}"
            config = collections.create(name, [tmp], embedder=str(MINILM))
            t0 = time.perf_counter()
            build(collections.store_uri(config), n, texts)
            print(f"{n:>7} chunks: table built in {time.perf_counter() - t0:.1f} s")
            searcher = Searcher(collections, config, embedder=embedder)
            for mode in ("hybrid", "vector", "keyword"):
                for q in QUERIES[:3]:
                    searcher.search(q, top_k=5, mode=mode)  # warm caches
                times = []
                for _ in range(3):
                    for q in QUERIES:
                        t = time.perf_counter()
                        hits = searcher.search(q, top_k=5, mode=mode)
                        times.append((time.perf_counter() - t) * 1000)
                        assert hits
                p50, p95 = np.percentile(times, [50, 95])
                print(f"{n:>7} chunks  {mode:<8} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")


if __name__ == "__main__":
    main()
