"""Where every file of the app lives. All of it moves under one folder when
``ASSISTANT_BUILDER_HOME`` is set (tests always set it)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_DIR_NAME = "assistant-builder"
HOME_ENV = "ASSISTANT_BUILDER_HOME"
# The folder inside the desktop build (packaging/) that holds the starter packages.
BUNDLED_WHEELS = "starter-wheels"
# The folder inside the desktop build that holds the starter embedder's ONNX export, made when
# the build was, so the first documents are read at full speed at once.
BUNDLED_EXPORTS = "embedder-exports"


def bundled_wheels_dir() -> Path | None:
    """The starter packages inside the frozen desktop build; None when run from source."""
    base = getattr(sys, "_MEIPASS", None)
    if not getattr(sys, "frozen", False) or not base:
        return None
    return Path(base) / BUNDLED_WHEELS


def bundled_exports_dir() -> Path | None:
    """The embedder exports made with the frozen desktop build; None when run from source."""
    wheels = bundled_wheels_dir()
    return None if wheels is None else wheels.parent / BUNDLED_EXPORTS


@dataclass(frozen=True)
class Paths:
    """The app's folders. Build one with :meth:`from_env` and pass it to whoever needs it."""

    data_dir: Path
    config_dir: Path
    cache_dir: Path
    log_dir: Path

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Paths:
        env = os.environ if environ is None else environ
        home = env.get(HOME_ENV, "").strip()
        if home:
            root = Path(home).expanduser().resolve()
            return cls(
                data_dir=root / "data",
                config_dir=root / "config",
                cache_dir=root / "cache",
                log_dir=root / "logs",
            )
        dirs = platformdirs.PlatformDirs(APP_DIR_NAME, appauthor=False)
        return cls(
            data_dir=Path(dirs.user_data_dir),
            config_dir=Path(dirs.user_config_dir),
            cache_dir=Path(dirs.user_cache_dir),
            log_dir=Path(dirs.user_log_dir),
        )

    # Data the user made or chose to keep.
    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def models_registry(self) -> Path:
        return self.data_dir / "models.json"

    @property
    def embedders_dir(self) -> Path:
        return self.data_dir / "embedders"

    @property
    def downloads_dir(self) -> Path:
        """Partial downloads; nothing here is ever listed as installed."""
        return self.data_dir / "downloads"

    @property
    def collections_dir(self) -> Path:
        return self.data_dir / "collections"

    @property
    def assistants_dir(self) -> Path:
        return self.data_dir / "assistants"

    @property
    def imported_documents_dir(self) -> Path:
        """Documents that arrived inside an imported ``.assistant`` file."""
        return self.data_dir / "imported-documents"

    @property
    def checks_dir(self) -> Path:
        """The score history of each assistant's check questions (core/checks/history.py)."""
        return self.data_dir / "checks"

    @property
    def conversations_db(self) -> Path:
        return self.data_dir / "conversations.sqlite3"

    # Configuration.
    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def servers_file(self) -> Path:
        """The model servers the person added (addresses only; their keys are kept apart)."""
        return self.config_dir / "servers.json"

    @property
    def server_keys_file(self) -> Path:
        """Servers' API keys where the system has no keyring (readable by the user only)."""
        return self.config_dir / "server-keys.json"

    # Re-creatable things.
    @property
    def wheels_cache(self) -> Path:
        return self.cache_dir / "wheels"

    @property
    def state_cache_dir(self) -> Path:
        """What the model made of each assistant's fixed prompt (core/engine/state_cache.py)."""
        return self.cache_dir / "prompt-states"

    @property
    def embedders_cache(self) -> Path:
        """Document readers prepared for this computer (ONNX exports of embedders, and which
        runtime reads each one here)."""
        return self.cache_dir / "embedders"

    @property
    def scratch_dir(self) -> Path:
        """Throwaway working files (the editor's Try it conversations); safe to delete."""
        return self.cache_dir / "scratch"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "assistant-builder.log"

    @property
    def network_log(self) -> Path:
        return self.log_dir / "network.log"

    def ensure(self) -> Paths:
        for folder in (self.data_dir, self.config_dir, self.cache_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self
