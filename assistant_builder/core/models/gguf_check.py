"""Validation of GGUF files before llama.cpp (or anything else) trusts them.

A bounds-checked walk of the header with ``struct`` comes first, because ``gguf.GGUFReader``
trusts the counts it reads: an array claiming 2**40 one-byte items past the end of a small
file makes its per-item loop spin without advancing (a hang), and tensors past the end only
fail deep inside numpy with a cryptic message. Only a file that passes the walk is handed to
GGUFReader (:func:`open_reader`). The walk also keeps the scalar and string metadata, because
GGUFReader builds numpy views per array item: 2.5 s for SmolLM2's 49k-token vocabulary, far
more for 150k-token ones, which is fine once when a file is added but not for every look."""

from __future__ import annotations

import contextlib
import gc
import mmap
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant_builder.core.errors import InvalidModelFile

GGUF_MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
# Far above any real file (a 70B model has ~700 tensors and ~40 keys; MoE models a few
# thousand tensors), far below what could exhaust memory while we look.
MAX_TENSORS = 1 << 20
MAX_KV = 1 << 16
MAX_NAME = 1 << 16
MAX_DIMS = 4  # GGML_MAX_DIMS
MAX_ARRAY_NESTING = 2

_SCALARS = {
    0: "B",
    1: "b",
    2: "H",
    3: "h",
    4: "I",
    5: "i",
    6: "f",
    7: "?",
    10: "Q",
    11: "q",
    12: "d",
}
_STRING, _ARRAY = 8, 9


@dataclass(frozen=True)
class TensorEntry:
    """One row of the tensor table: ``dims`` in GGML order (dims[0] is the row length)."""

    name: str
    dims: tuple[int, ...]
    ggml_type: int
    offset: int  # absolute position of the data in the file
    n_bytes: int


@dataclass(frozen=True)
class Layout:
    version: int
    kv_count: int
    tensors: tuple[TensorEntry, ...]
    data_offset: int
    file_size: int
    # Scalars and strings as read; arrays of scalars up to MAX_KEPT_ARRAY items as lists;
    # longer arrays (vocabularies) as ArrayInfo, their items skipped.
    metadata: dict[str, Any]


@dataclass(frozen=True)
class ArrayInfo:
    item_type: int
    count: int


MAX_KEPT_ARRAY = 1024


class _Bad(Exception):
    """Internal: why the walk stopped; turned into one sentence by :func:`check_layout`."""


class _Cursor:
    def __init__(self, buf: Any, size: int) -> None:
        self.buf, self.size, self.pos = buf, size, 0

    def take(self, fmt: str) -> Any:
        width = struct.calcsize("<" + fmt)
        if self.pos + width > self.size:
            raise _Bad("truncated")
        (value,) = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += width
        return value

    def string(self, limit: int) -> bytes:
        length = self.take("Q")
        if length > limit or self.pos + length > self.size:
            raise _Bad("truncated" if length <= limit else "absurd")
        raw = bytes(self.buf[self.pos : self.pos + length])
        self.pos += length
        return raw

    def value(self, vtype: int, depth: int = 0) -> Any:
        """Read one value (see Layout.metadata for what is kept of arrays)."""
        if vtype in _SCALARS:
            return self.take(_SCALARS[vtype])
        if vtype == _STRING:
            return self.string(self.size).decode("utf-8", "replace")
        if vtype == _ARRAY and depth < MAX_ARRAY_NESTING:
            item_type = self.take("I")
            count = self.take("Q")
            if item_type in _SCALARS:
                fmt = _SCALARS[item_type]
                width = struct.calcsize("<" + fmt)
                if count * width > self.size - self.pos:
                    raise _Bad("absurd")
                start, self.pos = self.pos, self.pos + count * width
                if count <= MAX_KEPT_ARRAY:
                    return list(struct.unpack_from(f"<{count}{fmt}", self.buf, start))
                return ArrayInfo(item_type, count)
            # Each string or nested array needs at least 8 bytes: bound the loop by the file.
            if count * 8 > self.size - self.pos:
                raise _Bad("absurd")
            if item_type == _STRING:
                if count <= MAX_KEPT_ARRAY:
                    return [self.string(self.size).decode("utf-8", "replace") for _ in range(count)]
                for _ in range(count):  # a vocabulary: skip fast, keep only the count
                    length = self.take("Q")
                    if length > self.size - self.pos:
                        raise _Bad("truncated")
                    self.pos += length
                return ArrayInfo(item_type, count)
            for _ in range(count):
                self.value(item_type, depth + 1)
            return ArrayInfo(item_type, count)
        raise _Bad("type")


def _describe(path: Path, reason: str) -> InvalidModelFile:
    return InvalidModelFile(f"{path.name} is not a usable GGUF model file: {reason}.")


