"""Search at 100k and 1M chunks: which vector index, with which parameters, by measurement.

Realistic vectors: about 10k real paragraphs of the machine's man pages are embedded once by
MiniLM; each stored row is one of them plus a third of another and a little noise, re-normalised
(so neighbours are as close as real chunks are), with the first paragraph's text and the other's
first sentence for the full-text index. The tables (no vector index) are cached under
~/.cache/assistant-builder-bench, so a rerun only builds the indexes. For every candidate index
it prints the build time, the recall of its top-5 against exact search (numpy, every row) and
the p95 of the vector search alone; then the app's own path (Searcher, with the parameters
store.py ships) from query text to top-5, query embedding included, per mode, and the
process's resident memory.

    python bench/knowledge_search_scale.py [--rows 100000 1000000] [--skip-hnsw-above 2000000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.embedder import SentenceTransformerEmbedder, load_embedder
from assistant_builder.core.knowledge.search import Searcher
from assistant_builder.core.knowledge.store import TABLE, ChunkStore
from assistant_builder.core.knowledge.vector_index import ROWS_PER_PARTITION, plan_for
from assistant_builder.core.paths import Paths
from bench.knowledge_corpus import man_page
from bench.knowledge_search import MINILM, QUERIES

CACHE = Path.home() / ".cache" / "assistant-builder-bench" / "search-scale"
PAGES = 400  # man pages read for the base paragraphs
BASE = 10_000  # real paragraphs embedded
RECALL_QUERIES = 200  # 20 typed questions + held-out paragraphs
STEP = 50_000
SECOND_SHARE, NOISE = 0.35, 0.02


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def base(embedder: SentenceTransformerEmbedder) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Real paragraphs, their vectors, and the recall queries' vectors (cached once)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    texts_file, vectors_file, queries_file = (
        CACHE / "texts.json", CACHE / "vectors.npy", CACHE / "queries.npy"
    )  # fmt: skip
    if vectors_file.exists() and queries_file.exists():
        return json.loads(texts_file.read_text()), np.load(vectors_file), np.load(queries_file)
    names = sorted(os.listdir("/usr/share/man/man1"))
    names = [n.split(".")[0] for n in random.Random(2).sample(names, min(PAGES, len(names)))]
    paragraphs: list[str] = []
    for name in names:
        text = man_page(name)
        paragraphs += [" ".join(p.split()) for p in text.split("\n\n") if len(p.split()) > 8]
    paragraphs = list(dict.fromkeys(paragraphs))
    random.Random(3).shuffle(paragraphs)
    held_out = paragraphs[: RECALL_QUERIES - len(QUERIES)]
    texts = paragraphs[RECALL_QUERIES : RECALL_QUERIES + BASE]
    t0 = time.perf_counter()
    vectors = embedder.embed(texts)
    queries = embedder.embed([*QUERIES, *held_out])
    print(f"embedded {len(texts)} real paragraphs in {time.perf_counter() - t0:.0f} s (cached)")
    texts_file.write_text(json.dumps(texts))
    np.save(vectors_file, vectors)
    np.save(queries_file, queries)
    return texts, vectors, queries


def lead(text: str) -> str:
    """The first sentence of ``text``."""
    return text.split(". ")[0]


def block(vectors: np.ndarray, start: int, count: int) -> tuple[np.ndarray, ...]:
    """Rows ``start``..``start+count``: the paragraph each is made of, the one it has a third
    of (its first sentence is added to the text), and its vector (deterministic)."""
    rng = np.random.default_rng(start)
    first = rng.integers(len(vectors), size=count)
    second = rng.integers(len(vectors), size=count)
    out = vectors[first] + SECOND_SHARE * vectors[second]
    out += rng.normal(0.0, NOISE, out.shape).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return first, second, out.astype(np.float32)


def table(
    n: int, texts: list[str], vectors: np.ndarray, suffix: str = ""
) -> tuple[Collections, Any]:
    """The cached collection of ``n`` rows, with its full-text index and no vector index."""
    home = CACHE / f"home-{n}{suffix}"
    collections = Collections(Paths.from_env({"ASSISTANT_BUILDER_HOME": str(home)}).ensure())
    name, done = "scale", home / "built"
    if done.exists():
        return collections, collections.get(name)
    for config in collections.list():
        collections.remove(config.name)
    config = collections.create(name, [str(CACHE)], embedder=str(MINILM))
    store = ChunkStore(collections.store_uri(config))
    t0 = time.perf_counter()
    import pyarrow as pa
    import pyarrow.compute as pc

    schema = store._schema(vectors.shape[1])  # the app's own columns, written in bulk
    for start in range(0, n, STEP):
        count = min(STEP, n - start)
        first, second, vecs = block(vectors, start, count)
        ids = range(start, start + count)
        pairs = zip(first.tolist(), second.tolist(), strict=True)
        text = pa.array([f"{texts[j]} {lead(texts[k])}" for j, k in pairs])
        columns = {
            "id": pa.array([f"h{i}:0" for i in ids]),
            "path": pa.array([f"/docs/file{i // 10}.txt" for i in ids]),
            "file_hash": pa.array([f"h{i}" for i in ids]),
            "chunk": pa.array([i % 10 for i in ids], pa.int32()),
            "page": pa.nulls(count, pa.int32()),
            "start": pa.array([0] * count, pa.int64()),
            "end": pc.utf8_length(text).cast(pa.int64()),
            "heading": pa.array([""] * count),
            "text": text,
            "search_text": text,
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(vecs.reshape(-1)), vecs.shape[1]),
        }
        data = pa.Table.from_pydict(columns, schema=schema)
        if start == 0:
            store.db.create_table(TABLE, data=data)
        else:
            store._open().add(data)
    t1 = time.perf_counter()
    raw = store._open()
    from lancedb.index import FTS

    raw.create_index("search_text", config=FTS(with_position=False), replace=True)
    raw.optimize()
    t2 = time.perf_counter()
    print(f"{n:>8} rows written in {t1 - t0:.0f} s, full-text index in {t2 - t1:.0f} s")
    done.write_text("ok")
    return collections, config


def exact(n: int, vectors: np.ndarray, queries: np.ndarray, k: int = 5) -> np.ndarray:
    """Row ids of each query's exact top-k by cosine, over all ``n`` rows."""
    best = np.full((len(queries), 0), -1, dtype=np.int64)
    best_scores = np.full((len(queries), 0), -2.0, dtype=np.float32)
    for start in range(0, n, STEP):
        *_, vecs = block(vectors, start, min(STEP, n - start))
        scores = queries @ vecs.T
        ids = np.broadcast_to(np.arange(start, start + len(vecs)), scores.shape)
        all_scores = np.concatenate([best_scores, scores], axis=1)
        all_ids = np.concatenate([best, ids], axis=1)
        top = np.argsort(-all_scores, axis=1)[:, :k]
        best_scores = np.take_along_axis(all_scores, top, axis=1)
        best = np.take_along_axis(all_ids, top, axis=1)
    return best


