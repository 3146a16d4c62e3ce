"""How the engine's token loop picks the next token from the logits llama.cpp left: llama.cpp's
own sampler chain (repeat penalty, top-k, top-p, min-p, temperature, a seeded draw), or, for a
greedy answer without a penalty, the highest logit read straight from llama.cpp's buffer.

Everything here runs right after a token's llama_decode, when the model's weights have just
pushed the loop's code and data out of the CPU's caches: on this 2-core machine a trivial ctypes
call then costs 18 µs instead of 1, so each step is one native call where it can be."""

from __future__ import annotations

import ctypes
from typing import Any

from assistant_builder.core.engine.protocol import SamplingOptions

# Repeat penalty window, in generated tokens: llama-cpp-python's default (last_n_tokens_size).
PENALTY_LAST_N = 64


class Logits:
    """A numpy view of the logits llama.cpp left for a row of the last batch, made again only
    when llama.cpp moved its output buffer (making one costs more than a token's sampling)."""

    def __init__(self, lib: Any, ctx: Any, n_vocab: int) -> None:
        import numpy as np

        self._as_array = np.ctypeslib.as_array
        self._logits_of, self._ctx, self._n_vocab = lib.llama_get_logits_ith, ctx, n_vocab
        self._address: int | None = None
        self._view: Any = None

    def of(self, idx: int) -> Any:
        logits = self._logits_of(self._ctx, idx)
        address = ctypes.cast(logits, ctypes.c_void_p).value
        if address != self._address:
            self._view = self._as_array(logits, shape=(self._n_vocab,))
            self._address = address
        return self._view


class _Greedy:
    """The greedy choice as llama.cpp's greedy sampler makes it (the first highest logit):
    cheaper than the sampler, which first copies the whole vocabulary into a candidate list
    (70 µs a token after a decode here, against 180)."""

    def __init__(self, logits: Logits) -> None:
        self._logits = logits

    def sample(self, _context: Any, idx: int) -> int:
        return int(self._logits.of(idx).argmax())

    def close(self) -> None:
        pass


def token_chooser(sampling: SamplingOptions, seed: int, n_vocab: int, logits: Logits) -> Any:
    """What picks each token of an answer: ``.sample(context, -1)`` returns it (and records it
    for the repeat penalty), ``.close()`` frees it."""
    penalty = sampling.repeat_penalty
    if sampling.temperature == 0.0 and penalty == 1.0:
        return _Greedy(logits)
    import llama_cpp._internals

    internals: Any = llama_cpp._internals
    chain = internals.LlamaSampler()
    best = 1 if sampling.temperature == 0.0 else sampling.top_k  # 0: the whole vocabulary
    if penalty != 1.0:
        if penalty > 1.0 and best > 0 and best + PENALTY_LAST_N < n_vocab:
            # A penalty above 1 only lowers the logits of the (at most PENALTY_LAST_N) recent
            # tokens, so the ``best`` tokens after it are among the best + PENALTY_LAST_N
            # before it: the penalty reads that shortlist instead of looking every token of
            # the vocabulary up among the recent ones (0.27 ms a token here); same choice.
            chain.add_top_k(best + PENALTY_LAST_N)
        chain.add_penalties(n_vocab, PENALTY_LAST_N, penalty, 0.0, 0.0)
    if sampling.temperature == 0.0:
        chain.add_greedy()
        return chain
    chain.add_top_k(sampling.top_k)
    chain.add_top_p(sampling.top_p, 1)
    chain.add_min_p(sampling.min_p, 1)
    chain.add_temp(sampling.temperature)
    chain.add_dist(seed)
    return chain
