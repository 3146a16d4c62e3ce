"""The hub commands as a user runs them: search, pull with progress, Ctrl-C, offline."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from assistant_builder.core.models.download import partial_path
from assistant_builder.core.paths import Paths
from tests.launch import as_background_job
from tests.models.conftest import MakeGguf
from tests.models.fake_hub import FakeHub
from tests.test_cli import run_cli

REPO = "bartowski/Tiny-Instruct-GGUF"


def test_search_lists_repositories_then_a_repos_files(
    app_home: Paths, fake_hub: FakeHub, make_gguf: MakeGguf
) -> None:
    small = make_gguf("Tiny-Instruct-Q4_K_M.gguf").read_bytes()
    fake_hub.add_file(REPO, "Tiny-Instruct-Q4_K_M.gguf", small)
    fake_hub.add_file(REPO, "Tiny-Instruct-Q8_0.gguf", small + b"\0" * 1000)
    fake_hub.add_file("someone/Other-GGUF", "other-q4_0.gguf", small)
    fake_hub.repos[REPO].downloads = 50

    found = run_cli("models", "search", "tiny")
    assert found.returncode == 0, found.stderr
    assert REPO in found.stdout and "Other-GGUF" not in found.stdout
    data = json.loads(run_cli("models", "search", "gguf", "--json").stdout)
    assert [r["repo"] for r in data["results"]] == [REPO, "someone/Other-GGUF"]

    files = run_cli("models", "search", REPO)
    assert files.returncode == 0, files.stderr
    lines = files.stdout.strip().splitlines()
    assert lines[0].split()[0] == "Q4_K_M" and lines[0].endswith("Tiny-Instruct-Q4_K_M.gguf")
    assert lines[1].split()[0] == "Q8_0"
    listing = json.loads(run_cli("models", "search", REPO, "--json").stdout)["files"]
    assert listing[0]["size"] == len(small) and len(listing[0]["sha256"]) == 64
    assert "README.md" not in files.stdout


def test_pull_shows_progress_and_installs(
    app_home: Paths, fake_hub: FakeHub, make_gguf: MakeGguf
) -> None:
    data = make_gguf("Tiny-Instruct-Q4_K_M.gguf").read_bytes()
    fake_hub.add_file(REPO, "Tiny-Instruct-Q4_K_M.gguf", data)
    fake_hub.add_file(REPO, "Tiny-Instruct-Q8_0.gguf", data + b"\0")
    # No file named: the usual Q4_K_M is chosen among several.
    result = run_cli("models", "pull", REPO)
    assert result.returncode == 0, result.stderr
    assert "Downloading Tiny-Instruct-Q4_K_M.gguf" in result.stderr
    assert "/s" in result.stderr and f"of {len(data) / 1e3:.0f} KB" in result.stderr
    assert "Installed" in result.stderr and result.stdout == ""
    listed = json.loads(run_cli("models", "list", "--json").stdout)["models"]
    assert [(m["filename"], m["verdict"]) for m in listed] == [
        ("Tiny-Instruct-Q4_K_M.gguf", "Fits")
    ]
    # Every request the pull made is in the log the user can read.
    logged = [json.loads(line) for line in app_home.network_log.read_text().splitlines()]
    assert logged and all(e["outcome"] == "sent" for e in logged)
    assert any("/resolve/" in e["url"] and "Tiny-Instruct-Q4_K_M.gguf" in e["url"] for e in logged)


def test_pull_and_search_offline_say_so_plainly(app_home: Paths) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"HF_ENDPOINT": f"http://127.0.0.1:{port}", "HF_HUB_OFFLINE": "0"}
    for args in (("search", "qwen"), ("pull", "someone/x-GGUF:x.gguf")):
        result = run_cli("models", *args, env=env)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert result.stderr.strip().count("\n") == 0
        assert "cannot be reached" in result.stderr


def test_pull_of_a_gated_repo_without_token(
    app_home: Paths, fake_hub: FakeHub, make_gguf: MakeGguf
) -> None:
    fake_hub.add_file(REPO, "t.gguf", make_gguf().read_bytes())
    fake_hub.repos[REPO].gated = True
    result = run_cli("models", "pull", f"{REPO}:t.gguf")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "accept its licence" in result.stderr and "HF_TOKEN" in result.stderr
    ok = run_cli("models", "pull", f"{REPO}:t.gguf", env={"HF_TOKEN": fake_hub.token})
    assert ok.returncode == 0, ok.stderr


def test_ctrl_c_stops_cleanly_and_the_next_pull_continues(
    app_home: Paths, fake_hub: FakeHub, smollm2_gguf: Path
) -> None:
    name = "SmolLM2-135M-Instruct.Q4_1.gguf"
    hosted = fake_hub.add_file(REPO, name, smollm2_gguf)
    fake_hub.chunk_delay_s = 0.05  # about 20 MB/s, so the transfer takes a few seconds
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant_builder", "models", "pull", f"{REPO}:{name}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
        preexec_fn=as_background_job,  # Ctrl+C must stop it even so
    )
    part = partial_path(app_home, hosted.sha256)
    deadline = time.monotonic() + 60
    while not (part.exists() and part.stat().st_size > 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "Stopped; run the same command again to continue" in err
    kept = part.stat().st_size
    assert 0 < kept < len(hosted.data)
    listing = run_cli("models", "list").stdout
    assert f"Stopped download: {REPO}:{name}" in listing and "continues it" in listing

    fake_hub.chunk_delay_s = 0
    again = run_cli("models", "pull", f"{REPO}:{name}")
    assert again.returncode == 0, again.stderr
    assert fake_hub.gets(name)[-1].range == f"bytes={kept}-"
    assert fake_hub.gets(name)[-1].bytes_sent == len(hosted.data) - kept
    listed = json.loads(run_cli("models", "list", "--json").stdout)["models"]
    assert [m["sha256"] for m in listed] == [hosted.sha256]
