"""``assistant-builder chat``: a conversation with an assistant in the terminal, streamed,
kept as one conversation; Ctrl+C stops the answer being written, /exit ends the chat."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

from assistant_builder.cli.ask import load_model, open_session, print_sources
from assistant_builder.cli.common import progress

EXIT_WORDS = ("/exit", "/quit")


def register(commands: Any) -> None:
    parser = commands.add_parser("chat", help="chat with an assistant in the terminal")
    parser.add_argument("assistant", metavar="ASSISTANT")
    parser.set_defaults(handler=_chat)


def _read(prompt: str) -> str | None:
    try:
        return input(prompt)
    except (EOFError, KeyboardInterrupt):
        return None


def _stopper(cancel: Any) -> Any:
    return lambda *_: cancel.cancel()


def _chat(args: argparse.Namespace) -> int:
    from assistant_builder.core.assistants.answering import Prepared
    from assistant_builder.core.assistants.turn import Answer
    from assistant_builder.core.cancel import CancelToken
    from assistant_builder.core.engine.protocol import TextDelta

    with open_session() as session:
        assistant = load_model(session, args.assistant)
        progress(
            f"Chatting with “{assistant.name}”. Type /exit to leave; "
            "Ctrl+C stops an answer while it is written."
        )
        conversation_id: int | None = None
        while True:
            line = _read("You: ")
            if line is None or line.strip() in EXIT_WORDS:
                break
            if not line.strip():
                continue
            cancel = CancelToken()
            # Ctrl+C during an answer stops that answer only; the chat goes on.
            previous = signal.signal(signal.SIGINT, _stopper(cancel))
            try:
                sys.stdout.write(f"{assistant.name}: ")
                final: Answer | None = None
                for event in session.ask(
                    assistant, line, conversation_id=conversation_id, cancel=cancel
                ):
                    if isinstance(event, Prepared):
                        conversation_id = event.conversation_id
                    elif isinstance(event, TextDelta):
                        sys.stdout.write(event.text)
                        sys.stdout.flush()
                    elif isinstance(event, Answer):
                        final = event
            finally:
                signal.signal(signal.SIGINT, previous)
            print()
            if final is not None:
                if final.stop_reason == "cancelled":
                    progress("(stopped; what was written is kept)")
                print_sources(final)
        if conversation_id is not None:
            progress(f"The conversation is saved (number {conversation_id}).")
    return 0
