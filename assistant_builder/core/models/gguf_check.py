"""Validation of GGUF files before llama.cpp (or anything else) trusts them.

A bounds-checked walk of the header with ``struct`` comes first, because ``gguf.GGUFReader``
trusts the counts it reads: an array claiming 2**40 one-byte items past the end of a small
file makes its per-item loop spin without advancing (a hang), and tensors past the end only
fail deep inside numpy with a cryptic message. Only a file that passes the walk is handed to
GGUFReader, which then parses the metadata for real."""

from __future__ import annotations

import mmap
import struct
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

    def skip_value(self, vtype: int, depth: int = 0) -> Any:
        """Skip one value; returns it when it is a scalar (alignment is read that way)."""
        if vtype in _SCALARS:
            return self.take(_SCALARS[vtype])
        if vtype == _STRING:
            self.string(self.size)
            return None
        if vtype == _ARRAY and depth < MAX_ARRAY_NESTING:
            item_type = self.take("I")
            count = self.take("Q")
            if item_type in _SCALARS:
                width = struct.calcsize("<" + _SCALARS[item_type])
                if count * width > self.size - self.pos:
                    raise _Bad("absurd")
                self.pos += count * width
                return None
            # Each string or nested array needs at least 8 bytes: bound the loop by the file.
            if count * 8 > self.size - self.pos:
                raise _Bad("absurd")
            for _ in range(count):
                self.skip_value(item_type, depth + 1)
            return None
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
    alignment = 32
    try:
        for _ in range(n_kv):
            key = cur.string(MAX_NAME)
            value = cur.skip_value(cur.take("I"))
            if key == b"general.alignment":
                alignment = value if isinstance(value, int) else 0
        if alignment <= 0 or alignment & (alignment - 1):
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
    return Layout(version, n_kv, tensors, data_offset, cur.size)


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


def open_reader(path: Path) -> Any:
    """A ``gguf.GGUFReader`` over a file that passed :func:`check_layout`, plus the layout."""
    check_layout(path)
    from gguf import GGUFReader

    try:
        return GGUFReader(path)
    except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError, OverflowError) as exc:
        raise _describe(path, f"its metadata cannot be read ({exc}); get the file again") from exc
