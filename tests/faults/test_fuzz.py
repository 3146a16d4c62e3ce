"""Issue 19 point 7: seeded fuzzing of GGUF headers (the real SmolLM2 file) and .assistant
bundles; a slice here, the full 1,000 and 500 cases in bench/faults_report.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.fuzz import fuzz_bundles, fuzz_gguf, valid_bundle

pytestmark = [pytest.mark.faults, pytest.mark.integration]


def test_a_mutated_gguf_is_refused_plainly_and_never_registered(
    smollm2_gguf: Path, tmp_path: Path
) -> None:
    result = fuzz_gguf(smollm2_gguf, tmp_path, cases=40, seed=19)
    print(f"GGUF fuzz: seed {result.seed}, {result.tried} cases, {result.refused} refused")
    assert result.problems == []
    assert result.tried == 40 == result.survived and result.refused >= 20


def test_a_mutated_bundle_is_refused_plainly_and_writes_nothing(tmp_path: Path) -> None:
    result = fuzz_bundles(valid_bundle(tmp_path / "valid"), tmp_path, cases=60, seed=19)
    print(f"bundle fuzz: seed {result.seed}, {result.tried} cases, {result.refused} refused")
    assert result.problems == []
    assert result.tried == 60 == result.survived and result.refused >= 30
