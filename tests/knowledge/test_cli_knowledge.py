"""The collections and search commands as a user runs them: real processes, SPEC §4 shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant_builder.core.paths import Paths
from tests.launch import as_background_job
from tests.test_cli import run_cli


def test_create_list_show_remove_and_plain_errors(app_home: Paths, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    created = run_cli("collections", "create", "Team notes", str(folder), "--include", "*.md")
    assert created.returncode == 0, created.stderr
    assert "collections index" in created.stdout
    listed = json.loads(run_cli("collections", "list", "--json").stdout)["collections"]
    assert [(c["name"], c["folders"], c["include"]) for c in listed] == [
        ("Team notes", [str(folder)], ["*.md"])
    ]
    assert listed[0]["embedder"] == "all-MiniLM-L6-v2"
    shown = json.loads(run_cli("collections", "show", "Team notes", "--json").stdout)
    assert shown["files_indexed"] == 0 and shown["chunks"] == 0
    again = run_cli("collections", "create", "Team notes", str(folder))
    assert again.returncode == 1 and "already exists" in again.stderr
    missing = run_cli("collections", "create", "other", str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr and missing.stderr.count("\n") == 1
    assert run_cli("collections", "remove", "Team notes").returncode == 0
    gone = run_cli("collections", "show", "Team notes")
    assert gone.returncode == 1 and "no collection named" in gone.stderr
    assert folder.is_dir()  # the user's folder is never touched


@pytest.mark.integration
def test_index_and_search_json_shapes(app_home: Paths, library: Path, minilm_dir: Path) -> None:
    assert run_cli("collections", "create", "lib", str(library), "--embedder",
                   str(minilm_dir)).returncode == 0  # fmt: skip
    indexed = run_cli("collections", "index", "lib", "--json")
    assert indexed.returncode == 0, indexed.stderr
    report = json.loads(indexed.stdout)
    assert set(report) == {"files_indexed", "files_unchanged", "files_removed", "files_failed",
                           "files_skipped", "chunks", "seconds"}  # fmt: skip
    assert report["files_indexed"] == 6 and report["files_unchanged"] == 0
    assert report["chunks"] > 0 and isinstance(report["seconds"], float)
    failed = {Path(f["path"]).name: f["reason"] for f in report["files_failed"]}
    assert set(failed) == {"photo.txt", "scan.pdf", "locked.pdf"}
    assert "[9/9]" in indexed.stderr  # progress goes to stderr, never into the JSON

    found = run_cli("search", "lib", "most active volcano", "--top-k", "2", "--json")
    assert found.returncode == 0, found.stderr
    results = json.loads(found.stdout)["results"]
    assert len(results) == 2
    first = results[0]
    assert set(first) == {"source", "page", "start", "end", "score", "text"}
    assert first["source"] == str(library / "volcanoes.pdf") and first["page"] == 2
    assert isinstance(first["score"], float) and "Etna" in first["text"]
    assert results[0]["score"] >= results[1]["score"]

    text = run_cli("search", "lib", "Lisbon", "--mode", "keyword")
    assert text.returncode == 0 and "policy.docx" in text.stdout

    second = run_cli("collections", "index", "lib")
    assert second.returncode == 0
    assert "0 indexed, 6 unchanged, 0 removed, 3 failed" in second.stdout
    assert "failed     " + str(library / "scan.pdf") + ": it has no text layer" in second.stdout


@pytest.mark.integration
def test_index_watch_reindexes_a_new_file_and_stops_on_ctrl_c(
    app_home: Paths, tmp_path: Path, minilm_dir: Path
) -> None:
    import os
    import signal
    import subprocess
    import sys

    folder = tmp_path / "watched"
    folder.mkdir()
    (folder / "a.txt").write_text("Apples grow on trees.")
    assert run_cli("collections", "create", "w", str(folder), "--embedder",
                   str(minilm_dir)).returncode == 0  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant_builder", "collections", "index", "w", "--watch"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
        preexec_fn=as_background_job,  # Ctrl+C must stop it even so
    )  # fmt: skip
    try:
        assert proc.stderr is not None and proc.stdout is not None
        assert "1 indexed" in proc.stdout.readline() + proc.stdout.readline()
        for line in proc.stderr:
            if line.startswith("Watching"):
                break
        (folder / "b.md").write_text("# Bees\n\nBees make honey.")
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "indexed, " in line:
                break
        assert f"indexed    {folder / 'b.md'}\n" in lines
        assert "1 indexed, 1 unchanged" in lines[-1]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
        assert "Stopped." in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
