"""Per token of an answer as a person gets it, against llama.cpp's own llama-bench in the same
run: `ask` (its own clock, from the first piece to the end), `serve` streamed through the
official openai client (from the first piece to the last), and the Chat page (EngineHost's
signals to the window, offscreen, timed on the GUI thread), with the window process's own CPU
per token while it streams as a ratio to ask's time per token. Default sampling, 512 tokens.

    python bench/answer_path.py [--tokens 512] [--rounds 3] [--quick]

llama-bench is the one built by engine_common.llama_bench() against the installed
llama-cpp-python's own libraries, and runs with ``-n <answer tokens> -d <prompt tokens>`` of
the app's own answer: what it measures is the decoding alone. Each answer is timed right after
a llama-bench run of its own; the figures are the median of those pairs and the fastest round
of each side against each other (other work on the machine only adds time). Targets: ask and serve
<= +0.5 ms a token; the Chat page within +0.3 ms of ask. ENGINE_BENCH_THREADS=1 gives steadier
figures on a busy machine."""

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

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_common import (
    THREADS,
    children_cpu_s,
    llama_bench_tg_cpu_ms,
    llama_bench_tg_ms,
    load_line,
    smollm2,
)

QUESTION = "Write a very long story about a dragon who learns to bake bread."


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant_builder", *args], check=True,
                          capture_output=True, text=True)  # fmt: skip


def prepare(home: Path, tokens: int) -> None:
    """A home with SmolLM2 and an assistant with the default sampling, ``tokens`` long."""
    os.environ["ASSISTANT_BUILDER_HOME"] = str(home)
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.json").write_text(json.dumps({"threads": THREADS}))
    cli("models", "add", str(smollm2()), "--name", "smol")
    cli("assistants", "create", "Bench", "--model", "smol", "--system-prompt", "Be helpful.")
    path = home / "data" / "assistants" / "bench.json"
    data = json.loads(path.read_text())
    data["sampling"].update({"seed": 1, "max_tokens": tokens})  # otherwise the defaults
    data["context_size"] = 1024
    path.write_text(json.dumps(data))


SHORT = 64  # the short answer of the CPU-time figure


def ask_run() -> tuple[float, int]:
    """ms per token after the first and answer tokens of a whole answer through `ask`."""
    ms, n, _depth = ask_answer()
    return ms, n


def ask_answer(*limit: str) -> tuple[float, int, int]:
    """ms per token after the first, answer and prompt tokens, by `ask --json`'s own clock."""
    out = json.loads(cli("ask", "bench", QUESTION, "--json", "--no-history", *limit).stdout)
    n, timings = out["usage"]["completion_tokens"], out["timings"]
    ms = (timings["total_s"] - timings["ttft_s"]) * 1000.0 / max(1, n - 1)
    return ms, n, out["usage"]["prompt_tokens"]


def ask_cpu_ms(tokens: int) -> float:
    """CPU ms per token of `ask` and its engine together: a whole answer less a short one
    (the same words, same seed), over the tokens between; start-up and loading cancel out."""
    spent, counts = [], []
    for limit in (SHORT, tokens):
        before = children_cpu_s()
        _ms, n, _depth = ask_answer("--max-tokens", str(limit))
        spent.append(children_cpu_s() - before)
        counts.append(n)
    return (spent[1] - spent[0]) * 1000.0 / max(1, counts[1] - counts[0])


class Served:
    """`assistant-builder serve` in its own process, asked through the openai client."""

    def __init__(self) -> None:
        from openai import OpenAI

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant_builder", "serve", "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        url = self.proc.stdout.readline().rsplit(" ", 1)[1].strip()
        key = self.proc.stdout.readline().split(": ", 1)[1].strip()
        self.client = OpenAI(base_url=url, api_key=key, max_retries=0, timeout=600)

    def run(self) -> tuple[float, int]:
        first = last = 0.0
        tokens = 0
        for chunk in self.client.chat.completions.create(
            model="bench", stream=True, messages=[{"role": "user", "content": QUESTION}],
            stream_options={"include_usage": True},
        ):  # fmt: skip
            now = time.perf_counter()
            if chunk.choices and chunk.choices[0].delta.content:
                first = first or now
                last = now
            if chunk.usage is not None:
                tokens = chunk.usage.completion_tokens
        return (last - first) * 1000.0 / max(1, tokens - 1), tokens

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


