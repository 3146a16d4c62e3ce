"""Indexing a collection: incremental by content hash, crash-safe, parsers isolated in worker
processes, embedding in length-sorted batches in this process. A generator of progress events.

Crash safety: a batch of files is written as "delete every chunk of these paths, add their new
chunks", and only then does the manifest record them. Killed anywhere, a re-run re-does the
files the manifest does not vouch for, so each file ends up in the table exactly once."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.errors import plain_disk_full
from assistant_builder.core.knowledge.chunker import Chunk, chunk_document
from assistant_builder.core.knowledge.collection import CollectionConfig, Collections
from assistant_builder.core.knowledge.embedder import (
    Embedder,
    canonical_embedder_id,
    load_embedder,
    planned_variant,
    preparing_note,
)
from assistant_builder.core.knowledge.index_manifest import IndexManifest
from assistant_builder.core.knowledge.language import SAMPLE, embedder_suggestion
from assistant_builder.core.knowledge.loaders import DEFAULT_PARSERS
from assistant_builder.core.knowledge.manifest import (
    TABLE_LAYOUT,
    FileEntry,
    Manifest,
    file_sha256,
)
from assistant_builder.core.knowledge.pace import Pace
from assistant_builder.core.knowledge.parsing import ParserPool
from assistant_builder.core.knowledge.report import IndexProgress, IndexReport, keep_report
from assistant_builder.core.knowledge.scan import FoundFile, scan_folders
from assistant_builder.core.knowledge.store_access import open_store
from assistant_builder.core.knowledge.store_lock import StoreLock
from assistant_builder.core.knowledge.word_counts import WordCounts

BATCH_CHUNKS = 256  # chunks embedded and written together (one table commit per batch)
# Chunks embedded per call within a batch: a progress event follows each, so the bar moves
# while a batch is embedded (a batch of 256 takes tens of seconds on a busy 2-core machine).
EMBED_SLICE = 32
SPECIAL_TOKENS = 2  # [CLS] and [SEP]: they count against the model's maximum length
# Each chunk is embedded and keyword-indexed with its document title and heading path in
# front (a passage deep in a long document otherwise loses what it is about); this many
# tokens of the model's limit are kept for that context line.
CONTEXT_TOKENS = 24


@dataclass
class _Pending:
    paths: list[str] = field(default_factory=list)
    entries: dict[str, FileEntry] = field(default_factory=dict)
    # (path, file hash, chunk number, chunk, context line)
    chunks: list[tuple[str, str, int, Chunk, str]] = field(default_factory=list)


def chunk_budget(config: CollectionConfig, embedder: Embedder) -> int:
    room = embedder.max_tokens - SPECIAL_TOKENS - CONTEXT_TOKENS
    return max(16, min(config.chunk_tokens, room))


def context_line(title: str, heading: tuple[str, ...], count_tokens: Any) -> str:
    """The context put in front of a chunk: title › headings, cut to CONTEXT_TOKENS."""
    words = " › ".join(part for part in (title, *heading) if part).split()
    while words and count_tokens(" ".join(words)) > CONTEXT_TOKENS - 1:
        words.pop()
    return " ".join(words)


def _local_table_missing(uri: str) -> bool:
    return "://" not in uri and not (Path(uri) / "chunks.lance").exists()


def index_collection(
    collections: Collections,
    name: str,
    *,
    embedder: Embedder | None = None,
    parsers: Mapping[str, str] | None = None,
    workers: int = 2,
    time_limit_s: float = 30.0,
    cancel: CancelToken = NEVER,
) -> Iterator[IndexProgress | IndexReport]:
    """Brings the collection's table in line with its folders; the last event is the report.
    A full disk stops it with DiskFull: each batch is committed with its manifest entries, so
    what was stored stays readable and the next run goes on from there.

    A collection kept at a store of its own (``store_uri``, perhaps shared by a team) keeps its
    manifest there too, and is indexed by one run at a time (StoreBusy for the others)."""
    full = plain_disk_full(collections.folder(name), "the passages of this collection",
                           "index it again")  # fmt: skip
    with full:
        yield from _index(collections, name, embedder, parsers, workers, time_limit_s, cancel)


def _index(
    collections: Collections,
    name: str,
    embedder: Embedder | None,
    parsers: Mapping[str, str] | None,
    workers: int,
    time_limit_s: float,
    cancel: CancelToken,
) -> Iterator[IndexProgress | IndexReport]:
    started = time.monotonic()
    config = collections.get(name)
    local = collections.manifest_file(name)
    if not config.store_uri:
        keeper = IndexManifest(local)
        yield from _run(collections, config, keeper, None, lambda: None, embedder=embedder,
                        parsers=parsers, workers=workers, time_limit_s=time_limit_s,
                        cancel=cancel, started=started)  # fmt: skip
        return
    shared = open_store(collections, config)
    lock = StoreLock(shared.db, name)
    lock.acquire()
    try:
        keeper = IndexManifest(local, shared)
        yield from _run(collections, config, keeper, shared, lock.renew, embedder=embedder,
                        parsers=parsers, workers=workers, time_limit_s=time_limit_s,
                        cancel=cancel, started=started)  # fmt: skip
    finally:
        lock.release()


def _run(
    collections: Collections,
    config: CollectionConfig,
    keeper: IndexManifest,
    store: Any,
    renew: Callable[[], None],
    *,
    embedder: Embedder | None,
    parsers: Mapping[str, str] | None,
    workers: int,
    time_limit_s: float,
    cancel: CancelToken,
    started: float,
) -> Iterator[IndexProgress | IndexReport]:
    name = config.name
    parsers = dict(parsers or DEFAULT_PARSERS)
    notes: list[str] = []
    for sentence in collections.repair(deep=True, names=(name,)):  # rebuilt by this run
        notes.append(sentence)
        yield IndexProgress(0, 0, 0, 0.0, None, note=sentence)
    manifest = keeper.load()
    uri = collections.store_uri(config)
    wanted = canonical_embedder_id(config.embedder)

    def the_store() -> Any:
        nonlocal store
        if store is None:
            store = open_store(collections, config)
        return store

    rebuild = ""
    if manifest.embedder and manifest.embedder != wanted:
        rebuild = (
            f"The embedder changed from {manifest.embedder} to {wanted}, "
            "so every document is embedded again."
        )
    elif manifest.files and manifest.layout != TABLE_LAYOUT:
        rebuild = "This index was made by an older version, so every document is embedded again."
    elif manifest.files and (manifest.variant or "float32") != planned_variant(
        config.embedder, collections.paths, embedder
    ):
        # Float32 vectors searched by int8 questions lost 0.013 of recall@5 in vector mode
        # (bench/knowledge_eval.py): a collection is embedded again by its new reader instead.
        if embedder is None:
            embedder = yield from _loaded(config, collections.paths, cancel)
        if (manifest.variant or "float32") != planned_variant(config.embedder, None, embedder):
            rebuild = (
                "The document reader now runs differently on this computer, "
                "so every document is embedded again, once."
            )
    if rebuild:
        notes.append(rebuild)
        yield IndexProgress(0, 0, 0, 0.0, None, note=rebuild)
        the_store().drop()  # before the manifest: a kill in between just drops it again
        manifest = Manifest(embedder=wanted, running=True)
        keeper.save(manifest)
    elif manifest.files and _local_table_missing(uri):
        manifest = Manifest(embedder=wanted, running=True)  # the table is gone: start afresh
    elif not keeper.exists() and not _local_table_missing(uri):
        manifest.running = True  # a table without its manifest: check it for strays

    scan = scan_folders(
        config.folders,
        include=config.include,
        exclude=config.exclude,
        extensions=parsers.keys(),
        cancel=cancel,
    )
    failed: list[tuple[str, str]] = list(scan.failed)
    unchanged: list[str] = []
    to_index: list[tuple[FoundFile, str]] = []
    refreshed: dict[str, FileEntry] = {}
    for found in scan.files:
        cancel.raise_if_cancelled()
        entry = manifest.files.get(found.path)
        if entry and (entry.size, entry.mtime_ns) == (found.size, found.mtime_ns):
            digest = entry.hash
        else:
            try:
                digest = file_sha256(found.path, cancel=cancel)
            except OSError as exc:
                failed.append((found.path, _open_reason(exc)))
                continue
        if entry and entry.hash == digest:
            if (entry.size, entry.mtime_ns) != (found.size, found.mtime_ns):
                refreshed[found.path] = FileEntry(
                    digest, found.size, found.mtime_ns, entry.chunks, entry.failed
                )
            if entry.failed:
                failed.append((found.path, entry.failed))
            else:
                unchanged.append(found.path)
        else:
            to_index.append((found, digest))
    present = {f.path for f in scan.files}
    removed = sorted(p for p in manifest.files if p not in present)
    # Failed-to-open files lose their old chunks too: they are no longer what the table says.
    gone = removed + [p for p, _ in failed if p in manifest.files and p not in present]
    files_total = len(scan.files)
    done = len(unchanged) + sum(1 for p, _ in failed if p in present)

    counts = WordCounts(collections.words_file(name))
    if not (to_index or gone or refreshed or manifest.running):
        _complete_counts(counts, manifest, the_store)
        report = IndexReport(
            (), tuple(unchanged), (), tuple(failed), 0, time.monotonic() - started,
            skipped=scan.skipped,
        )  # fmt: skip
        keep_report(collections.report_file(name), report)
        yield report
        return

    interrupted_before = manifest.running
    manifest.embedder = wanted
    manifest.running = True
    manifest.files.update(refreshed)
    keeper.save(manifest)
    if gone:
        the_store().delete_paths(gone)
        for path in gone:
            manifest.files.pop(path, None)
        counts.drop(gone)
        keeper.save(manifest)
    if interrupted_before:
        # The last run may have died between writing chunks and the manifest: drop chunks of
        # paths the manifest does not know and that this run will not rewrite.
        expected = set(manifest.files) | {f.path for f, _ in to_index}
        orphans = [p for p in the_store().paths() if p not in expected]
        the_store().delete_paths(orphans)

    written = 0
    indexed: list[str] = []
    sample: list[str] = []  # passages for the language check
    tally = _Tally(files_total, sum(f.size for f, _ in to_index))
    if to_index:
        pool = ParserPool(parsers, workers=workers, time_limit_s=time_limit_s)
        pool.submit([Path(f.path) for f, _ in to_index])  # parsing starts while the model loads
        try:
            if embedder is None:
                embedder = yield from _loaded(config, collections.paths, cancel)
            budget = chunk_budget(config, embedder)
            manifest.variant = planned_variant(config.embedder, None, embedder)
            overlap = min(config.overlap_tokens, budget // 4)
            hashes = {f.path: (f, digest) for f, digest in to_index}
            pending = _Pending()
            for path_obj, result in pool.results(cancel=cancel):
                cancel.raise_if_cancelled()
                path = str(path_obj)
                found, digest = hashes[path]
                if isinstance(result, str):
                    failed.append((path, result))
                    pending.entries[path] = FileEntry(digest, found.size, found.mtime_ns, 0, result)
                    pending.paths.append(path)
                else:
                    chunks = chunk_document(
                        result, embedder.count_tokens, max_tokens=budget, overlap_tokens=overlap
                    )
                    pending.paths.append(path)
                    pending.entries[path] = FileEntry(
                        digest, found.size, found.mtime_ns, len(chunks)
                    )
                    title = Path(path).stem if result.title == Path(path).name else result.title
                    contexts: dict[tuple[str, ...], str] = {}
                    sample.extend(c.text for c in chunks[: SAMPLE - len(sample)])
                    for n, c in enumerate(chunks):
                        if c.heading not in contexts:
                            contexts[c.heading] = context_line(
                                title, c.heading, embedder.count_tokens
                            )
                        pending.chunks.append((path, digest, n, c, contexts[c.heading]))
                    indexed.append(path)
                done += 1
                tally.read(found.size, 0 if isinstance(result, str) else len(chunks))
                yield tally.event(done, written, path)
                if len(pending.chunks) >= BATCH_CHUNKS:
                    written += yield from _flush(
                        pending, embedder, the_store(), manifest, keeper, counts,
                        tally.embedding(done, written, path), cancel=cancel,
                    )  # fmt: skip
                    renew()
                    pending = _Pending()
            written += yield from _flush(
                pending, embedder, the_store(), manifest, keeper, counts,
                tally.embedding(done, written, ""), cancel=cancel,
            )  # fmt: skip
            yield tally.event(done, written, "")
        finally:
            pool.close()
    plan = the_store().finish_plan()
    if plan is not None and plan.vector is not None:
        yield IndexProgress(
            done, tally.files_total, written, 0.0, None,
            note=f"Preparing quick search over {plan.rows:,} passages (about 4 minutes a million)…",
        )  # fmt: skip
    the_store().finish_writes(plan)
    _complete_counts(counts, manifest, the_store)
    manifest.running = False
    keeper.save(manifest)
    report = IndexReport(
        indexed=tuple(sorted(indexed)),
        unchanged=tuple(sorted(unchanged)),
        removed=tuple(removed),
        failed=tuple(sorted(failed)),
        chunks=written,
        seconds=time.monotonic() - started,
        notes=tuple(notes),
        skipped=scan.skipped,
        suggestion=embedder_suggestion(config, sample),
    )
    keep_report(collections.report_file(name), report)
    yield report


class _Tally:
    """What the run has read and stored, and so how many passages it will store in all: those
    of the files read so far, and for the files still to read as many per byte as so far."""

    def __init__(self, files_total: int, bytes_to_read: int) -> None:
        self.files_total = files_total
        self.bytes_left = bytes_to_read
        self.bytes_read = 0
        self.passages_known = 0
        self.pace = Pace()
        self.pace.add(0)

    def read(self, size: int, passages: int) -> None:
        self.bytes_left = max(0, self.bytes_left - size)
        self.bytes_read += size
        self.passages_known += passages

    def passages_total(self) -> int:
        if not self.bytes_read:
            return 0  # nothing read yet: no honest figure
        per_byte = self.passages_known / self.bytes_read
        return self.passages_known + round(self.bytes_left * per_byte)

    def embedding(self, done: int, stored: int, path: str) -> Callable[[int], IndexProgress]:
        """The events of a batch being embedded: ``n`` of it done on top of ``stored``."""
        return lambda n: self.event(done, stored, path, embedded=stored + n)

    def event(self, done: int, stored: int, path: str, *, embedded: int = -1) -> IndexProgress:
        embedded = stored if embedded < 0 else embedded
        self.pace.add(embedded)
        total = max(self.passages_total(), embedded)
        eta = self.pace.seconds_left(total - embedded) if total else None
        return IndexProgress(
            done, self.files_total, stored, self.pace.rate(), eta, path,
            passages_total=total, embedded=embedded,
        )  # fmt: skip


def _loaded(
    config: CollectionConfig, paths: Any, cancel: CancelToken
) -> Generator[IndexProgress, None, Embedder]:
    """The collection's embedder, with words for the wait while it is exported (once)."""
    if preparing := preparing_note(config.embedder, paths):
        yield IndexProgress(0, 0, 0, 0.0, None, note=preparing)
    return load_embedder(config.embedder, paths, cancel=cancel)


