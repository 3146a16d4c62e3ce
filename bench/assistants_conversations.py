"""Costs the assistants and conversations layer adds: per-token overhead of run_turn (saving
while streaming) over iterating the engine directly, one committed append, prompt assembly
with a long history, and full-text search over many messages. Prints its figures."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant_builder.core.assistants.model import Assistant, ModelRef
from assistant_builder.core.assistants.prompt import Passage, assemble
from assistant_builder.core.assistants.turn import run_turn
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.engine.protocol import (
    ChatMessage,
    LoadOptions,
    SamplingOptions,
)
from tests.fakes import ScriptedEngine

TOKENS = 4000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = ConversationStore(Path(tmp) / "c.sqlite3")
        conv = store.create("bench")
        assistant = Assistant(id="b", name="Bench", model=ModelRef("m"))
        prompt = assemble(
            assistant, "q", variables={}, count_tokens=lambda t: len(t.split()), budget=4096
        )
        engine = ScriptedEngine([" ".join(["tok"] * TOKENS)])
        engine.load(LoadOptions(model_path="m"))
        sampling = SamplingOptions(max_tokens=TOKENS)

        bare = []
        layered = []
        for _ in range(5):
            start = time.perf_counter()
            for _event in engine.chat(prompt.messages, sampling):
                pass
            bare.append(time.perf_counter() - start)
            writer = store.start_answer(conv.id)
            start = time.perf_counter()
            for _event in run_turn(engine, prompt, sampling, writer=writer):
                pass
            layered.append(time.perf_counter() - start)
        overhead_ms = (statistics.median(layered) - statistics.median(bare)) / TOKENS * 1e3
        print(f"run_turn overhead per token (saving while streaming): {overhead_ms:.4f} ms")

        writer = store.start_answer(conv.id)
        samples = []
        for i in range(2000):
            start = time.perf_counter()
            writer.append(f"word{i} ")
            samples.append(time.perf_counter() - start)
        samples.sort()
        print(
            f"one committed append (WAL): median {statistics.median(samples) * 1e3:.3f} ms, "
            f"p95 {samples[int(len(samples) * 0.95)] * 1e3:.3f} ms"
        )

        history = [
            ChatMessage("user" if i % 2 == 0 else "assistant", f"message {i} " * 30)
            for i in range(1000)
        ]
        passages = [Passage(i, f"/d/{i}.txt", None, 0, 10, "text " * 80, 0.9) for i in range(8)]
        start = time.perf_counter()
        for _ in range(20):
            assemble(assistant, "q", history=history, passages=passages, variables={},
                     count_tokens=lambda t: len(t.split()), budget=4096)  # fmt: skip
        per = (time.perf_counter() - start) / 20 * 1e3
        print(f"prompt assembly, 1000-message history, 8 passages: {per:.2f} ms")

        words = ["rent", "lease", "cat", "dog", "invoice", "meeting", "garden", "tax", "train"]
        with store._write() as conn:
            for i in range(20_000):
                text = " ".join(words[(i * k) % len(words)] for k in range(1, 25)) + f" n{i}"
                conn.execute(
                    "INSERT INTO messages(conversation_id, role, content, created_at) "
                    "VALUES (?, 'user', ?, 0)",
                    (conv.id, text),
                )
        lat = []
        for q in ["rent", "cat garden", "n19999", "invoice tax train", "nothingmatches"]:
            for _ in range(20):
                start = time.perf_counter()
                store.search(q, limit=20)
                lat.append(time.perf_counter() - start)
        lat.sort()
        print(
            f"search over 20,000 messages (top 20): median {statistics.median(lat) * 1e3:.2f} ms, "
            f"p95 {lat[int(len(lat) * 0.95)] * 1e3:.2f} ms"
        )
        store.close()


if __name__ == "__main__":
    main()
