"""One question, two to four variants, the same passages: retrieved once with the first
variant's knowledge settings, then every variant answers through the one answering path
(AnswerSession.ask with those passages given), each event tagged with its variant's place.

Variants needing the same loaded model answer one after the other on it; when plan.py says the
different models fit in memory together, each gets an engine of its own (a sibling session)
and their answers are read in turn, so the models write at the same time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assistant_builder.core.assistants.answering import find_model
from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.prompt import Passage
from assistant_builder.core.assistants.session import AnswerEvent, AnswerSession
from assistant_builder.core.assistants.turn import Answer
from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.compare.plan import MAX_VARIANTS, MIN_VARIANTS, Schedule, schedule
from assistant_builder.core.conversations.scratch import ScratchConversations
from assistant_builder.core.conversations.store import ConversationStore, Message
from assistant_builder.core.errors import AppError, AssistantError, Cancelled
from assistant_builder.core.models.fit import Machine, detect_machine
from assistant_builder.core.models.library import fit_for


@dataclass(frozen=True)
class Variant:
    """One version of the assistant being compared, under the name the view shows."""

    name: str
    assistant: Assistant


@dataclass(frozen=True)
class Retrieved:
    """The passages every variant answers on, found once for the question."""

    question: str
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class Planned:
    schedule: Schedule


@dataclass(frozen=True)
class VariantEvent:
    """An event of one variant's answer (Loading, Loaded, Prepared, text, thinking, Answer)."""

    index: int
    event: AnswerEvent


@dataclass(frozen=True)
class VariantFailed:
    """One variant could not answer (the others go on); ``message`` is one plain sentence."""

    index: int
    message: str


@dataclass(frozen=True)
class Compared:
    """The last event: every variant's answer in the order given (None: it failed)."""

    question: str
    passages: tuple[Passage, ...]
    answers: tuple[Answer | None, ...]
    schedule: Schedule


@dataclass(frozen=True)
class AnswerKept:
    """A variant's answer as its conversation keeps it (what the chat transcript shows)."""

    index: int
    message: Message


CompareEvent = Retrieved | Planned | VariantEvent | VariantFailed | Compared


def check_variants(variants: Sequence[Variant]) -> None:
    if not MIN_VARIANTS <= len(variants) <= MAX_VARIANTS:
        raise AssistantError(
            f"Compare needs {MIN_VARIANTS} to {MAX_VARIANTS} variants; "
            f"add or remove variants until there are {MIN_VARIANTS} to {MAX_VARIANTS}."
        )


def plan(
    session: AnswerSession, variants: Sequence[Variant], machine: Machine
) -> tuple[Schedule, dict[int, str]]:
    """The schedule, and the variants that cannot load their model (with the sentence why)."""
    keys: list[object] = []
    needed: list[int] = []
    problems: dict[int, str] = {}
    for i, variant in enumerate(variants):
        assistant = variant.assistant
        if assistant.model.server:  # a model server's: nothing loads on this computer
            keys.append(("server", assistant.model.server.casefold(), assistant.model.id))
            needed.append(0)
            continue
        try:
            keys.append(session.options(assistant))
            model = find_model(session.services.models, assistant)
            estimate, _ = fit_for(model, assistant.context_size, machine, session.settings.kv_cache)
            needed.append(estimate.needed_bytes)
        except AppError as exc:
            problems[i] = str(exc)
            keys.append(("cannot load", i))
            needed.append(0)
    runnable = [i for i in range(len(variants)) if i not in problems]
    sub = schedule([keys[i] for i in runnable], [needed[i] for i in runnable],
                   machine.available_ram)  # fmt: skip
    groups = tuple(tuple(runnable[j] for j in group) for group in sub.groups)
    return Schedule(groups, sub.together, sub.sentence), problems


def compare(
    session: AnswerSession,
    variants: Sequence[Variant],
    question: str,
    *,
    conversations: ConversationStore | None = None,
    machine: Machine | None = None,
    cancel: CancelToken = NEVER,
) -> Iterator[CompareEvent]:
    """Yield Retrieved, Planned, each variant's events as they come, and Compared last.
    ``conversations`` keeps the answers (a scratch store: comparing never fills the person's
    history)."""
    check_variants(variants)
    first = variants[0].assistant
    found = session.retrieve(first, question) if first.collections and question.strip() else []
    passages = tuple(found)
    yield Retrieved(question, passages)
    cancel.raise_if_cancelled()
    planned, problems = plan(session, variants, machine or detect_machine())
    yield Planned(planned)
    answers: dict[int, Answer] = {}
    for i, message in problems.items():
        yield VariantFailed(i, message)

    def run(on: AnswerSession, group: Sequence[int]) -> Iterator[VariantEvent | VariantFailed]:
        for i in group:
            try:
                for event in on.ask(
                    variants[i].assistant, question, conversations=conversations,
                    passages=passages, cancel=cancel,
                ):  # fmt: skip
                    if isinstance(event, Answer):
                        answers[i] = event
                    yield VariantEvent(i, event)
            except Cancelled:
                raise
            except AppError as exc:
                yield VariantFailed(i, str(exc))

    if planned.together:
        siblings = [session.sibling() for _ in planned.groups[1:]]
        try:
            on = [session, *siblings]
            yield from _in_turn([run(s, g) for s, g in zip(on, planned.groups, strict=True)])
        finally:
            for sibling in siblings:
                sibling.close()
    else:
        for group in planned.groups:
            yield from run(session, group)
    yield Compared(question, passages, tuple(answers.get(i) for i in range(len(variants))), planned)


def compare_kept(
    session: AnswerSession,
    variants: Sequence[Variant],
    question: str,
    *,
    machine: Machine | None = None,
    cancel: CancelToken = NEVER,
) -> Iterator[CompareEvent | AnswerKept]:
    """``compare`` with the answers in a scratch store of their own (removed at the end, so
    comparing never fills the person's history), each answer also handed out as that store
    keeps it (AnswerKept: what the chat transcript shows, chips and timings)."""
    scratch = ScratchConversations(session.services.paths.scratch_dir, prefix="compare-")
    try:
        for event in compare(
            session, variants, question, conversations=scratch, machine=machine, cancel=cancel
        ):
            yield event
            if not isinstance(event, VariantEvent):
                continue
            answer = event.event
            if isinstance(answer, Answer) and answer.message_id is not None:
                yield AnswerKept(event.index, scratch.message(answer.message_id))
    finally:
        scratch.close()


def _in_turn(
    streams: list[Iterator[VariantEvent | VariantFailed]],
) -> Iterator[VariantEvent | VariantFailed]:
    """One event from each stream in turn until all end: every engine keeps writing in its own
    process while the others' events are read."""
    active = list(streams)
    while active:
        for stream in list(active):
            try:
                yield next(stream)
            except StopIteration:
                active.remove(stream)
