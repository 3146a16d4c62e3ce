"""Issue 19 point 6: hostile documents that are valid files, at a small scale (the bench has
the issue's sizes): each indexed or skipped with a reason, the rest indexed, memory bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.hostile import index_hostile, make_folder

pytestmark = pytest.mark.faults


def test_hostile_documents_are_indexed_or_skipped_and_the_rest_indexed(tmp_path: Path) -> None:
    made = make_folder(tmp_path / "hostile", scale=0.005)
    result = index_hostile(tmp_path / "hostile", made, parse_limit_s=15, timeout_s=600)
    assert result.problems == [], result.outcomes
    assert result.survived == result.tried == len(made)
    assert all(result.outcomes[f"note{n}.md"] == "indexed" for n in range(3))
