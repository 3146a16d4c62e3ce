"""``assistant-builder chat``: a conversation with an assistant in the terminal, streamed,
kept as one conversation; Ctrl+C stops the answer being written, /exit ends the chat."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import TYPE_CHECKING, Any

from assistant_builder.cli.ask import load_model, open_session, print_sources
from assistant_builder.cli.common import progress
from assistant_builder.cli.sampling import add_sampling_options
from assistant_builder.core.cancel import CancelToken

if TYPE_CHECKING:
    from assistant_builder.core.assistants.model import Assistant
    from assistant_builder.core.assistants.session import AnswerSession

EXIT_WORDS = ("/exit", "/quit")


def register(commands: Any) -> None:
    parser = commands.add_parser("chat", help="chat with an assistant in the terminal")
    parser.add_argument("assistant", metavar="ASSISTANT")
    add_sampling_options(parser, default="the assistant's setting")
    parser.set_defaults(handler=_chat)


class _CtrlC:
    """Ctrl+C while an answer is written stops that answer; at the prompt it ends the chat."""

    def __init__(self) -> None:
        self.answer: CancelToken | None = None

    def __call__(self, *_: object) -> None:
        if self.answer is None:
            raise KeyboardInterrupt
        self.answer.cancel()


def _read(prompt: str) -> str | None:
    """A line typed at the prompt, or None at the end of input (Ctrl+D) or Ctrl+C, after
    which the terminal's line is ended so what follows starts on a line of its own."""
    try:
        return input(prompt)
    except (EOFError, KeyboardInterrupt):
        sys.stdout.write("\n")
        sys.stdout.flush()
        return None


def _chat(args: argparse.Namespace) -> int:
    with open_session() as session:
        assistant = load_model(session, args.assistant, args)
        progress(
            f"Chatting with “{assistant.name}”. Type /exit to leave; "
            "Ctrl+C stops an answer while it is written."
        )
        ctrl_c = _CtrlC()
        previous = signal.signal(signal.SIGINT, ctrl_c)
        try:
            conversation_id = _turns(session, assistant, ctrl_c)
        finally:
            signal.signal(signal.SIGINT, previous)
        if conversation_id is not None:
            progress(f"The conversation is saved (number {conversation_id}).")
    return 0


def _turns(session: AnswerSession, assistant: Assistant, ctrl_c: _CtrlC) -> int | None:
    """Question after question in one conversation, until /exit or the end of input."""
    from assistant_builder.core.assistants.answering import Prepared
    from assistant_builder.core.assistants.turn import Answer
    from assistant_builder.core.engine.protocol import TextDelta

    conversation_id: int | None = None
    notice = ""  # said once, and again only if it changes
    while True:
        line = _read("You: ")
        if line is None or line.strip() in EXIT_WORDS:
            return conversation_id
        if not line.strip():
            continue
        ctrl_c.answer = CancelToken()
        final: Answer | None = None
        try:
            for event in session.ask(
                assistant, line, conversation_id=conversation_id, cancel=ctrl_c.answer
            ):
                if isinstance(event, Prepared):
                    conversation_id = event.conversation_id
                    if event.template_notice not in ("", notice):
                        notice = event.template_notice
                        progress(notice)
                    sys.stdout.write(f"{assistant.name}: ")
                elif isinstance(event, TextDelta):
                    sys.stdout.write(event.text)
                    sys.stdout.flush()
                elif isinstance(event, Answer):
                    final = event
        finally:
            ctrl_c.answer = None
        print()
        if final is not None:
            if final.stop_reason == "cancelled":
                progress("(stopped; what was written is kept)")
            print_sources(final)
