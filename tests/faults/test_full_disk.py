"""Issue 19 point 1: the data folder on a small real disk (a tmpfs) that fills up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.disk import NoSmallDisk, small_disk
from tests.faults.full_disk import CASES

pytestmark = pytest.mark.faults


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    try:
        with small_disk(8) as where:
            monkeypatch.setenv("ASSISTANT_BUILDER_HOME", str(where / "home"))
            yield where
    except NoSmallDisk as why:
        pytest.skip(str(why))


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_full_disk_is_named_nothing_saved_is_damaged_and_it_works_once_freed(
    disk: Path, case: str
) -> None:
    assert CASES[case](disk) == []
