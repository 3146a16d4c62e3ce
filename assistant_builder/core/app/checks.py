"""What the person does with an assistant's check questions through the app: run them on the
draft in the editor (each run's score kept), read the score of earlier runs, and have questions
suggested from the assistant's documents. The passages for suggestions are read in the
knowledge process, as every search is."""

from __future__ import annotations

from collections.abc import Callable

from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.session import AnswerSession
from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.checks import (
    CheckHistory,
    CheckProgress,
    RunSummary,
    Suggestion,
    run_checks,
    suggest_checks,
)
from assistant_builder.core.checks.run import CheckRun
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.process import KnowledgeProcess
from assistant_builder.core.knowledge.sampling import StoredPassage
from assistant_builder.core.services import Services


class CheckUseCases:
    """Mixed into App (core/app/app.py), which sets these."""

    services: Services
    session: AnswerSession
    knowledge: KnowledgeProcess
    collections: Collections

    @property
    def check_history(self) -> CheckHistory:
        return CheckHistory(self.services.paths.checks_dir)

    def check_runs(self, assistant_id: str) -> list[RunSummary]:
        """The scores of earlier runs of this assistant's checks, oldest first."""
        return self.check_history.runs(assistant_id)

    def run_checks(
        self,
        draft: Assistant,
        *,
        cancel: CancelToken = NEVER,
        on_progress: Callable[[CheckProgress], None] | None = None,
    ) -> tuple[CheckRun, RunSummary]:
        """Answer every check question with ``draft`` (saved or not) and keep the run's score."""
        run = run_checks(draft, session=self.session, cancel=cancel, on_progress=on_progress)
        return run, self.check_history.record(draft, run)

    def suggest_checks(
        self,
        draft: Assistant,
        count: int = 5,
        *,
        cancel: CancelToken = NEVER,
        on_progress: Callable[[Suggestion], None] | None = None,
    ) -> list[Suggestion]:
        """Questions ``draft``'s model writes about passages of its documents."""

        def sample(name: str, n: int) -> list[StoredPassage]:
            return self.knowledge.sample(self.collections, name, n, cancel=cancel)

        return suggest_checks(
            draft, session=self.session, sample=sample, count=count, cancel=cancel,
            on_progress=on_progress,
        )  # fmt: skip