def _flush(
    pending: _Pending,
    embedder: Embedder,
    store: Any,
    manifest: Manifest,
    keeper: IndexManifest,
    counts: WordCounts,
    progress: Callable[[int], IndexProgress],
    *,
    cancel: CancelToken,
) -> Generator[IndexProgress, None, int]:
    """Embeds the pending chunks a slice at a time, yielding ``progress(embedded so far)``
    after each, then writes them; returns how many were written."""
    if not pending.paths:
        return 0
    # Length-sorted, so each model batch pads its texts to about the same length.
    search_texts = [
        f"{ctx}\n{chunk.text}" if ctx else chunk.text for *_, chunk, ctx in pending.chunks
    ]
    order = sorted(range(len(search_texts)), key=lambda i: len(search_texts[i]))
    texts = [search_texts[i] for i in order]
    parts = []
    for start in range(0, len(texts), EMBED_SLICE):
        parts.append(embedder.embed(texts[start : start + EMBED_SLICE], cancel=cancel))
        yield progress(min(start + EMBED_SLICE, len(texts)))
    vectors = np.concatenate(parts, axis=0) if parts else None
    rows = []
    for i in order:
        path, digest, n, chunk, _ = pending.chunks[i]
        rows.append({
            "id": _chunk_id(path, digest, n), "path": path, "file_hash": digest, "chunk": n,
            "page": chunk.page, "start": chunk.start, "end": chunk.end,
            "heading": " › ".join(chunk.heading), "text": chunk.text,
            "search_text": search_texts[i],
        })  # fmt: skip
    cancel.raise_if_cancelled()
    store.replace_files(pending.paths, rows, vectors)
    texts_of: dict[str, list[str]] = {path: [] for path in pending.paths}
    for path, _, _, chunk, _ in pending.chunks:
        texts_of[path].append(chunk.text)
    for path, passages in texts_of.items():
        counts.set_file(path, pending.entries[path].hash, passages)
    manifest.dimension = int(vectors.shape[1]) if vectors is not None else manifest.dimension
    manifest.files.update(pending.entries)
    keeper.save(manifest)
    return len(rows)


