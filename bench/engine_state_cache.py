"""Instant start: time to first word of the first question after a restart, on a ~1,000-token
fixed prefix (instructions and one example), with the saved prompt states cleared and with them
warm; each question in a fresh engine process (SmolLM2-135M, the real child). Target: warm <=
0.3 x cleared."""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
from pathlib import Path

from engine_common import THREADS, smollm2

from assistant_builder.core.engine.local import LocalEngine
from assistant_builder.core.engine.protocol import (
    ChatMessage,
    Finished,
    LoadOptions,
    SamplingOptions,
)
from assistant_builder.core.engine.state_cache import StateCacheOptions, size_of

SYSTEM = "You are a careful assistant for a small bakery. " + " ".join(
    f"Rule {i}: answer politely, mention opening hours when asked, and never invent prices."
    for i in range(1, 54)
)
MESSAGES = [
    ChatMessage("system", SYSTEM),
    ChatMessage("user", "Do you sell bread?"),
    ChatMessage("assistant", "Yes, fresh every morning from 7 am."),
    ChatMessage("user", "When do you open on Sunday?"),
]
FIXED = 3  # the instructions and the example
SAMPLING = SamplingOptions(temperature=0.0, seed=1, max_tokens=8)


def first_question(options: LoadOptions) -> Finished:
    """A start of the app, then its first question."""
    engine = LocalEngine()
    engine.load(options)
    try:
        for event in engine.chat(MESSAGES, SAMPLING, fixed=FIXED):
            if isinstance(event, Finished):
                return event
        raise RuntimeError("the engine failed")
    finally:
        engine.unload()


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="state-cache-bench-"))
    options = LoadOptions(
        str(smollm2()), context_size=2048, threads=THREADS, model_sha256="bench" * 8,
        state_cache=StateCacheOptions(folder, 2 << 30),
    )  # fmt: skip
    cleared, warm, ratios = [], [], []
    try:
        for _ in range(3):
            shutil.rmtree(folder, ignore_errors=True)
            cold = first_question(options)
            hot = first_question(options)
            cleared.append(cold.timings.ttft_s)
            warm.append(hot.timings.ttft_s)
            ratios.append(hot.timings.ttft_s / cold.timings.ttft_s)
            print(
                f"cleared: {cold.usage.prompt_tokens} prompt tokens, {cold.usage.cached_tokens} "
                f"reused, first word {cold.timings.ttft_s * 1000:.0f} ms | warm: "
                f"{hot.usage.cached_tokens} reused from "
                f"{size_of(folder).bytes / (1 << 20):.1f} MB on disk, "
                f"first word {hot.timings.ttft_s * 1000:.0f} ms"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    load = os.getloadavg()[0]
    print(
        f"median first word after a restart: cleared {statistics.median(cleared) * 1000:.0f} ms, "
        f"warm {statistics.median(warm) * 1000:.0f} ms, ratio {statistics.median(ratios):.3f} "
        f"(target <= 0.3; load average {load:.1f})"
    )


if __name__ == "__main__":
    main()
