"""Model servers from the command line, against llama-cpp-python's own OpenAI-compatible server
with SmolLM2 on loopback: add one with its key from an environment variable, make an assistant
that answers through it, ask it with citations (offline too: the server is on this computer),
read the network log, remove the server. And `serve` on the network needs a chosen key."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from assistant_builder.core.paths import HOME_ENV, Paths
from tests.integration.conftest import DOCS, SYSTEM_PROMPT, cli, tune_assistant
from tests.llama_server import LlamaServer

pytestmark = pytest.mark.integration


def test_an_assistant_answers_through_a_server_added_on_the_command_line(
    app_home: Paths, ready: Path, llama_server: LlamaServer
) -> None:
    env = {"TEAM_KEY": llama_server.api_key}
    added = cli("servers", "add", "Team", llama_server.url, "--api-key-env", "TEAM_KEY", env=env)
    assert added.returncode == 0, added.stderr
    assert "Added the model server “Team”" in added.stdout
    assert "answers and offers 1 model(s): smollm2" in added.stderr
    listed = json.loads(cli("servers", "list", "--json", env={}).stdout)
    assert listed == {"servers": [{"name": "Team", "url": llama_server.url, "has_key": True,
                                   "on_this_computer": True}]}  # fmt: skip
    written = "".join(p.read_text() for p in app_home.config_dir.glob("*.json") if p.is_file())
    assert llama_server.api_key not in written.replace(  # only the private key file has it
        app_home.server_keys_file.read_text(), ""
    )
    models = json.loads(cli("servers", "models", "Team", "--json", env={}).stdout)
    assert [m["id"] for m in models["models"]] == ["smollm2"]

    wrong = cli("assistants", "create", "X", "--server", "Team", "--model", "gpt-9", env={})
    assert wrong.returncode == 1 and "choose one of: smollm2" in wrong.stderr
    made = cli(
        "assistants", "create", "Remote cats", "--server", "team", "--model", "smollm2",
        "--collection", "docs", "--system-prompt", SYSTEM_PROMPT, env={},
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    tune_assistant(Path(os.environ[HOME_ENV]), "remote-cats")
    shown = cli("assistants", "show", "Remote cats", env={})
    assert "Model: smollm2 on the model server “Team”" in shown.stdout

    # Offline mode on: the server is on this computer, so the answer still comes.
    asked = cli("ask", "Remote cats", "How long do cats sleep?", "--json", "--show-prompt",
                env={"ASSISTANT_BUILDER_OFFLINE": "1"})  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    data = json.loads(asked.stdout)
    assert data["answer"].strip() and data["citations"], data
    for citation in data["citations"]:
        assert Path(citation["source"]).name in DOCS and citation["spans"]
    assert data["prompt"].startswith("[system]\n") and "fifteen hours" in data["prompt"]
    assert data["usage"]["completion_tokens"] > 0

    # Compare: the server's assistant and a local one on the same passages, found once.
    compared = cli("compare", "Remote cats", "cats", "How long do cats sleep?", "--json", env={})
    assert compared.returncode == 0, compared.stderr
    both = json.loads(compared.stdout)
    assert both["passages"] and len(both["answers"]) == 2
    assert all(a["answer"].strip() for a in both["answers"]), both["answers"]

    log = json.loads(cli("network", "--json", env={}).stdout)
    entries = log["entries"]
    assert entries and all(e["host"] == "127.0.0.1" for e in entries)
    assert [e["time"] for e in entries] == sorted((e["time"] for e in entries), reverse=True)
    assert entries[0]["url"].endswith("/v1/chat/completions")
    assert {e["purpose"] for e in entries} >= {"model server Team (smollm2)", "model server Team"}
    assert "Offline mode is off." in cli("network", env={}).stdout

    removed = cli("servers", "remove", "Team", env={})
    assert removed.returncode == 0 and "Remote cats" in removed.stderr
    assert json.loads(app_home.server_keys_file.read_text()) == {}
    again = cli("ask", "Remote cats", "Hello?", env={})
    assert again.returncode == 1 and "no model server named “Team”" in again.stderr


def test_a_server_elsewhere_is_refused_offline_in_one_sentence(app_home: Paths) -> None:
    offline = {"ASSISTANT_BUILDER_OFFLINE": "1"}  # nothing here may leave this computer
    added = cli("servers", "add", "Far", "http://192.168.1.20:8080", env=offline)
    assert added.returncode == 0 and "Offline mode is on" in added.stderr  # its test refused
    models = cli("servers", "models", "Far", env=offline)
    assert models.returncode == 1 and models.stderr.count("\n") == 1
    assert "Offline mode is on, so the app did not connect to 192.168.1.20:8080" in models.stderr
    entries = json.loads(cli("network", "--json", env=offline).stdout)["entries"]
    assert [(e["host"], e["outcome"]) for e in entries] == [
        ("192.168.1.20", "blocked (offline)")
    ] * 2
    assert (
        "Offline mode is on: only this computer is reached." in cli("network", env=offline).stdout
    )


def test_serve_on_the_network_needs_a_chosen_key_and_says_where_to_connect(
    app_home: Paths,
) -> None:
    refused = cli("serve", "--host", "0.0.0.0", "--port", "0", env={})
    assert refused.returncode == 1 and "needs an API key first" in refused.stderr
    assert "serve --host 0.0.0.0 --api-key-env" in refused.stderr
    assert refused.stderr.count("\n") == 1 and not app_home.settings_file.exists()
    proc = subprocess.Popen(
        [sys.executable, "-X", "faulthandler", "-m", "assistant_builder", "serve", "--host",
         "0.0.0.0", "--port", "0", "--api-key-env", "SERVE_KEY"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "SERVE_KEY": "ab-team-key"},
    )  # fmt: skip
    try:
        assert proc.stderr is not None and proc.stdout is not None
        said = ""
        while "They connect to" not in said:
            line = proc.stderr.readline()
            assert line, said  # the server ended before saying where to connect
            said += line
        assert "API key: ab-team-key" in proc.stdout.readline() + proc.stdout.readline()
        assert "http://" in said and "/v1 with the header" in said
        assert "127.0.0.1" not in said.split("They connect to")[1]
    finally:
        proc.send_signal(signal.SIGTERM)  # at once: while it may still be starting up
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)  # faulthandler prints where every thread waits
            code = proc.wait(timeout=10)
    rest = proc.stderr.read() if proc.stderr else ""
    assert code == 0 and rest.endswith("Stopped.\n"), rest
