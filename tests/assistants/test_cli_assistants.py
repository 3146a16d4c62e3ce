"""``assistant-builder assistants …`` as a user meets it: a real process, exit codes, output."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.paths import Paths
from tests.assistants.test_bundle import GGUF, install_model
from tests.test_cli import run_cli


def one_sentence_error(result: object, fragment: str) -> None:
    assert result.returncode == 1, result.stdout  # type: ignore[attr-defined]
    err = result.stderr.strip()  # type: ignore[attr-defined]
    assert "Traceback" not in err and "\n" not in err and fragment in err, err


def test_create_list_show_remove(app_home: Paths, tmp_path: Path) -> None:
    install_model(app_home)
    prompt = tmp_path / "prompt.txt"
    prompt.write_text('You are {assistant_name}. Reply as JSON {"ok": true}.\n', encoding="utf-8")
    made = run_cli(
        "assistants", "create", "Lease Helper", "--model", "tiny",
        "--system-prompt-file", str(prompt), "--collection", "lease", "--collection", "bills",
        "--description", "About my flat",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "Created the assistant “Lease Helper”" in made.stdout

    listed = json.loads(run_cli("assistants", "list", "--json").stdout)
    (entry,) = listed["assistants"]
    assert entry["name"] == "Lease Helper" and entry["schema_version"] == 1
    assert entry["model"]["id"] == "tiny"
    assert entry["model"]["sha256"] == hashlib.sha256(GGUF).hexdigest()
    assert entry["model"]["repo"] == "example/tiny-GGUF"
    assert [c["name"] for c in entry["collections"]] == ["lease", "bills"]
    assert entry["system_prompt"] == 'You are {assistant_name}. Reply as JSON {"ok": true}.\n'
    assert "Lease Helper" in run_cli("assistants", "list").stdout

    shown = run_cli("assistants", "show", "lease helper")
    assert shown.returncode == 0, shown.stderr
    assert (
        "Model: tiny\n" in shown.stdout and "lease (top 5, hybrid, min score 0.0)" in shown.stdout
    )
    data = json.loads(run_cli("assistants", "show", "Lease Helper", "--json").stdout)
    assert data["model_installed"] is True and Path(data["file"]).is_file()

    again = run_cli("assistants", "create", "Lease Helper", "--model", "tiny")
    one_sentence_error(again, "already exists")

    removed = run_cli("assistants", "remove", "Lease Helper")
    assert removed.returncode == 0 and "Removed" in removed.stdout
    assert json.loads(run_cli("assistants", "list", "--json").stdout)["assistants"] == []
    one_sentence_error(run_cli("assistants", "show", "Lease Helper"), "No assistant is called")


def test_create_refuses_a_model_that_is_not_installed_and_writes_nothing(app_home: Paths) -> None:
    result = run_cli("assistants", "create", "Helper", "--model", "llama-70b")
    one_sentence_error(result, "No installed model is called “llama-70b”")
    assert AssistantStore(app_home.assistants_dir).list() == []


def test_create_takes_inline_instructions_not_both_kinds(app_home: Paths, tmp_path: Path) -> None:
    install_model(app_home)
    made = run_cli(
        "assistants", "create", "Brief", "--model", "tiny", "--system-prompt", "Be brief."
    )
    assert made.returncode == 0, made.stderr
    assert AssistantStore(app_home.assistants_dir).get("Brief").system_prompt == "Be brief."
    both = run_cli(
        "assistants", "create", "X", "--model", "tiny", "--system-prompt", "a",
        "--system-prompt-file", str(tmp_path / "p.txt"),
    )  # fmt: skip
    assert both.returncode == 2 and "not allowed with" in both.stderr
    missing = run_cli(
        "assistants",
        "create",
        "Y",
        "--model",
        "tiny",
        "--system-prompt-file",
        str(tmp_path / "no.txt"),
    )
    one_sentence_error(missing, "could not be read")


def test_list_reports_a_damaged_file_but_still_lists_the_rest(app_home: Paths) -> None:
    install_model(app_home)
    assert run_cli("assistants", "create", "Good", "--model", "tiny").returncode == 0
    (app_home.assistants_dir / "bad.json").write_text("{oops")
    result = run_cli("assistants", "list")
    assert result.returncode == 0 and "Good" in result.stdout and "bad.json" in result.stderr
    data = json.loads(run_cli("assistants", "list", "--json").stdout)
    assert [a["name"] for a in data["assistants"]] == ["Good"]
    assert data["unreadable"][0]["path"].endswith("bad.json")


def test_export_then_import_on_another_home(app_home: Paths, tmp_path: Path) -> None:
    install_model(app_home)
    assert (
        run_cli(
            "assistants", "create", "Helper", "--model", "tiny", "--collection", "notes"
        ).returncode
        == 0
    )
    bundle = tmp_path / "helper.assistant"
    exported = run_cli("assistants", "export", "Helper", str(bundle))
    assert exported.returncode == 0, exported.stderr
    with zipfile.ZipFile(bundle) as z:
        assert str(app_home.data_dir) not in z.read("manifest.json").decode()

    friend = {"ASSISTANT_BUILDER_HOME": str(tmp_path / "friend")}
    imported = run_cli("assistants", "import", str(bundle), env=friend)
    assert imported.returncode == 0, imported.stderr
    assert "Imported “Helper”." in imported.stdout
    assert "models pull example/tiny-GGUF:tiny-q4.gguf" in imported.stderr
    twice = run_cli("assistants", "import", str(bundle), env=friend)
    assert "Imported “Helper (2)”" in twice.stdout
    names = [
        a["name"]
        for a in json.loads(run_cli("assistants", "list", "--json", env=friend).stdout)[
            "assistants"
        ]
    ]
    assert names == ["Helper", "Helper (2)"]

    hostile = tmp_path / "evil.assistant"
    with zipfile.ZipFile(hostile, "w") as z:
        z.writestr("manifest.json", zipfile.ZipFile(bundle).read("manifest.json"))
        z.writestr("../../outside.txt", "x")
    one_sentence_error(
        run_cli("assistants", "import", str(hostile), env=friend), "outside its folder"
    )
    assert not (tmp_path / "outside.txt").exists()
    with zipfile.ZipFile(bundle) as z:
        assert all(not n.endswith(".gguf") for n in z.namelist())  # models never travel


def test_create_takes_sampling_options_from_the_table_and_refuses_one_out_of_range(
    app_home: Paths,
) -> None:
    install_model(app_home)
    hot = run_cli("assistants", "create", "Hot", "--model", "tiny", "--repeat-penalty", "7")
    one_sentence_error(hot, "its repeat penalty is 7, but it must be between 0.5 and 2")
    assert AssistantStore(app_home.assistants_dir).list() == []
    made = run_cli(
        "assistants", "create", "Poet", "--model", "tiny", "--temperature", "1.2",
        "--max-tokens", "300", "--stop", "THE END",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    s = AssistantStore(app_home.assistants_dir).get("Poet").sampling
    assert (s.temperature, s.max_tokens, s.stop, s.top_k) == (1.2, 300, ("THE END",), 40)
    shown = run_cli("assistants", "show", "Poet").stdout
    assert "temperature 1.2;" in shown and "answer length 300;" in shown
    assert "stop texts “THE END”" in shown and "seed random" in shown