def check_layout(path: Path) -> Layout:
    """Walk header, metadata and tensor table with bounds checks; raise InvalidModelFile."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            if size < 24:
                head = handle.read(4)
                if head != GGUF_MAGIC[: len(head)] or not head:
                    raise _describe(path, "it does not start like a GGUF file; choose a .gguf file")
                raise _describe(path, _TRUNCATED)
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as buf:
                return _walk(path, _Cursor(buf, size))
    except OSError as exc:
        raise InvalidModelFile(
            f"{path.name} could not be read ({exc.strerror or exc}); check the file and try again."
        ) from exc


_TRUNCATED = "the file ends too early (probably an incomplete download or copy); get the file again"
_REASONS = {
    "truncated": _TRUNCATED,
    "absurd": "its header holds impossible sizes (the file is damaged); get the file again",
    "type": "its metadata holds an unknown kind of value (the file is damaged); get it again",
}


def _walk(path: Path, cur: _Cursor) -> Layout:
    if bytes(cur.buf[:4]) != GGUF_MAGIC:
        raise _describe(path, "it does not start like a GGUF file; choose a .gguf file")
    cur.pos = 4
    version = cur.take("I")
    if version not in SUPPORTED_VERSIONS:
        raise _describe(
            path,
            f"it uses GGUF version {version}, which this app cannot read; "
            "get a file made by a recent llama.cpp",
        )
    n_tensors, n_kv = cur.take("Q"), cur.take("Q")
    # The smallest key/value takes 13 bytes and the smallest tensor entry 24.
    if n_tensors <= MAX_TENSORS and n_kv <= MAX_KV and n_kv * 13 + n_tensors * 24 > cur.size:
        raise _describe(path, _TRUNCATED)  # plausible counts, missing bytes: a cut-off file
    if n_tensors > MAX_TENSORS or n_kv > MAX_KV:
        raise _describe(
            path,
            f"its header claims {n_tensors} tensors and {n_kv} metadata entries, more than "
            "the file could hold (the file is damaged); get the file again",
        )
    metadata: dict[str, Any] = {}
    try:
        for _ in range(n_kv):
            key = cur.string(MAX_NAME).decode("utf-8", "replace")
            if key in metadata:
                raise _describe(path, f"its metadata holds “{key}” twice (the file is damaged)")
            metadata[key] = cur.value(cur.take("I"))
        alignment = metadata.get("general.alignment", 32)
        if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
            raise _describe(path, "its data alignment is invalid (the file is damaged)")
        raw_tensors = []
        for _ in range(n_tensors):
            name = cur.string(MAX_NAME).decode("utf-8", "replace")
            n_dims = cur.take("I")
            if not 1 <= n_dims <= MAX_DIMS:
                raise _Bad("absurd")
            dims = tuple(cur.take("Q") for _ in range(n_dims))
            raw_tensors.append((name, dims, cur.take("I"), cur.take("Q")))
    except _Bad as bad:
        raise _describe(path, _REASONS[str(bad)]) from None
    data_offset = -(-cur.pos // alignment) * alignment
    tensors = tuple(_tensor(path, cur.size, data_offset, alignment, *raw) for raw in raw_tensors)
    if len({t.name for t in tensors}) != len(tensors):
        raise _describe(path, "two of its tensors have the same name (the file is damaged)")
    return Layout(version, n_kv, tensors, data_offset, cur.size, metadata)


def _tensor(
    path: Path, size: int, data_offset: int, alignment: int, name: str, dims: tuple[int, ...],
    ggml_type: int, offset: int,
) -> TensorEntry:  # fmt: skip
    from gguf import GGML_QUANT_SIZES, GGMLQuantizationType

    try:
        block, type_size = GGML_QUANT_SIZES[GGMLQuantizationType(ggml_type)]
    except (ValueError, KeyError):
        raise _describe(
            path, f"tensor {name} uses an unknown number format; get a file made for llama.cpp"
        ) from None
    elements = 1
    for dim in dims:
        elements *= dim
    if not dims or any(d <= 0 for d in dims) or dims[0] % block or elements >= 1 << 62:
        raise _describe(path, f"tensor {name} has impossible dimensions (the file is damaged)")
    n_bytes = elements // block * type_size
    start = data_offset + offset
    if offset % alignment or start + n_bytes > size:
        raise _describe(
            path,
            f"the data of tensor {name} lies past the end of the file "
            "(probably an incomplete download); get the file again",
        )
    return TensorEntry(name, dims, ggml_type, start, n_bytes)


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """GGUFReader allocates ~100k small numpy objects per vocabulary; the allocation bursts
    trigger full passes of the cyclic collector over all of them, each holding the GIL for
    100-200 ms, which freezes the GUI thread while a model is added in the background. The
    objects form no cycles (reference counting frees them), so the collector is paused while
    they live; the counter keeps overlapping pauses from turning it back on early."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def open_reader(path: Path) -> Any:
    """A ``gguf.GGUFReader`` over a file that passed :func:`check_layout`."""
    check_layout(path)
    from gguf import GGUFReader

    try:
        return GGUFReader(path)
    except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError, OverflowError) as exc:
        raise _describe(path, f"its metadata cannot be read ({exc}); get the file again") from exc


def check_with_reader(path: Path) -> None:
    """The walk, then gguf's own full parse of a file that passed it; nothing is kept.

    The reader is created and freed while the cyclic collector is paused (see above): freed
    inside, the collector's counts are back where they were when it resumes."""
    with _cyclic_gc_paused():
        reader = open_reader(path)
        for field in reader.fields.values():
            # A slice at a time: freeing 100k arrays in one go holds the GIL for ~40 ms.
            while field.parts:
                del field.parts[-2048:]
        del reader
