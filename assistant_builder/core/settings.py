"""App-wide settings: a versioned JSON file, migrated on load and written atomically."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant_builder.core import versioned
from assistant_builder.core.errors import SettingsError, plain_disk_full
from assistant_builder.core.fileio import write_json_atomic


def _v0_to_v1(raw: dict[str, Any]) -> dict[str, Any]:
    # Version 0 was the unversioned file; it named the switch "offline_mode".
    raw = dict(raw)
    if "offline_mode" in raw:
        raw["offline"] = bool(raw.pop("offline_mode"))
    return raw


# MIGRATIONS[n] turns schema n into schema n + 1. Append; never edit a released one.
MIGRATIONS: list[versioned.Migration] = [_v0_to_v1]
SCHEMA_VERSION = len(MIGRATIONS)


# The attention cache's storage (core/engine/kv_cache.py has what each costs).
KV_CACHE_CHOICES = ("auto", "f16", "q8_0")
KV_CACHE_LABELS = {"auto": "Automatic", "f16": "Full (f16)", "q8_0": "Compact (q8_0)"}
KV_CACHE_HELP = (
    "How the model holds the conversation in memory: compact (q8_0) needs about half the "
    "memory of full (f16) with hardly any loss; automatic uses compact only when it lets a "
    "model fit."
)

# How the model uses this computer (read by core/assistants/session.py into LoadOptions).
THREADS_AUTOMATIC = 0
THREADS_HELP = (
    "How many processor threads the model answers with: more can be quicker, but leave the "
    "computer less room for other work; automatic picks a number that suits this computer."
)
GPU_AUTOMATIC = -1
GPU_CHOICES = ((GPU_AUTOMATIC, "Automatic"), (0, "Processor only"))
GPU_SOME_LAYERS = "A number of layers"  # the third choice: that many layers on the card
MAX_GPU_LAYERS = 256  # more than any model has; llama.cpp puts at most all of them there
GPU_HELP = (
    "Automatic puts as much of the model on the graphics card as fits its memory, when this "
    "computer has one the app can use; processor only leaves the graphics card alone; a "
    "number of layers puts that many parts of the model on the card."
)
# The saved prompt states' disk space (core/engine/state_cache.py), in megabytes.
STATE_CACHE_DEFAULT_MB = 2048
STATE_CACHE_MAX_MB = 100_000
STATE_CACHE_HELP = (
    "The app keeps what the model made of each assistant's instructions and examples, so the "
    "first answer after a start comes sooner; clearing it loses nothing, it is made again when "
    "the assistant next answers. Off (0) keeps nothing."
)
DATA_FOLDER_HELP = "Your models, collections, assistants and conversations are kept in this folder."


@dataclass
class Settings:
    schema_version: int = SCHEMA_VERSION
    user_name: str = ""
    offline: bool = False
    theme: str = "system"  # system | light | dark
    default_model: str = ""
    threads: int = THREADS_AUTOMATIC  # 0: choose from the machine
    gpu_layers: int = GPU_AUTOMATIC  # -1: from the "will it run?" estimate
    kv_cache: str = "auto"  # one of KV_CACHE_CHOICES
    state_cache_mb: int = STATE_CACHE_DEFAULT_MB  # 0: no prompt states are saved
    api_key: str = ""
    # Web pages (origins such as "http://localhost:3000") allowed to call ``serve`` from a
    # browser; none by default, so no page can read its answers.
    api_origins: list[str] = field(default_factory=list)
    window_geometry: str = ""  # base64 of QWidget.saveGeometry(); opaque to core
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Settings:
        # Keys from a newer app are kept, not thrown away, so a downgrade loses nothing.
        values, unknown = versioned.known_fields(cls, migrate(raw))
        settings = cls(**values)
        settings.extra.update(unknown)
        settings.schema_version = SCHEMA_VERSION
        return settings

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        return {**extra, **data}


def migrate(raw: dict[str, Any]) -> dict[str, Any]:
    # A newer app's file is read as it is: what we know is used, the rest kept in ``extra``.
    return versioned.migrate(
        raw,
        MIGRATIONS,
        unreadable=SettingsError(
            "The settings file has an unreadable version; delete it to start over."
        ),
    )


def load_settings(path: Path) -> Settings:
    if not path.exists():
        return Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SettingsError(
            f"The settings file {path} could not be read; fix or delete it and restart."
        ) from exc
    if not isinstance(raw, dict):
        raise SettingsError(f"The settings file {path} is not valid; delete it and restart.")
    return Settings.from_dict(raw)


def save_settings(path: Path, settings: Settings) -> None:
    with plain_disk_full(path, "the settings", "change them again"):
        write_json_atomic(path, settings.to_dict())
