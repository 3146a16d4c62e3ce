"""Issue 19 point 2: the app's writes killed with SIGKILL at random moments (a seeded slice of
bench/faults_report.py's twenty rounds each)."""

from __future__ import annotations

import pytest

from tests.faults.kill import kill_answers, kill_assistant_saves

pytestmark = pytest.mark.faults


def test_an_answer_killed_while_it_streams_is_kept_and_marked() -> None:
    result = kill_answers(rounds=4, seed=19)
    assert result.problems == [] and result.lost == 0
    assert result.survived == result.tried == 4 == result.mid_write


def test_an_assistant_killed_while_it_is_saved_is_never_half_written() -> None:
    result = kill_assistant_saves(rounds=4, seed=19)
    assert result.problems == [] and result.lost == 0
    assert result.survived == result.tried == 4 == result.mid_write
