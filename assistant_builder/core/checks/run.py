"""Running an assistant's check questions: each one answered through the one answering path
(session.AnswerSession.ask) with the given assistant, saved or not, into a throwaway
conversation, then judged on what a person would look at: was the expected document among the
passages sent to the model, is it among the answer's citations (as the app attributes them),
and does the answer hold the words it must."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant_builder.core.assistants.check_questions import CheckQuestion
from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.session import AnswerSession
from assistant_builder.core.assistants.turn import Answer
from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.conversations.scratch import ScratchConversations
from assistant_builder.core.errors import AssistantError


@dataclass(frozen=True)
class CheckResult:
    check: CheckQuestion
    retrieved: bool  # a passage of the expected document (and page) reached the prompt
    cited: bool  # the answer cites one
    contains: bool  # every must-contain word is in the answer (case aside)
    answer: str

    @property
    def passed(self) -> bool:
        return self.retrieved and self.cited and self.contains

    def to_json(self) -> dict[str, object]:
        """One entry of ``checks run --json``'s "results" (SPEC §4)."""
        return {
            "question": self.check.question,
            "retrieved": self.retrieved,
            "cited": self.cited,
            "contains": self.contains,
            "passed": self.passed,
            "answer": self.answer,
        }


@dataclass(frozen=True)
class CheckProgress:
    """One question answered: ``done`` of ``total``, with its result."""

    done: int
    total: int
    result: CheckResult


@dataclass(frozen=True)
class CheckRun:
    results: tuple[CheckResult, ...]

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def all_passed(self) -> bool:
        return self.passed == self.total

    def summary(self) -> str:
        return f"{self.passed} of {self.total} pass"

    def to_json(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "total": self.total,
            "results": [r.to_json() for r in self.results],
        }


def judge(check: CheckQuestion, answer: Answer) -> CheckResult:
    sent = [p for p in answer.grounding.retrieved if p.n]
    return CheckResult(
        check,
        retrieved=any(check.matches(p.source, p.page) for p in sent),
        cited=any(check.matches(c.source, c.page) for c in answer.citations),
        contains=check.contained_in(answer.text),
        answer=answer.text,
    )


def run_checks(
    assistant: Assistant,
    *,
    session: AnswerSession,
    checks: Sequence[CheckQuestion] | None = None,
    cancel: CancelToken = NEVER,
    on_progress: Callable[[CheckProgress], None] | None = None,
) -> CheckRun:
    """Answer every check question of ``assistant`` (or ``checks``) with ``assistant`` as it is
    (a draft in the editor, a variant in Compare) and judge each answer. The engine is held
    one question at a time, so a chat elsewhere in the app waits at most one answer."""
    todo = tuple(assistant.checks if checks is None else checks)
    if not todo:
        raise AssistantError(
            f"“{assistant.name or 'This assistant'}” has no check questions yet; add one first."
        )
    results: list[CheckResult] = []
    scratch = ScratchConversations(session.services.paths.scratch_dir, prefix="checks-")
    try:
        for check in todo:
            cancel.raise_if_cancelled()
            final: Answer | None = None
            with session.lock:
                cancel.raise_if_cancelled()  # stopped while a chat held the engine
                for event in session.ask(
                    assistant, check.question, conversations=scratch, cancel=cancel
                ):
                    if isinstance(event, Answer):
                        final = event
            if final is None:  # answer() always ends with one unless it was stopped
                cancel.raise_if_cancelled()
                raise AssistantError("The model stopped before answering; run the checks again.")
            results.append(judge(check, final))
            if on_progress is not None:
                on_progress(CheckProgress(len(results), len(todo), results[-1]))
    finally:
        scratch.close()
    return CheckRun(tuple(results))
