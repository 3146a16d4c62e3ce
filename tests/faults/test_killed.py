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
    assert result.problems == [] and result.lost == 0 and result.stray_temp_files == 0
    assert result.survived == result.tried == 4 == result.mid_write


def test_the_next_start_clears_half_written_files_but_not_a_write_in_progress(
    app_home: object,
) -> None:
    import os
    import time

    from assistant_builder.core.fileio import LEFTOVER_AGE_S
    from assistant_builder.core.services import Services

    services = Services.create()
    folder = services.paths.assistants_dir
    folder.mkdir(parents=True, exist_ok=True)
    left = folder / ".cats.json.k1ll3d.tmp"  # what a write killed yesterday left
    left.write_text('{"name": "ca', encoding="utf-8")
    yesterday = time.time() - 24 * 3600
    os.utime(left, (yesterday, yesterday))
    busy = folder / ".dogs.json.wr1t1ng.tmp"  # another process is writing it right now
    busy.write_text('{"name": "do', encoding="utf-8")
    assert time.time() - busy.stat().st_mtime < LEFTOVER_AGE_S
    services.repair_damaged()
    assert not left.exists() and busy.exists()
