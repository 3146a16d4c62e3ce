"""``assistant-builder preview``: the exact final prompt an assistant's model would receive for
a question (special tokens included), its token count and how the context window is spent."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from assistant_builder.cli.common import print_json, services

PARTS = ("instructions", "examples", "documents", "history", "question")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "preview", help="show the exact prompt an assistant's model would receive"
    )
    parser.add_argument("assistant", metavar="ASSISTANT")
    parser.add_argument("question", metavar="QUESTION")
    parser.add_argument("--json", action="store_true", help="print the prompt as JSON on stdout")
    parser.set_defaults(handler=_preview)


def _preview(args: argparse.Namespace) -> int:
    from assistant_builder.core.assistants.answering import check_question
    from assistant_builder.core.assistants.session import AnswerSession

    check_question(args.question)  # as ask would refuse it

    with AnswerSession(services()) as session:
        assistant = session.assistant(args.assistant)
        view = session.preview(assistant, args.question)
    final = view.final
    preview = final.preview
    if args.json:
        data: dict[str, Any] = {
            "prompt": view.text,
            "tokens": preview.total_tokens if preview else 0,
            "context_size": assistant.context_size,
            "answer_room": final.answer_room,
            "parts": {p: preview.tokens_of(p) if preview else 0 for p in PARTS},
            "passages": len(final.assembled.passages),
            "left_out": list(preview.dropped) if preview else [],
            "refusal": final.assembled.refusal,
            "template_notice": preview.template_notice if preview else "",
            "retrieval_problem": view.retrieval_problem,
        }
        print_json(data)
        return 0
    if preview is None:
        print(f"No model would be asked: the assistant answers “{final.assembled.refusal}”.")
        return 0
    sys.stdout.write(preview.text)
    if not preview.text.endswith("\n"):
        sys.stdout.write("\n")
    print("-" * 40, file=sys.stderr)
    spent = ", ".join(f"{p} {preview.tokens_of(p)}" for p in PARTS if preview.tokens_of(p))
    print(
        f"{preview.total_tokens} of {assistant.context_size} tokens ({spent}); "
        f"{final.answer_room} kept for the answer.",
        file=sys.stderr,
    )
    for line in (preview.template_notice, view.retrieval_problem, *preview.dropped):
        if line:
            print(line, file=sys.stderr)
    return 0
