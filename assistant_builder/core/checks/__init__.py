"""Check questions of an assistant: running them (run.py), the score of each run and what
changed between runs (history.py), and questions suggested from its documents (suggest.py).
The question record itself lives with the assistant (core/assistants/check_questions.py),
because it is kept in the assistant's file."""

from __future__ import annotations

from assistant_builder.core.assistants.check_questions import CheckQuestion, parse_expect
from assistant_builder.core.checks.history import CheckHistory, RunSummary
from assistant_builder.core.checks.run import CheckProgress, CheckResult, CheckRun, run_checks
from assistant_builder.core.checks.suggest import Sampler, Suggestion, suggest_checks

__all__ = [
    "CheckHistory",
    "CheckProgress",
    "CheckQuestion",
    "CheckResult",
    "CheckRun",
    "RunSummary",
    "Sampler",
    "Suggestion",
    "parse_expect",
    "run_checks",
    "suggest_checks",
]
