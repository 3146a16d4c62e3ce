"""A process that writes what the app writes, for the parent to SIGKILL at a moment it picks:

    python -m tests.faults.killed_child answer CONVERSATION_ID QUESTION
        streams a scripted answer through the app's answering path into the conversations
        database, printing "delta" after each piece of text it is given
    python -m tests.faults.killed_child assistant ROUND
        saves the assistant "Cats" again and again with a long new system prompt, printing
        "saved" after each save

The home is ASSISTANT_BUILDER_HOME, prepared by the parent (tests/faults/kill.py)."""

from __future__ import annotations

import sys
from dataclasses import replace

from assistant_builder.core.assistants.session import AnswerSession
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.engine.protocol import TextDelta
from assistant_builder.core.services import Services
from assistant_builder.core.settings import Settings
from tests.faults.served import AnsweringScript

WORDS = 400


def reply(question: str) -> str:
    return " ".join(f"{question.split()[-1]}-{n}" for n in range(WORDS))


def answer(conversation_id: int, question: str) -> None:
    engine = AnsweringScript([reply(question)], delay_s=0.002)
    # The scripted engine's model file is only a name: no estimate reads it (kv_cache f16).
    settings = Settings(threads=1, gpu_layers=0, kv_cache="f16")
    session = AnswerSession(Services.create(), settings=settings,
                            engine=engine, retrieve=lambda a, q: [])  # fmt: skip
    assistant = session.assistant("cats")
    for event in session.ask(assistant, question, conversation_id=conversation_id):
        if isinstance(event, TextDelta):
            print("delta", flush=True)
    print("done", flush=True)


def save_assistant(round_: int) -> None:
    store = AssistantStore(Services.create().paths.assistants_dir)
    current = store.get("cats")
    for n in range(10_000):
        prompt = f"Round {round_} save {n}. " + "Answer about cats. " * 2000
        store.save(replace(current, system_prompt=prompt))
        print("saved", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "answer":
        answer(int(sys.argv[2]), sys.argv[3])
    else:
        save_assistant(int(sys.argv[2]))