def candidates(n: int, kinds: list[str], skip_hnsw_above: int) -> list[tuple[str, Any]]:
    from lancedb.index import HnswSq, IvfPq, IvfSq

    root = int(n**0.5)
    out: list[tuple[str, Any]] = [
        (f"IVF_SQ p={root}", IvfSq(distance_type="cosine", num_partitions=root)),
        (f"IVF_SQ p={root // 4}", IvfSq(distance_type="cosine", num_partitions=root // 4)),
        (f"IVF_PQ p={root} sub=48", IvfPq(distance_type="cosine", num_partitions=root,
                                          num_sub_vectors=48)),
    ]  # fmt: skip
    if n <= skip_hnsw_above:
        index = HnswSq(distance_type="cosine", target_partition_size=ROWS_PER_PARTITION)
        out.append((f"IVF_HNSW_SQ {ROWS_PER_PARTITION} rows/partition", index))
    return [(label, index) for label, index in out if label.split()[0] in kinds]


def p95(times: list[float]) -> tuple[float, float]:
    p50, p95_ = np.percentile(times, [50, 95])
    return float(p50), float(p95_)


def measure_index(
    raw: Any, queries: np.ndarray, truth: np.ndarray, hnsw: bool,
    settings: list[dict[str, int]] | None = None,
) -> None:  # fmt: skip
    settings = settings or (
        [{"ef": e, "refine": r} for e in (40, 100, 200) for r in (0, 4)]
        if hnsw
        else [{"nprobes": p, "refine": r} for p in (10, 20, 40, 80) for r in (0, 4)]
    )
    for s in settings:
        found, times = [], []
        for q in queries:
            t = time.perf_counter()
            b = raw.search(q, query_type="vector").distance_type("cosine").limit(5)
            if "ef" in s:
                b = b.ef(s["ef"]).nprobes(s.get("nprobes", 1_000_000))  # every graph
            else:
                b = b.nprobes(s["nprobes"])
            if s["refine"]:
                b = b.refine_factor(s["refine"])
            rows = b.select(["id"]).to_list()
            times.append((time.perf_counter() - t) * 1000)
            found.append([int(r["id"][1:].split(":")[0]) for r in rows])
        pairs = zip(found, truth, strict=True)
        recall = np.mean([len(set(f) & set(t.tolist())) / 5 for f, t in pairs])
        lo, hi = p95(times)
        label = " ".join(f"{k}={v}" for k, v in s.items())
        print(f"      {label:<20} recall@5 {recall:.3f}   vector p50 {lo:5.1f}  p95 {hi:5.1f} ms")


def app_path(
    collections: Collections, config: Any, embedder: Any, n: int,
    queries: np.ndarray, truth: np.ndarray,
) -> None:  # fmt: skip
    """The shipped parameters (store.py), from query text to top-5, embedding included."""
    store = ChunkStore(collections.store_uri(config))
    t0 = time.perf_counter()
    store.finish_writes()  # builds the vector index the app would
    plan = plan_for(n)
    print(f"{n:>8} app  vector index as shipped ({plan}) built in {time.perf_counter() - t0:.0f} s")
    if plan is not None:
        efs = sorted({plan.ef // 2, plan.ef, 2 * plan.ef})
        probes = sorted({plan.nprobes // 2, plan.nprobes, 2 * plan.nprobes} - {0})
        r = plan.refine_factor
        sweep = [{"ef": e, "nprobes": p, "refine": r} for e in efs for p in probes]
        measure_index(store._open(), queries, truth, hnsw=True, settings=sweep)
    searcher = Searcher(collections, config, embedder=embedder)
    for mode in ("hybrid", "vector", "keyword"):
        for q in QUERIES[:3]:
            searcher.search(q, top_k=5, mode=mode)
        times = []
        for _ in range(3):
            for q in QUERIES:
                t = time.perf_counter()
                assert searcher.search(q, top_k=5, mode=mode)
                times.append((time.perf_counter() - t) * 1000)
        lo, hi = p95(times)
        print(f"{n:>8} app  {mode:<8} p50 {lo:6.1f} ms   p95 {hi:6.1f} ms   RSS {rss_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--skip-hnsw-above", type=int, default=2_000_000)
    parser.add_argument("--kinds", nargs="+", default=["IVF_SQ", "IVF_PQ", "IVF_HNSW_SQ"])
    parser.add_argument("--only-app", action="store_true", help="only the shipped parameters")
    parser.add_argument("--queries", type=int, default=100, help="recall queries used")
    parser.add_argument("--suffix", default="", help="another cached copy of the table")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    print("load:", Path("/proc/loadavg").read_text().strip())
    texts, vectors, queries = base(SentenceTransformerEmbedder(MINILM))  # cached once
    queries = queries[: args.queries]
    # Questions are embedded as the app embeds them (its int8 export of the same model, made
    # once and kept in the bench's own home); the stored vectors stay the float32 ones, so
    # recall against exact search is of the index alone.
    paths = Paths.from_env({"ASSISTANT_BUILDER_HOME": str(CACHE / "home-embedder")}).ensure()
    embedder = load_embedder(str(MINILM), paths)
    print(f"question embedder: {getattr(embedder, 'variant', 'float32')}")
    times = []
    for q in QUERIES * 3:
        t = time.perf_counter()
        embedder.embed_query(q)
        times.append((time.perf_counter() - t) * 1000)
    print("query embedding alone      p50 {:6.1f} ms   p95 {:6.1f} ms".format(*p95(times)))
    for n in args.rows:
        collections, config = table(n, texts, vectors, args.suffix)
        store = ChunkStore(collections.store_uri(config))
        raw = store._open()
        for name in [store._indices().get("vector")]:
            if name:
                raw.drop_index(name)
        truth = exact(n, vectors, queries)
        if not args.only_app:
            for label, index in candidates(n, args.kinds, args.skip_hnsw_above):
                t0 = time.perf_counter()
                raw.create_index("vector", config=index, replace=True)
                print(f"{n:>8} {label:<24} built in {time.perf_counter() - t0:6.1f} s")
                measure_index(raw, queries, truth, hnsw="HNSW" in label)
                raw.drop_index("vector_idx")
        app_path(collections, config, embedder, n, queries, truth)
        print("load:", Path("/proc/loadavg").read_text().strip())


if __name__ == "__main__":
    main()
