"""Check questions on every variant of a comparison (issue 14 point 3): the assistant's own
questions (the first variant's, the assistant as saved) answered by each variant in turn on
the one answering session, so "better or only different" has a score beside each answer.
These runs are not kept in the assistant's score history: that is for the editor's draft."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assistant_builder.core.assistants.session import AnswerSession
from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.checks import CheckRun, run_checks
from assistant_builder.core.compare.run import Variant


@dataclass(frozen=True)
class VariantChecked:
    index: int  # the variant's place in the comparison
    run: CheckRun


def check_variants(
    session: AnswerSession, variants: Sequence[Variant], *, cancel: CancelToken = NEVER
) -> Iterator[VariantChecked]:
    """Each variant's result on the first variant's check questions, in order."""
    questions = variants[0].assistant.checks if variants else ()
    for index, variant in enumerate(variants):
        cancel.raise_if_cancelled()
        run = run_checks(variant.assistant, session=session, checks=questions, cancel=cancel)
        yield VariantChecked(index, run)
