"""``assistant-builder ask``: one question to an assistant, answered from its documents."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from assistant_builder.cli.common import print_json, progress, services
from assistant_builder.cli.sampling import add_sampling_options, chosen

if TYPE_CHECKING:
    from assistant_builder.core.assistants.session import AnswerSession
    from assistant_builder.core.assistants.turn import Answer


def register(commands: Any) -> None:
    parser = commands.add_parser("ask", help="ask an assistant one question")
    parser.add_argument("assistant", metavar="ASSISTANT")
    parser.add_argument("question", metavar="QUESTION")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON on stdout")
    add_sampling_options(parser, default="the assistant's setting")
    parser.set_defaults(handler=_ask)


def open_session() -> AnswerSession:
    from assistant_builder.core.assistants.session import AnswerSession

    return AnswerSession(services())


def load_model(session: AnswerSession, name: str, args: argparse.Namespace) -> Any:
    """The assistant with the sampling options given on the command line, its model loaded."""
    assistant = session.assistant(name)
    assistant = replace(assistant, sampling=chosen(args, assistant.sampling))
    progress(f"Loading the model of “{assistant.name}” ({assistant.model.id})…")
    session.load(assistant)
    return assistant


def answer_json(answer: Answer, conversation_id: int) -> dict[str, Any]:
    """SPEC §4's shape; ``flagged`` lists citation numbers the model made up (dropped)."""
    return {
        "answer": answer.text,
        "citations": [
            {"n": p.n, "source": p.source, "page": p.page, "text": p.text} for p in answer.citations
        ],
        "usage": {
            "prompt_tokens": answer.usage.prompt_tokens,
            "completion_tokens": answer.usage.completion_tokens,
        },
        "timings": {"ttft_s": answer.timings.ttft_s, "total_s": answer.timings.total_s},
        "flagged": list(answer.invented_citations),
        "conversation_id": conversation_id,
    }


def print_sources(answer: Answer) -> None:
    """The cited passages under the answer, and a note on any number the model invented."""
    for p in answer.citations:
        where = f", page {p.page}" if p.page is not None else ""
        print(f"[{p.n}] {p.source}{where}")
    if answer.invented_citations:
        numbers = ", ".join(f"[{n}]" for n in answer.invented_citations)
        progress(f"Note: {numbers} in the answer match no passage it was given; ignore them.")
    if answer.stop_reason == "length":
        progress("The answer reached its maximum length; ask with a larger --max-tokens.")


def _ask(args: argparse.Namespace) -> int:
    from assistant_builder.core.assistants.answering import Prepared
    from assistant_builder.core.assistants.turn import Answer
    from assistant_builder.core.engine.protocol import TextDelta

    with open_session() as session:
        assistant = load_model(session, args.assistant, args)
        final: Answer | None = None
        conversation_id = 0
        for event in session.ask(assistant, args.question):
            if isinstance(event, Prepared):
                conversation_id = event.conversation_id
            elif isinstance(event, TextDelta):
                if not args.json:
                    sys.stdout.write(event.text)
                    sys.stdout.flush()
            elif isinstance(event, Answer):
                final = event
        assert final is not None  # answer() always ends with one
        if args.json:
            print_json(answer_json(final, conversation_id))
            if final.invented_citations:
                progress("Note: the answer cites passages it was not given; see “flagged”.")
            return 0
        print()
        print_sources(final)
    return 0
