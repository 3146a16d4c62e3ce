"""Fast stand-ins for the slow real things, obeying the same protocols as the real ones."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator, Sequence

import numpy as np

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.engine.protocol import (
    ChatEvent,
    ChatMessage,
    Failed,
    Finished,
    LoadOptions,
    SamplingOptions,
    TextDelta,
    Timings,
    Usage,
)
from assistant_builder.core.errors import EngineError
from assistant_builder.core.knowledge.embedder import Vectors


class ScriptedEngine:
    """Answers with the scripted replies in turn, word by word; records what it was asked."""

    def __init__(self, replies: Sequence[str], *, delay_s: float = 0.0, fail_at: int = -1) -> None:
        self.replies = list(replies)
        self.delay_s = delay_s
        self.fail_at = fail_at  # fail after this many words of a reply (-1: never)
        self.loaded: LoadOptions | None = None
        self.requests: list[list[ChatMessage]] = []

    def load(self, options: LoadOptions, *, cancel: CancelToken = NEVER) -> None:
        cancel.raise_if_cancelled()
        self.loaded = options

    def unload(self) -> None:
        self.loaded = None

    def chat(
        self,
        messages: Sequence[ChatMessage],
        sampling: SamplingOptions,
        *,
        cancel: CancelToken = NEVER,
        fixed: int = 0,
    ) -> Iterator[ChatEvent]:
        if self.loaded is None:
            raise EngineError("No model is loaded; choose a model for this assistant first.")
        self.requests.append(list(messages))
        reply = self.replies[(len(self.requests) - 1) % len(self.replies)]
        start = time.perf_counter()
        first: float | None = None
        words = re.findall(r"\S+\s*", reply)[: sampling.max_tokens]
        produced = 0
        for n, word in enumerate(words):
            if cancel.cancelled:
                break
            if n == self.fail_at:
                yield Failed("The model stopped unexpectedly; try again.")
                return
            if self.delay_s:
                cancel.wait(self.delay_s)
            first = first if first is not None else time.perf_counter() - start
            produced += 1
            yield TextDelta(word)
        prompt_tokens = sum(len(m.content.split()) for m in messages)
        yield Finished(
            Usage(prompt_tokens=prompt_tokens, completion_tokens=produced),
            Timings(ttft_s=first or 0.0, total_s=time.perf_counter() - start),
            "cancelled" if cancel.cancelled else "stop",
        )


class DeterministicEmbedder:
    """Bag-of-words hashed into a fixed number of dimensions: texts sharing words are close."""

    def __init__(self, dimension: int = 64) -> None:
        self._dimension = dimension

    @property
    def model_id(self) -> str:
        return f"fake-hash-{self._dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def max_tokens(self) -> int:
        return 256

    def count_tokens(self, text: str) -> int:
        return len(re.findall(r"\w+|[^\w\s]", text))

    def embed(self, texts: Sequence[str], *, cancel: CancelToken = NEVER) -> Vectors:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            cancel.raise_if_cancelled()
            for word in re.findall(r"\w+", text.lower()):
                bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest())
                out[row, bucket % self._dimension] += 1.0
            norm = float(np.linalg.norm(out[row]))
            if norm:
                out[row] /= norm
        return out
