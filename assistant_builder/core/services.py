"""The use cases the adapters (GUI and command line) call. Built once by the composition
root and handed to whoever needs it; there is no global instance."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant_builder.core.conversations.repair import repair_conversations
from assistant_builder.core.errors import SettingsError
from assistant_builder.core.fileio import remove_leftovers
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.network import (
    NetworkPolicy,
    apply_offline_environment,
    offline_from_env,
)
from assistant_builder.core.paths import Paths
from assistant_builder.core.settings import Settings, load_settings, save_settings

if TYPE_CHECKING:
    from assistant_builder.core.servers.catalog import Servers


@dataclass
class Services:
    paths: Paths
    models: ModelRegistry
    network: NetworkPolicy

    @classmethod
    def create(cls, paths: Paths | None = None) -> Services:
        paths = (paths or Paths.from_env()).ensure()
        try:
            offline_setting = load_settings(paths.settings_file).offline
        except SettingsError:
            offline_setting = False
        offline = offline_from_env(offline_setting)
        if offline:
            apply_offline_environment()
        return cls(
            paths=paths,
            models=ModelRegistry(paths.models_registry),
            network=NetworkPolicy(paths.network_log, offline=offline),
        )

    @property
    def collections(self) -> Collections:
        return Collections(self.paths)

    @property
    def servers(self) -> Servers:
        """The model servers the person added, reached through the network policy."""
        from assistant_builder.core.servers.catalog import Servers  # httpx, templates: slow

        return Servers(self.paths, self.network)

    def load_settings(self) -> Settings:
        return load_settings(self.paths.settings_file)

    def load_settings_or_defaults(self) -> tuple[Settings, str]:
        """Settings for the GUI, which must open even when the file is damaged.

        A damaged file is moved aside (never overwritten) and the notice says where."""
        try:
            return self.load_settings(), ""
        except SettingsError:
            path = self.paths.settings_file
            kept = path.with_name(f"{path.name}.damaged-{int(time.time())}")
            path.replace(kept)
            return Settings(), (
                f"Your settings file could not be read, so default settings are in use; "
                f"the old file was kept as {kept.name}."
            )

    def repair_damaged(self, *, deep: bool = False) -> list[str]:
        """At start-up: each damaged store kept aside and started afresh or left to be
        rebuilt, one sentence each (what was damaged, where it went, what to do). ``deep``
        also reads every local collection index in full."""
        paths = self.paths
        remove_leftovers([paths.data_dir, paths.config_dir, paths.assistants_dir,
                          *paths.collections_dir.glob("*/")])  # fmt: skip
        said = [repair_conversations(paths.conversations_db), self.models.repair()]
        return [s for s in said if s] + self.collections.repair(deep=deep)

    def save_settings(self, settings: Settings) -> None:
        save_settings(self.paths.settings_file, settings)