def _complete_counts(counts: WordCounts, manifest: Manifest, store: Callable[[], Any]) -> None:
    """The word counts made to hold exactly the files the manifest vouches for, and saved
    (once a run: rewriting them after every batch would cost a large collection dearly):
    those it no longer lists dropped, those not counted for their content (a run killed
    before it saved them, an index made before counts were kept, or by another data folder
    on a shared store) counted from the table."""
    indexed = {p: e.hash for p, e in manifest.files.items() if e.chunks and not e.failed}
    stale = [p for p in counts.files if p not in indexed]
    missing = set(counts.missing(indexed))
    counts.drop(stale)
    if missing:
        texts: dict[str, list[str]] = {p: [] for p in missing}
        for row in store().rows(["path", "text"]):
            if row["path"] in texts:
                texts[row["path"]].append(str(row["text"]))
        for path, passages in texts.items():
            counts.set_file(path, indexed[path], passages)
    if stale or missing or counts.changed:
        counts.save()


def _chunk_id(path: str, digest: str, n: int) -> str:
    # Deterministic per (path, content, position): a re-run writes the very same ids, and two
    # copies of one file in different places still get different ones.
    where = hashlib.blake2b(path.encode("utf-8"), digest_size=8).hexdigest()
    return f"{where}-{digest[:16]}-{n}"


def _open_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "it could not be opened (permission denied)"
    return f"it could not be opened ({exc.strerror or exc})"
