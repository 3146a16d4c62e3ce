"""The thinking of reasoning models: where it starts and ends in the streamed text, so that it is
shown apart ("Thinking…") and is never the answer, its attribution, its export or its history.

Markers are split across streamed pieces, so the splitter holds back the tail of a piece that
could be the start of one until the next piece says whether it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# (opening, closing) markers of the families' templates.
MARKERS: tuple[tuple[str, str], ...] = (
    ("<think>", "</think>"),  # Qwen3, Qwen3.5, SmolLM3, DeepSeek-R1, Phi-4 reasoning, Granite
    ("<|channel>thought", "<channel|>"),  # Gemma 4
    ("[THINK]", "[/THINK]"),  # Magistral, Ministral 3 reasoning
    ("<|channel|>analysis<|message|>", "<|end|>"),  # gpt-oss (harmony)
)
# Headers that introduce the answer after the thinking (harmony); they are not shown.
_DROPPED = ("<|start|>assistant<|channel|>final<|message|>", "<|channel|>final<|message|>")


@dataclass(frozen=True)
class ThinkingDelta:
    """A piece of the model's thinking, streamed before (or between) the answer's text."""

    text: str


Kind = Literal["answer", "thinking"]


def opens_thinking(prompt_text: str) -> str:
    """The closing marker awaited when the rendered prompt itself opened the thinking (Qwen3.5
    writes ``<think>`` into the generation prompt), else ""."""
    tail = prompt_text.rstrip()
    for opening, closing in MARKERS:
        if tail.endswith(opening):
            return closing
    return ""


class ThinkingSplitter:
    """Feed the streamed text; get back (kind, text) pieces in order."""

    def __init__(self, awaiting: str = "") -> None:
        self._closing = awaiting  # "" while in the answer
        self._held = ""
        self._answer_started = False
        self._thinking_started = False

    def feed(self, text: str) -> list[tuple[Kind, str]]:
        out: list[tuple[Kind, str]] = []
        buf = self._held + text
        self._held = ""
        while buf:
            if self._closing:
                at = buf.find(self._closing)
                if at >= 0:
                    self._emit(out, "thinking", buf[:at])
                    buf = buf[at + len(self._closing) :]
                    self._closing = ""
                    continue
                keep = _partial_tail(buf, (self._closing,))
                self._emit(out, "thinking", buf[: len(buf) - keep])
                self._held = buf[len(buf) - keep :]
                break
            found = _earliest(buf)
            if found is not None:
                at, marker, closing = found
                self._emit(out, "answer", buf[:at])
                buf = buf[at + len(marker) :]
                if closing:
                    self._closing = closing
                continue
            keep = _partial_tail(buf, _ALL_OPENINGS)
            self._emit(out, "answer", buf[: len(buf) - keep])
            self._held = buf[len(buf) - keep :]
            break
        return out

    def finish(self) -> list[tuple[Kind, str]]:
        """What was held back at the end of the stream (text that only looked like a marker)."""
        out: list[tuple[Kind, str]] = []
        held, self._held = self._held, ""
        self._emit(out, "thinking" if self._closing else "answer", held)
        return out

    def _emit(self, out: list[tuple[Kind, str]], kind: Kind, text: str) -> None:
        # The blank lines a model writes around its thinking belong to neither part.
        if kind == "answer" and not self._answer_started:
            text = text.lstrip()
            self._answer_started = bool(text)
        if kind == "thinking" and not self._thinking_started:
            text = text.lstrip()
            self._thinking_started = bool(text)
        if text:
            out.append((kind, text))


_ALL_OPENINGS = tuple(o for o, _ in MARKERS) + _DROPPED


def _earliest(buf: str) -> tuple[int, str, str] | None:
    """The first opening marker (or dropped header) in ``buf``: (where, marker, its closing)."""
    best: tuple[int, str, str] | None = None
    candidates = [*MARKERS, *((d, "") for d in _DROPPED)]
    for marker, closing in candidates:
        at = buf.find(marker)
        if at >= 0 and (
            best is None or at < best[0] or (at == best[0] and len(marker) > len(best[1]))
        ):
            best = (at, marker, closing)
    return best


def _partial_tail(buf: str, markers: tuple[str, ...]) -> int:
    """Length of the longest end of ``buf`` that is the start of one of ``markers``."""
    longest = 0
    for marker in markers:
        for n in range(min(len(marker) - 1, len(buf)), longest, -1):
            if marker.startswith(buf[-n:]):
                longest = n
                break
    return longest
