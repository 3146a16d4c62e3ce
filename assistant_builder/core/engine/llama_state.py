"""The engine child's side of the saved prefix states (core/engine/state_cache.py): llama.cpp's
state of sequence 0 (the attention cache of the prompt so far, nothing else) copied out once a
fixed prefix is read, written to disk after the answer, and copied back into a fresh context
after a restart. Only llama_runtime.LlamaRunner drives it."""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Sequence
from typing import Any

from assistant_builder.core.engine.state_cache import StateCache, key_of
from assistant_builder.core.logs import LLAMA_LOGGER

_log = logging.getLogger(LLAMA_LOGGER)
_SEQ = 0  # llama-cpp-python's Llama evaluates everything in sequence 0


class PrefixStates:
    """Restore or capture the state of one model's fixed prefixes."""

    def __init__(self, lib: Any, llm: Any, cache: StateCache, signature: str) -> None:
        self._lib, self._llm, self._cache = lib, llm, cache
        self._model_sha256 = cache.folder.name
        self._signature = signature
        self._pending: tuple[str, tuple[int, ...], Any] | None = None

    def _key(self, prefix: Sequence[int], template_id: str) -> str:
        return key_of(
            llama_version=self._cache.llama_version,
            model_sha256=self._model_sha256,
            template_id=template_id,
            signature=self._signature,
            tokens=prefix,
        )

    def restore(self, prefix: Sequence[int], template_id: str) -> bool:
        """Whether the context now holds ``prefix``, read from its saved state. A state that
        does not load is removed and the context left empty, to be read as usual."""
        key = self._key(prefix, template_id)
        data = self._cache.read(key, prefix)
        if data is None:
            return False
        llm, ctx = self._llm, self._llm._ctx.ctx
        llm.reset()
        llm._ctx.kv_cache_seq_rm(-1, 0, -1)
        source = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        if not self._lib.llama_state_seq_set_data(ctx, source, len(data), _SEQ):
            _log.warning("A saved prompt state did not load; it is made again.")
            self._cache.discard(key)
            llm._ctx.kv_cache_seq_rm(-1, 0, -1)
            return False
        llm.input_ids[: len(prefix)] = prefix
        llm.n_tokens = len(prefix)
        return True

    def capture(self, prefix: Sequence[int], template_id: str) -> None:
        """Copy the state of the context, which holds exactly ``prefix`` now; it is written
        by :meth:`keep`, once the answer is out."""
        ctx = self._llm._ctx.ctx
        size = int(self._lib.llama_state_seq_get_size(ctx, _SEQ))
        if size <= 0 or size > self._cache.limit_bytes:
            return
        buffer = (ctypes.c_uint8 * size)()
        if self._lib.llama_state_seq_get_data(ctx, buffer, size, _SEQ) != size:
            return
        self._pending = (self._key(prefix, template_id), tuple(prefix), buffer)

    def keep(self) -> None:
        """Write the state captured during the last answer, if any. A full or read-only disk
        only means the prefix is read again next time."""
        if self._pending is None:
            return
        key, prefix, buffer = self._pending
        self._pending = None
        try:
            self._cache.write(key, prefix, bytes(buffer))
        except OSError as err:
            _log.warning("A prompt state could not be saved (%s); it is read again next time.", err)
