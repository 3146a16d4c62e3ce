from __future__ import annotations

import json
import os
from pathlib import Path

import platformdirs
import pytest

from assistant_builder.core.errors import DiskFull, SettingsError
from assistant_builder.core.paths import HOME_ENV, Paths
from assistant_builder.core.services import Services
from assistant_builder.core.settings import SCHEMA_VERSION, Settings, load_settings, save_settings


def test_home_env_redirects_every_path(tmp_path: Path) -> None:
    paths = Paths.from_env({HOME_ENV: str(tmp_path)})
    every = [
        paths.data_dir, paths.config_dir, paths.cache_dir, paths.log_dir, paths.models_dir,
        paths.models_registry, paths.embedders_dir, paths.downloads_dir, paths.collections_dir,
        paths.assistants_dir, paths.conversations_db, paths.settings_file, paths.wheels_cache,
        paths.log_file, paths.network_log,
    ]  # fmt: skip
    for path in every:
        assert path.is_relative_to(tmp_path), path
    assert len({paths.data_dir, paths.config_dir, paths.cache_dir, paths.log_dir}) == 4


def test_without_home_env_platformdirs_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = Paths.from_env({})
    dirs = platformdirs.PlatformDirs("assistant-builder", appauthor=False)
    assert paths.data_dir == Path(dirs.user_data_dir)
    assert paths.config_dir == Path(dirs.user_config_dir)
    assert paths.cache_dir == Path(dirs.user_cache_dir)
    assert paths.log_dir == Path(dirs.user_log_dir)


def test_the_autouse_fixture_keeps_tests_out_of_the_real_home(app_home: Paths) -> None:
    assert os.environ[HOME_ENV]
    assert Paths.from_env() == app_home
    assert "pytest" in str(app_home.data_dir) or "tmp" in str(app_home.data_dir)


def test_settings_round_trip_with_schema_version(app_home: Paths) -> None:
    settings = Settings(user_name="Ada", offline=True, theme="dark")
    save_settings(app_home.settings_file, settings)
    raw = json.loads(app_home.settings_file.read_text())
    assert raw["schema_version"] == SCHEMA_VERSION
    loaded = load_settings(app_home.settings_file)
    assert (loaded.user_name, loaded.offline, loaded.theme) == ("Ada", True, "dark")


def test_old_settings_are_migrated(app_home: Paths) -> None:
    app_home.settings_file.parent.mkdir(parents=True)
    app_home.settings_file.write_text(json.dumps({"user_name": "Bo", "offline_mode": True}))
    loaded = load_settings(app_home.settings_file)
    assert loaded.offline is True and loaded.user_name == "Bo"
    assert loaded.schema_version == SCHEMA_VERSION


def test_keys_from_a_newer_version_survive_a_save(app_home: Paths) -> None:
    app_home.settings_file.parent.mkdir(parents=True)
    newer = {"schema_version": SCHEMA_VERSION + 5, "user_name": "C", "future_knob": [1, 2]}
    app_home.settings_file.write_text(json.dumps(newer))
    settings = load_settings(app_home.settings_file)
    save_settings(app_home.settings_file, settings)
    assert json.loads(app_home.settings_file.read_text())["future_knob"] == [1, 2]


def test_a_failed_write_keeps_the_old_file(
    app_home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_settings(app_home.settings_file, Settings(user_name="old"))

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(DiskFull, match=r"^The disk at .* is full, so the settings could not"):
        save_settings(app_home.settings_file, Settings(user_name="new"))
    monkeypatch.undo()
    assert load_settings(app_home.settings_file).user_name == "old"
    leftovers = [p.name for p in app_home.settings_file.parent.iterdir()]
    assert leftovers == ["settings.json"]


def test_a_damaged_settings_file_is_a_plain_error_and_is_kept(app_home: Paths) -> None:
    app_home.settings_file.parent.mkdir(parents=True)
    app_home.settings_file.write_text("{not json")
    with pytest.raises(SettingsError, match="could not be read"):
        load_settings(app_home.settings_file)
    settings, notice = Services.create().load_settings_or_defaults()
    assert settings == Settings()
    assert "kept as settings.json.damaged-" in notice
    kept = list(app_home.config_dir.glob("settings.json.damaged-*"))
    assert kept and kept[0].read_text() == "{not json"
