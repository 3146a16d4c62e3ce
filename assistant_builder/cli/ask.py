"""``assistant-builder ask``: one question to an assistant, answered from its documents."""

from __future__ import annotations

import argparse
import contextlib
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
    parser.add_argument(
        "--no-history", action="store_true",
        help="do not keep this question and its answer in the app's history",
    )  # fmt: skip
    add_sampling_options(parser, default="the assistant's setting")
    parser.add_argument(
        "--show-prompt", action="store_true",
        help="also show the exact prompt the model evaluated (with --json: its \"prompt\" key)",
    )  # fmt: skip
    parser.set_defaults(handler=_ask)


def open_session() -> AnswerSession:
    from assistant_builder.core.assistants.session import AnswerSession

    return AnswerSession(services())


def load_model(session: AnswerSession, name: str, args: argparse.Namespace) -> Any:
    """The assistant with the sampling options given on the command line, its model loaded."""
    from assistant_builder.core.assistants.session import Loading

    assistant = session.assistant(name)
    assistant = replace(assistant, sampling=chosen(args, assistant.sampling))
    for event in session.load(assistant):
        if isinstance(event, Loading):
            progress(f"Loading the model of “{assistant.name}” ({event.model})…")
    return assistant


def answer_json(
    answer: Answer, conversation_id: int | None, *, prompt: bool = False
) -> dict[str, Any]:
    """SPEC §4's shape; ``flagged`` lists citation numbers the model made up (dropped);
    ``conversation_id`` is null when the exchange was not kept."""
    data = {
        "answer": answer.text,
        "citations": [c.to_json() for c in answer.citations],
        "unsupported": [[a, b] for a, b in answer.grounding.unsupported],
        "doubtful": [{"n": n, "span": [a, b]} for n, (a, b) in answer.grounding.doubtful],
        "usage": {
            "prompt_tokens": answer.usage.prompt_tokens,
            "completion_tokens": answer.usage.completion_tokens,
        },
        "timings": {"ttft_s": answer.timings.ttft_s, "total_s": answer.timings.total_s},
        "flagged": list(answer.invented_citations),
        "conversation_id": conversation_id,
    }
    if prompt:
        data["prompt"] = answer.prompt
    return data


def print_sources(answer: Answer) -> None:
    """The passages that support the answer, with the sentences each supports, and a note on
    sentences no passage supports and on any number the model invented or got wrong."""
    for p in answer.citations:
        where = f", page {p.page}" if p.page is not None else ""
        print(f"[{p.n}] {p.source}{where}")
        for a, b in p.spans:
            print(f"      supports: {_clip(answer.text[a:b])}")
    grounding = answer.grounding
    if grounding.unsupported:
        count = len(grounding.unsupported)
        sentences = "sentence is" if count == 1 else "sentences are"
        progress(f"Note: {count} {sentences} not found in your documents:")
        for a, b in grounding.unsupported:
            progress(f"      {_clip(answer.text[a:b])}")
    if grounding.doubtful:
        numbers = ", ".join(sorted({f"[{n}]" for n, _ in grounding.doubtful}))
        progress(f"Note: the passage behind {numbers} does not say what its sentence says.")
    if answer.invented_citations:
        numbers = ", ".join(f"[{n}]" for n in answer.invented_citations)
        progress(f"Note: {numbers} in the answer match no passage it was given; ignore them.")
    if answer.stop_reason == "length":
        progress("The answer reached its maximum length; ask with a larger --max-tokens.")


def _clip(text: str, length: int = 90) -> str:
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1] + "…"


def _ask(args: argparse.Namespace) -> int:
    from assistant_builder.core.assistants.answering import Prepared
    from assistant_builder.core.assistants.turn import Answer
    from assistant_builder.core.conversations.scratch import ScratchConversations
    from assistant_builder.core.engine.protocol import TextDelta

    with open_session() as session, contextlib.ExitStack() as stack:
        assistant = load_model(session, args.assistant, args)
        kept = None
        if args.no_history:
            kept = stack.enter_context(ScratchConversations(session.services.paths.scratch_dir))
        final: Answer | None = None
        conversation_id = 0
        for event in session.ask(assistant, args.question, conversations=kept):
            if isinstance(event, Prepared):
                conversation_id = event.conversation_id
                if event.template_notice:
                    progress(event.template_notice)
                if args.show_prompt and not args.json and event.final.preview is not None:
                    sys.stdout.write(event.final.preview.text + "\n" + "-" * 40 + "\n")
            elif isinstance(event, TextDelta):
                if not args.json:
                    sys.stdout.write(event.text)
                    sys.stdout.flush()
            elif isinstance(event, Answer):
                final = event
        assert final is not None  # answer() always ends with one
        kept_as = None if args.no_history else conversation_id
        if args.json:
            print_json(answer_json(final, kept_as, prompt=args.show_prompt))
            if final.invented_citations:
                progress("Note: the answer cites passages it was not given; see “flagged”.")
            return 0
        print()
        print_sources(final)
        if kept_as is not None:
            progress(
                f"This question and its answer are kept in the app's history (conversation "
                f"{kept_as}); add --no-history to leave them out."
            )
    return 0
