"""Issue 19 point 3: damaged stores at start-up (tests/faults/damaged.py)."""

from __future__ import annotations

import pytest

from tests.faults.damaged import CASES

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_damaged_store_is_named_kept_aside_and_started_afresh(case: str) -> None:
    assert CASES[case]() == []


def test_the_command_line_starts_and_says_what_was_damaged(app_home: object) -> None:
    import os
    import subprocess
    import sys

    from assistant_builder.core.services import Services

    paths = Services.create().paths
    paths.models_registry.parent.mkdir(parents=True, exist_ok=True)
    paths.models_registry.write_text("{damaged", encoding="utf-8")
    paths.conversations_db.write_bytes(os.urandom(8192))
    done = subprocess.run([sys.executable, "-m", "assistant_builder", "models", "list"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    said = done.stderr.strip().splitlines()
    assert any("conversations file was damaged" in line for line in said), said
    assert any("list of installed models was damaged" in line for line in said), said
