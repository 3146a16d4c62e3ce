"""How long a document question waits for its first word, against what it cannot avoid: the
search of its collection plus llama.cpp's own prompt processing (llama-bench -p) for as many
tokens as the question's final prompt has, all in one run, on a prompt of about 1,500 tokens.
Target: first word <= 1.15 x (retrieval + prompt processing).

    python bench/first_word.py [--questions 3] [--quick]

The documents are tests/data/real_docs, indexed with the tests' MiniLM; the model SmolLM2.
Each question is new, so its passages are read from scratch; the fixed start of the prompt
(the system prompt) stays processed from the question before, as it does for a person."""

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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_common import CACHE, THREADS, llama_bench_pp_s, load_line, smollm2

DOCS = Path(__file__).resolve().parents[1] / "tests" / "data" / "real_docs"
MINILM = CACHE / "embedders" / "all-MiniLM-L6-v2"
QUESTIONS = (
    "How do I add a user to a group?",
    "What does the base-passwd package manage?",
    "Which files does base-files install?",
    "How is a system user different from a normal user?",
    "Where are the default shell settings for new users kept?",
)
TOP_K = 8  # passages of about 200 words each: a prompt of about 1,500 tokens


def cli(*args: str) -> str:
    return subprocess.run([sys.executable, "-m", "assistant_builder", *args], check=True,
                          capture_output=True, text=True).stdout  # fmt: skip


def prepare(home: Path) -> None:
    os.environ["ASSISTANT_BUILDER_HOME"] = str(home)
    os.environ["HF_HUB_OFFLINE"] = "1"
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.json").write_text(json.dumps({"threads": THREADS}))
    cli("collections", "create", "docs", str(DOCS), "--embedder", str(MINILM))
    cli("collections", "index", "docs")
    cli("models", "add", str(smollm2()), "--name", "smol")
    cli("assistants", "create", "Docs", "--model", "smol", "--collection", "docs")
    path = home / "data" / "assistants" / "docs.json"
    data = json.loads(path.read_text())
    for ref in data["collections"]:
        ref["top_k"] = TOP_K
    data["sampling"].update({"seed": 1, "max_tokens": 8})  # the first words are what counts
    data["context_size"] = 4096
    path.write_text(json.dumps(data))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=len(QUESTIONS))
    parser.add_argument("--quick", action="store_true", help="two questions")
    args = parser.parse_args()
    count = 2 if args.quick else args.questions
    with tempfile.TemporaryDirectory() as tmp:
        prepare(Path(tmp) / "home")
        from assistant_builder.core.assistants.session import AnswerSession
        from assistant_builder.core.assistants.turn import Answer
        from assistant_builder.core.engine.protocol import TextDelta
        from assistant_builder.core.services import Services

        rows = []
        with AnswerSession(Services.create()) as session:
            assistant = session.assistant("docs")
            list(session.ask(assistant, "Hello"))  # loads the model and the embedder
            for question in QUESTIONS[:count]:
                t = time.perf_counter()
                session.retrieve(assistant, question + " ")  # same search, not a cached one
                retrieval = time.perf_counter() - t
                t = time.perf_counter()
                first = 0.0
                final = None
                for event in session.ask(assistant, question):
                    if isinstance(event, TextDelta) and not first:
                        first = time.perf_counter() - t
                    elif isinstance(event, Answer):
                        final = event
                assert final is not None and first
                usage = final.usage
                read = usage.prompt_tokens - usage.cached_tokens
                processing = llama_bench_pp_s(smollm2(), read, usage.cached_tokens)
                rows.append(
                    (retrieval, processing, first, usage.prompt_tokens, usage.cached_tokens)
                )
    print(f"{THREADS} threads, {len(rows)} questions; {load_line()}")
    for retrieval, processing, first, prompt, cached in rows:
        print(f"prompt {prompt} tokens ({cached} kept from before): retrieval {retrieval:.3f} s "
              f"+ llama-bench prompt processing {processing:.3f} s = "
              f"{retrieval + processing:.3f} s; first word {first:.3f} s "
              f"({first / (retrieval + processing):.2f}x)")  # fmt: skip
    ratio = statistics.median(f / (r + p) for r, p, f, _n, _c in rows)
    print(f"first word / (retrieval + prompt processing): {ratio:.2f}x median (target <= 1.15x)")


if __name__ == "__main__":
    main()
