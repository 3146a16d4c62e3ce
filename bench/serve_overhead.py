"""What `assistant-builder serve` adds per generated token over answering in-process: the same
assistant, prompt and greedy settings, measured in one run.

    python bench/serve_overhead.py [--tokens 64] [--runs 3] [--model PATH.gguf]

Prints the in-process inter-token time (AnswerSession, the engine's own timings), the
client-side inter-token time through HTTP + SSE + the official openai client, and the
difference. Needs the openai package (dev extra)."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_MODEL = (
    Path.home() / ".cache/assistant-builder-tests/models/SmolLM2-135M-Instruct.Q4_1.gguf"
)
QUESTION = "Write a short story about a cat who travels the world."


def cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "assistant_builder", *args], check=True,
                   capture_output=True)  # fmt: skip


def prepare(home: Path, model: Path, tokens: int) -> None:
    os.environ["ASSISTANT_BUILDER_HOME"] = str(home)
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.json").write_text(json.dumps({"threads": 2}))
    cli("models", "add", str(model), "--name", "smol")
    cli("assistants", "create", "Bench", "--model", "smol", "--system-prompt", "Be helpful.")
    path = home / "data" / "assistants" / "bench.json"
    data = json.loads(path.read_text())
    # min_p 0 and no early stop from EOS is not available; greedy and a story prompt keep
    # answers long enough to measure.
    data["sampling"].update({"temperature": 0.0, "seed": 1, "max_tokens": tokens})
    data["context_size"] = 1024
    path.write_text(json.dumps(data))


def direct_run(session, assistant) -> float:  # type: ignore[no-untyped-def]
    from assistant_builder.core.assistants.turn import Answer

    final = list(session.ask(assistant, QUESTION))[-1]
    assert isinstance(final, Answer)
    n = final.usage.completion_tokens
    return (final.timings.total_s - final.timings.ttft_s) / max(1, n - 1)


def served_run(client) -> float:  # type: ignore[no-untyped-def]
    """From the first text chunk to the last chunk (which carries the usage), per token
    after the first: chunks can carry several tokens each."""
    first = last = 0.0
    tokens = 0
    for chunk in client.chat.completions.create(
        model="bench", stream=True, messages=[{"role": "user", "content": QUESTION}]
    ):
        now = time.perf_counter()
        if not first and chunk.choices and chunk.choices[0].delta.content:
            first = now
        if chunk.usage is not None:
            last, tokens = now, chunk.usage.completion_tokens
    return (last - first) / max(1, tokens - 1)


def in_process(runs: int) -> list[float]:
    from assistant_builder.core.assistants.session import AnswerSession
    from assistant_builder.core.services import Services

    with AnswerSession(Services.create()) as session:
        assistant = session.assistant("bench")
        for _ in session.load(assistant):
            pass
        direct_run(session, assistant)  # warm-up: model pages, prompt cache
        return [direct_run(session, assistant) for _ in range(runs)]


def served(runs: int) -> list[float]:
    from openai import OpenAI

    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant_builder", "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    url = proc.stdout.readline().rsplit(" ", 1)[1].strip()
    key = proc.stdout.readline().split(": ", 1)[1].strip()
    client = OpenAI(base_url=url, api_key=key, max_retries=0, timeout=600)
    try:
        served_run(client)  # warm-up, as above
        return [served_run(client) for _ in range(runs)]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        prepare(Path(tmp) / "home", args.model, args.tokens)
        # One after the other, each in its own process tree: the machine may be busy, so
        # compare figures from one run only.
        direct = in_process(args.runs)
        api = served(args.runs)
    d, a = statistics.median(direct), statistics.median(api)
    print(f"in-process inter-token time (median of {args.runs}): {d * 1e3:.2f} ms")
    print(f"through serve + SSE + openai client (median):      {a * 1e3:.2f} ms")
    print(f"overhead per token: {(a - d) * 1e3:+.2f} ms ({a / d:.3f}x)")


if __name__ == "__main__":
    main()
