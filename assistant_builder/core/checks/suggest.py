"""Suggested check questions: for passages spread over an assistant's documents, its model writes
a question the passage answers (one short fixed prompt), and the passage becomes the expected
source. Each suggestion is then searched for as the assistant would search, and flagged when
its own passage is not found: a question the assistant could not answer from the right place."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from assistant_builder.core.assistants.check_questions import CheckQuestion
from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.session import AnswerSession
from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.engine.protocol import ChatMessage, Failed, SamplingOptions, TextDelta
from assistant_builder.core.errors import AssistantError, EngineError
from assistant_builder.core.knowledge.sampling import StoredPassage

QUESTION_PROMPT = (
    "Read the passage and write one short question that the passage answers. "
    "Reply with the question only."
)
# Asked after the passage, naming the words a question starts with: without them a small
# model restates the passage instead of asking about it.
ASK = "What question does this passage answer? Begin with What, How, Why, When, Where or Who."
# One worked example: enough for a small model to answer with a question, not a comment.
EXAMPLE = (
    "The rent is 950 euros a month. It is due on the first day of each month.",
    "When is the rent due?",
)
QUESTION_SAMPLING = SamplingOptions(temperature=0.0, max_tokens=48, seed=1)
MAX_WORDS = 30  # longer than this it is a comment, not a question
MAX_PASSAGE = 1200  # characters of the passage shown to the model

Sampler = Callable[[str, int], list[StoredPassage]]
"""Up to N passages of the named collection, spread over its documents (knowledge adapter)."""

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_LEAD = re.compile(r"^\s*(?:question\s*\d*\s*[:.-]|q\s*[:.]|\d+[.)]|[-*•])\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Suggestion:
    check: CheckQuestion
    passage: StoredPassage
    retrieved: bool  # the assistant's own search finds this passage for the question

    @property
    def flagged(self) -> bool:
        return not self.retrieved

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.check.question,
            "expect": self.check.expect,
            "source": self.passage.source,
            "page": self.passage.page,
            "passage": self.passage.text,
            "retrieved": self.retrieved,
        }


def question_from(text: str) -> str:
    """The model's reply as one question (its first sentence that asks one), or "" when it
    wrote none."""
    sentences = [_LEAD.sub("", s).strip().strip("\"'“”").strip() for s in _SENTENCE.findall(text)]
    asked = [s for s in sentences if s.endswith("?") and 3 <= len(s.split()) <= MAX_WORDS]
    return asked[0] if asked else ""


def _write_question(
    session: AnswerSession, assistant: Assistant, passage: str, cancel: CancelToken
) -> str:
    messages = [
        ChatMessage("system", QUESTION_PROMPT),
        ChatMessage("user", f"{EXAMPLE[0]}\n\n{ASK}"),
        ChatMessage("assistant", EXAMPLE[1]),
        ChatMessage("user", f"{passage[:MAX_PASSAGE]}\n\n{ASK}"),
    ]
    pieces: list[str] = []
    for _ in session.load(assistant, cancel=cancel):
        pass
    for event in session.engine.chat(messages, QUESTION_SAMPLING, cancel=cancel):
        if isinstance(event, TextDelta):
            pieces.append(event.text)
        elif isinstance(event, Failed):
            raise EngineError(event.message)
    return question_from("".join(pieces))


def _found(session: AnswerSession, assistant: Assistant, question: str, p: StoredPassage) -> bool:
    return any(
        hit.source == p.source and hit.start < p.end and p.start < hit.end
        for hit in session.retrieve(assistant, question)
    )


def suggest_checks(
    assistant: Assistant,
    *,
    session: AnswerSession,
    sample: Sampler,
    count: int = 5,
    cancel: CancelToken = NEVER,
    on_progress: Callable[[Suggestion], None] | None = None,
) -> list[Suggestion]:
    """Up to ``count`` suggestions from the assistant's collections, none already a check."""
    if not assistant.collections:
        raise AssistantError(
            "Suggestions come from the assistant's documents; choose a collection in its "
            "Knowledge section first."
        )
    if count < 1:
        raise AssistantError("Ask for at least one suggested question.")
    passages: list[StoredPassage] = []
    for ref in assistant.collections:
        passages += sample(ref.name, 2 * count)  # twice as many: the model may write nothing
    known = {c.question.casefold() for c in assistant.checks}
    out: list[Suggestion] = []
    for passage in passages:
        if len(out) >= count:
            break
        cancel.raise_if_cancelled()
        with session.lock:
            question = _write_question(session, assistant, passage.text, cancel)
        if not question or question.casefold() in known:
            continue
        known.add(question.casefold())
        check = CheckQuestion(question, PurePath(passage.source).name, passage.page)
        out.append(Suggestion(check, passage, _found(session, assistant, question, passage)))
        if on_progress is not None:
            on_progress(out[-1])
    return out
