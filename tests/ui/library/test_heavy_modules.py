"""The window's process never imports the heavy knowledge libraries or the document parsers:
indexing, the test search of the Library page and the source viewer's reading of a cited
document run in the knowledge process. Checked in a fresh interpreter,
since this test session has imported them itself (other tests embed in-process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

PROBE = Path(__file__).with_name("heavy_modules_probe.py")


def test_indexing_and_searching_from_the_library_page_import_no_heavy_library(
    docs: Path, tmp_path: Path, minilm_dir: Path
) -> None:
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(PROBE), str(tmp_path / "home"), str(docs), str(minilm_dir)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["report"].startswith("3 indexed, 0 unchanged, 0 removed, 1 could")
    assert seen["hits"] and Path(seen["hits"][0]).name == "boiler.txt", seen["status"]
    assert seen["child"]  # the work really went to the knowledge process
    assert seen["viewer"]  # the hit opened at its passage
    assert seen["heavy"] == []
