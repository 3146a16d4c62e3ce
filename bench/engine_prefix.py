"""Prefix reuse: time to first token of turn 1 and turn 2 of a ~1,000-token conversation on
the local engine (SmolLM2-135M, 2 threads). Target: turn 2 <= 0.15 x turn 1."""

from __future__ import annotations

import statistics

from engine_common import THREADS, smollm2

from assistant_builder.core.engine.local import LocalEngine
from assistant_builder.core.engine.protocol import (
    ChatMessage,
    Finished,
    LoadOptions,
    SamplingOptions,
    TextDelta,
)

SYSTEM = "You are a careful assistant for a small bakery. " + " ".join(
    f"Rule {i}: answer politely, mention opening hours when asked, and never invent prices."
    for i in range(1, 30)
)
HISTORY = [
    ChatMessage("user" if i % 2 == 0 else "assistant", f"Turn {i}: " + "bread and cakes " * 12)
    for i in range(8)
]
SAMPLING = SamplingOptions(temperature=0.0, seed=1, max_tokens=12)


def run_turn(engine: LocalEngine, messages: list[ChatMessage]) -> tuple[str, Finished]:
    text = ""
    for event in engine.chat(messages, SAMPLING):
        if isinstance(event, TextDelta):
            text += event.text
        elif isinstance(event, Finished):
            return text, event
    raise RuntimeError(f"the engine failed: {event}")


def main() -> None:
    ratios, firsts, seconds = [], [], []
    for _ in range(3):
        engine = LocalEngine()
        engine.load(LoadOptions(str(smollm2()), context_size=2048, threads=THREADS))
        try:
            messages = [ChatMessage("system", SYSTEM), *HISTORY, ChatMessage("user", "Hours?")]
            answer, turn1 = run_turn(engine, messages)
            messages += [ChatMessage("assistant", answer), ChatMessage("user", "And on Sunday?")]
            _, turn2 = run_turn(engine, messages)
        finally:
            engine.unload()
        firsts.append(turn1.timings.ttft_s)
        seconds.append(turn2.timings.ttft_s)
        ratios.append(turn2.timings.ttft_s / turn1.timings.ttft_s)
        print(
            f"turn 1: {turn1.usage.prompt_tokens} prompt tokens, "
            f"TTFT {turn1.timings.ttft_s * 1000:.1f} ms | "
            f"turn 2: {turn2.usage.prompt_tokens} prompt tokens "
            f"({turn2.usage.cached_tokens} reused), TTFT {turn2.timings.ttft_s * 1000:.1f} ms"
        )
    print(
        f"median TTFT turn 1 {statistics.median(firsts) * 1000:.1f} ms, "
        f"turn 2 {statistics.median(seconds) * 1000:.1f} ms, "
        f"ratio {statistics.median(ratios):.3f} (target <= 0.15)"
    )


if __name__ == "__main__":
    main()
