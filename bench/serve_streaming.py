"""What serve's HTTP stack costs per streamed token, before (the standard library's
http.server, as of commit dc58aa0) and after (Starlette on uvicorn), in one run: a scripted
engine that answers at once, so only the stack is measured (the model's own time per token,
~10 ms for SmolLM2-135M on 2 cores, is the same for both).

    python bench/serve_streaming.py [--tokens 2000] [--runs 5]

Prints the client-side time per chunk (the official openai client reading the SSE stream) for
each stack, median of the runs, and the difference."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BEFORE = "dc58aa0"


def old_server_class() -> type:
    """The stdlib server as it was, loaded from git, with the methods served() expects."""
    root = Path(__file__).resolve().parent.parent
    source = subprocess.run(["git", "-C", str(root), "show",
                             f"{BEFORE}:assistant_builder/core/serve/http.py"],
                            check=True, capture_output=True, text=True).stdout  # fmt: skip
    module = types.ModuleType("serve_http_before")
    exec(compile(source, "serve_http_before.py", "exec"), module.__dict__)

    class Before(module.ApiServer):  # type: ignore[name-defined,misc]
        def stop(self) -> None:
            threading.Thread(target=self.shutdown, daemon=True).start()

    return Before


def per_chunk(url: str, key: str) -> float:
    from openai import OpenAI

    client = OpenAI(base_url=url, api_key=key, max_retries=0, timeout=600)
    start = time.perf_counter()
    chunks = sum(1 for _ in client.chat.completions.create(
        model="cats", stream=True, messages=[{"role": "user", "content": "Talk."}]
    ))  # fmt: skip
    return (time.perf_counter() - start) / chunks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from assistant_builder.core.serve.http import ApiServer
    from tests.faults.served import served

    reply = " ".join(f"w{n}" for n in range(args.tokens))
    stacks = {"before (http.server)": old_server_class(), "after (Starlette/uvicorn)": ApiServer}
    times: dict[str, list[float]] = {name: [] for name in stacks}
    with tempfile.TemporaryDirectory() as home:
        os.environ["ASSISTANT_BUILDER_HOME"] = home
        for _ in range(args.runs):  # interleaved, so a busy moment hits both alike
            for name, server_class in stacks.items():
                with served([reply], server_class=server_class) as api:
                    per_chunk(api.url, api.key)  # warm-up
                    times[name].append(per_chunk(api.url, api.key))
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, value in medians.items():
        print(f"{name:<27} {value * 1e6:8.1f} µs per streamed token (median of {args.runs})")
    before, after = medians.values()
    print(f"difference: {(after - before) * 1e6:+.1f} µs per token ({after / before:.2f}x)")


if __name__ == "__main__":
    main()
