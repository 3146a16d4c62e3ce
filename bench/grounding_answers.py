"""Produces the raw material of bench/data/grounding_pairs.json: real answers of the real small
model over real documents nobody here wrote, with the passages each answer was given.

The documents are this machine's manual pages (as bench/knowledge_eval.py uses them), or with
``--docs real`` the Debian READMEs vendored in tests/data/real_docs (see its SOURCE.md). The app
itself does everything: `assistant-builder models add`, `collections create` / `index` and
`assistants create` on the command line, then each question goes through the code `ask --json`
runs (AnswerSession.ask and the same JSON), keeping the passages of the prompt it built, which
`ask --json` does not print. Writes bench/data/grounding_answers.json; the labels are added by
hand to grounding_pairs.json (see bench/grounding_eval.py).

    python bench/grounding_answers.py [--docs man|real] [--model PATH.gguf] [--name smollm2]
        [--max-tokens 160] [--only N] [--skip N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engine_common import minilm, smollm2
from bench.knowledge_corpus import man_page

REAL_DOCS = Path(__file__).resolve().parent.parent / "tests" / "data" / "real_docs"
OUT = Path(__file__).resolve().parent / "data" / "grounding_answers.json"

PAGES = ["ls", "cp", "mv", "rm", "tar", "gzip", "grep", "sort", "uniq", "wc", "head", "tail",
         "cut", "tr", "chmod", "ln", "du", "df", "tee", "split", "nice", "timeout", "mkdir",
         "touch"]  # fmt: skip

MAN_QUESTIONS = [
    "How do I sort the output of ls by modification time?",
    "What does the -p option of cp do?",
    "How can I make mv ask before overwriting a file?",
    "How do I delete a directory and everything in it with rm?",
    "How do I create a gzip-compressed tar archive?",
    "What does gzip do with the original file after compressing it?",
    "How do I make grep ignore the case of letters?",
    "How can grep print the line numbers of matching lines?",
    "How do I sort lines numerically in reverse order?",
    "What does uniq -c do?",
    "How do I count only the lines of a file with wc?",
    "How many lines does head print by default?",
    "How do I follow a growing log file with tail?",
    "How do I select the second field of a comma-separated line with cut?",
    "How do I turn lowercase letters into uppercase with tr?",
    "What does chmod -R do?",
    "How do I create a symbolic link with ln?",
    "How do I see disk usage in human-readable sizes with du?",
    "What does df report?",
    "How do I append to a file with tee instead of overwriting it?",
    "How do I split a file into pieces of a given size?",
    "What is the default niceness adjustment of nice?",
    "What exit status does timeout return when the command times out?",
    "How do I create parent directories with mkdir?",
    "What does touch do when the file does not exist?",
]

REAL_QUESTIONS = [
    "What does the adduser package contain?",
    "Is adduser --system safe to call when the user already exists?",
    "What is the default DIR_MODE for home directories in adduser?",
    "Why was debconf support removed from adduser?",
    "Should I delete my package's system user when the package is purged?",
    "What does update-passwd do?",
    "Which uid range does Debian reserve for the master copies of passwd and group?",
    "Is root ever removed by update-passwd?",
    "How do I request a uid in the 60000-64999 range?",
    "What uid is reserved for mysql?",
    "Why does /etc/issue say trixie/sid on testing?",
    "How do I know which Debian distribution I am running?",
    "Why is /etc/issue not updated at a point release?",
    "Why are the files of base-files not handled as conffiles?",
]


def cli(home: Path, *args: str) -> str:
    env = {**os.environ, "ASSISTANT_BUILDER_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "assistant_builder", *args],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    return done.stdout + done.stderr


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=None, help="SmolLM2 unless given")
    parser.add_argument("--name", default="smollm2")
    parser.add_argument("--max-tokens", type=int, default=160)
    parser.add_argument("--home", type=Path, default=None, help="reuse this data folder")
    parser.add_argument("--docs", choices=("man", "real"), default="man")
    parser.add_argument("--only", type=int, default=0, help="ask only the first N questions")
    parser.add_argument("--skip", type=int, default=0, help="leave out the first N questions")
    args = parser.parse_args()
    args.model = args.model or smollm2()
    embedder = minilm()  # both fetched on the first run, as the tests fetch them
    questions = MAN_QUESTIONS if args.docs == "man" else REAL_QUESTIONS
    questions = questions[: args.only] if args.only else questions
    questions = questions[args.skip :]

    home = args.home or Path(tempfile.mkdtemp(prefix="grounding-"))
    docs = home / "man"
    if not docs.is_dir():
        docs.mkdir(parents=True)
        if args.docs == "man":
            for name in PAGES:
                (docs / f"{name}.txt").write_text(man_page(name), encoding="utf-8")
        else:
            for path in sorted(REAL_DOCS.glob("*.txt")):
                (docs / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        cli(home, "collections", "create", "man", str(docs), "--embedder", str(embedder))
        print(cli(home, "collections", "index", "man", "--json"), file=sys.stderr)
    assistant = f"helper-{args.name}"
    if assistant not in cli(home, "assistants", "list"):
        added = cli(home, "models", "add", str(args.model), "--name", args.name)
        ref = added.rsplit("“", 1)[1].split("”", 1)[0]  # 'Added NAME (SIZE) as “ID”.'
        cli(home, "assistants", "create", assistant, "--model", ref, "--collection", "man")

    os.environ["ASSISTANT_BUILDER_HOME"] = str(home)
    os.environ["HF_HUB_OFFLINE"] = "1"
    from assistant_builder.cli.ask import answer_json, load_model, open_session
    from assistant_builder.cli.sampling import add_sampling_options
    from assistant_builder.core.assistants.answering import Prepared
    from assistant_builder.core.assistants.turn import Answer

    records = json.loads(OUT.read_text()) if OUT.is_file() else []
    described = "man -P cat (MANWIDTH=100) of " + " ".join(PAGES)
    if args.docs == "real":
        described = "tests/data/real_docs: " + " ".join(sorted(p.name for p in docs.iterdir()))
    with open_session() as session:
        unchanged = argparse.ArgumentParser()  # no sampling option given: the assistant's own
        add_sampling_options(unchanged, default="the assistant's setting")
        chosen = load_model(session, assistant, unchanged.parse_args([]))
        for question in questions:
            passages = []
            final = None
            for event in session.ask(chosen, question, max_tokens=args.max_tokens):
                if isinstance(event, Prepared):
                    passages = [
                        {"n": p.n, "source": Path(p.source).name, "page": p.page,
                         "start": p.start, "end": p.end, "text": p.text}
                        for p in event.final.assembled.passages
                    ]  # fmt: skip
                elif isinstance(event, Answer):
                    final = event
            assert final is not None
            record = answer_json(final, 0)
            records.append({
                "model": args.model.name, "question": question, "answer": record["answer"],
                "collection": {"documents": described,
                               "embedder": "all-MiniLM-L6-v2", "top_k": 5, "mode": "hybrid"},
                "max_tokens": args.max_tokens, "passages": passages,
            })  # fmt: skip
            print(f"{question}\n  -> {final.text[:200]!r}", file=sys.stderr)
            OUT.parent.mkdir(parents=True, exist_ok=True)
            OUT.write_text(json.dumps(records, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
