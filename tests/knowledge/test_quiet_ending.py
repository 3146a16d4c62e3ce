"""When the app closes in the middle of indexing, what was working ends without a word on
the terminal: a parser process whose knowledge process is gone, and an embedder's process
ended before its clean-up ran (no "leaked semaphore" warning)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_a_parser_whose_knowledge_process_died_ends_quietly(tmp_path: Path) -> None:
    document = tmp_path / "letter.wait"
    document.write_text("Dear neighbour, the hedge needs cutting.", encoding="utf-8")
    # The knowledge process's part: a pool reading one file; it is killed while it reads.
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from assistant_builder.core.knowledge.parsing import ParserPool

        pool = ParserPool({{".wait": "tests.knowledge.bad_parsers:wait_for_go"}}, workers=1)
        for _ in pool.parse([Path({str(document)!r})]):
            pass
        """
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", script], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while not document.with_suffix(".started").exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        document.with_suffix(".go").touch()  # the parser finishes with nobody to tell
        _, stderr = proc.communicate(timeout=60)  # ends once the parser has ended too
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Traceback" not in stderr, stderr


@pytest.mark.integration
def test_an_embedder_process_ended_mid_work_leaks_no_semaphore(minilm_dir: Path) -> None:
    script = textwrap.dedent(
        f"""
        import multiprocessing
        import os

        from assistant_builder.core.knowledge.embedder import SentenceTransformerEmbedder

        # As in the knowledge process, which is started by "spawn" (semaphores then have names,
        # which the resource tracker warns about when a process ends without removing them).
        multiprocessing.set_start_method("spawn")

        embedder = SentenceTransformerEmbedder({str(minilm_dir)!r})
        embedder.embed(["The rent is due on the first day of the month."] * 8)
        os._exit(0)  # as the knowledge process does when a thread will not stop in time
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "leaked semaphore" not in done.stderr, done.stderr