class ChatWindow:
    """The Chat page with its EngineHost, offscreen; pieces are timed where the window gets
    them (the host's ``streamed`` signal, on the GUI thread)."""

    def __init__(self) -> None:
        from PySide6.QtWidgets import QApplication

        from assistant_builder.core.app import AnswerSession, AssistantStore, ConversationStore
        from assistant_builder.core.services import Services
        from assistant_builder.ui.chat.page import ChatPage
        from assistant_builder.ui.engine_host import EngineHost

        self.app = QApplication.instance() or QApplication([])
        services = Services.create()
        self.conversations = ConversationStore(services.paths.conversations_db)
        self.session = AnswerSession(services, conversations=self.conversations)
        self.host = EngineHost(self.session)
        self.page = ChatPage(self.host, AssistantStore(services.paths.assistants_dir),
                             self.conversations)  # fmt: skip
        self.page.resize(1000, 700)
        self.page.show()
        self.stamps: list[float] = []
        self.cpu_ms: list[float] = []  # this process's CPU per token while answering
        self.repaint_rates: list[float] = []  # transcript repaints a second
        self.host.streamed.connect(lambda _rid, _text: self.stamps.append(time.perf_counter()))

    def run(self) -> tuple[float, int]:
        from PySide6.QtCore import QEventLoop

        self.page.open_conversation(None)
        loop = QEventLoop()
        done = self.page.panel.busy_changed.connect(lambda busy: None if busy else loop.quit())
        self.stamps.clear()
        transcript = self.page.panel.transcript
        cpu, repaints = time.process_time(), transcript.repaints
        self.page.panel.send(QUESTION)
        loop.exec()
        cpu = time.process_time() - cpu
        self.page.panel.busy_changed.disconnect(done)
        n = int(self.page.panel.messages()[-1].usage["completion_tokens"])
        self.cpu_ms.append(cpu * 1000.0 / max(1, n))
        wall = max(1e-6, self.stamps[-1] - self.stamps[0])
        self.repaint_rates.append((transcript.repaints - repaints) / wall)
        return (self.stamps[-1] - self.stamps[0]) * 1000.0 / max(1, n - 1), n

    def close(self) -> None:
        self.host.shutdown()
        self.conversations.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cpu-pairs", type=int, default=3, help="pairs of the CPU figure")
    parser.add_argument("--quick", action="store_true", help="one round of 256 tokens")
    args = parser.parse_args()
    if args.quick:
        args.tokens, args.rounds, args.cpu_pairs = 256, 1, 1
    with tempfile.TemporaryDirectory() as tmp:
        prepare(Path(tmp) / "home", args.tokens)
        _ms, n, depth = ask_answer()  # warm-up (disk cache); tells the answer's and prompt's length
        served, window = Served(), ChatWindow()
        rows: dict[str, list[float]] = {"ask": [], "serve": [], "chat": []}
        refs: dict[str, list[float]] = {"ask": [], "serve": [], "chat": []}  # each one's pair
        cpu: dict[str, list[float]] = {"llama-bench": [], "ask": []}
        lengths: dict[str, list[int]] = {"ask": [], "serve": [], "chat": []}
        try:
            served.run()
            window.run()  # each loads its model once, as a person's first question does
            # Each path is timed right after llama-bench (so load from elsewhere on the
            # machine, which changes from minute to minute, hits both of a pair alike), and
            # the paths take turns.
            for _ in range(args.rounds):
                for name, path in (("ask", ask_run), ("serve", served.run), ("chat", window.run)):
                    refs[name].append(llama_bench_tg_ms(smollm2(), n, depth))
                    ms, count = path()
                    rows[name].append(ms)
                    lengths[name].append(count)
            for _ in range(args.cpu_pairs):  # one pair swung from -1.2 to +2.0 ms between runs
                cpu["llama-bench"].append(llama_bench_tg_cpu_ms(smollm2(), n, SHORT, depth))
                cpu["ask"].append(ask_cpu_ms(n))
        finally:
            served.close()
            window.close()
    print(f"{THREADS} threads, {args.rounds} rounds; {load_line()}")
    every = [ms for name in refs for ms in refs[name]]
    print(f"llama-bench -n {n} -d {depth}: {statistics.median(every):.3f} ms/token (median; "
          f"{min(every):.3f} to {max(every):.3f})")  # fmt: skip
    cpu_ref, cpu_ask = statistics.median(cpu["llama-bench"]), statistics.median(cpu["ask"])
    paired = zip(cpu["ask"], cpu["llama-bench"], strict=True)
    cpu_pairs = ", ".join(f"{a - r:+.3f}" for a, r in paired)
    print(f"CPU time per token (medians of {len(cpu['ask'])} pairs): llama-bench "
          f"{cpu_ref:.3f} ms, ask and its engine {cpu_ask:.3f} ms ({cpu_ask - cpu_ref:+.3f}; "
          f"pairs {cpu_pairs})")  # fmt: skip
    over: dict[str, float] = {}
    for name in ("ask", "serve", "chat"):
        pairs = [a - r for a, r in zip(rows[name], refs[name], strict=True)]
        over[name] = statistics.median(pairs)
        # Other work on the machine only ever adds time: the fastest round of each side is
        # the closest to what the path itself costs.
        best = min(rows[name]) - min(refs[name])
        vs_ask = f"; {over[name] - over['ask']:+.3f} against ask" if name == "chat" else ""
        sizes = f"{min(lengths[name])}-{max(lengths[name])}"
        rounds = ", ".join(f"{d:+.3f}" for d in pairs)
        print(f"{name:5s}: {over[name]:+.3f} ms/token over llama-bench (median of pairs){vs_ask}; "
              f"best rounds {min(rows[name]):.3f} against {min(refs[name]):.3f}: {best:+.3f} "
              f"(pairs: {rounds}; answers of {sizes} tokens)")  # fmt: skip
    ask = statistics.median(rows["ask"])
    # The window's own CPU is taken from the model on a 2-core machine.
    gui = statistics.median(window.cpu_ms[1:])  # the first answer loaded the model
    print(f"chat window's process while streaming: {gui:.3f} ms CPU a token = "
          f"{gui / ask:.3f} x ask's {ask:.3f} ms a token; transcript repainted "
          f"{statistics.median(window.repaint_rates[1:]):.1f} times a second")  # fmt: skip


if __name__ == "__main__":
    main()
