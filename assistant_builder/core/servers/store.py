"""The model servers the person added: a name and an address each, kept in servers.json beside
the settings (written atomically); the API key of each is in keys.KeyStore, never here (only
whether it has one, so listing the servers never wakes the system keyring)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from assistant_builder.core.errors import EngineError, ServerError, plain_disk_full
from assistant_builder.core.fileio import move_aside, write_json_atomic
from assistant_builder.core.network import host_of, is_loopback
from assistant_builder.core.servers.keys import KeyStore

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ModelServer:
    name: str
    url: str  # as the person typed it, without a trailing slash
    has_key: bool = False

    @property
    def on_this_computer(self) -> bool:
        return is_loopback(host_of(self.url))


class ServerStore:
    def __init__(self, file: Path, keys: KeyStore) -> None:
        self.file = file
        self.keys = keys

    def list(self) -> list[ModelServer]:
        return list(self._read().values())

    def get(self, name: str) -> ModelServer:
        for server in self.list():
            if server.name.casefold() == name.strip().casefold():
                return server
        known = ", ".join(s.name for s in self.list())
        raise ServerError(
            f"There is no model server named “{name}”; "
            + (f"choose one of: {known}." if known else "add it in Settings first."),
            command="servers list",
        )

    def key_of(self, name: str) -> str:
        return self.keys.get(self.get(name).name)

    def add(self, name: str, url: str, api_key: str = "") -> ModelServer:
        """Add a server (its address checked, not yet reached); a name in use is refused."""
        name, url = name.strip(), url.strip().rstrip("/")
        if not name:
            raise ServerError("The server needs a name; type one, for example “Office”.")
        from assistant_builder.core.engine.remote import api_root  # with its HTTP library

        try:
            api_root(url)
        except EngineError as exc:
            raise ServerError(str(exc)) from exc
        servers = self._read()
        if any(n.casefold() == name.casefold() for n in servers):
            raise ServerError(
                f"A model server named “{name}” already exists; choose another name or "
                "remove that one first."
            )
        if api_key:
            self.keys.set(name, api_key)
        servers[name] = ModelServer(name, url, bool(api_key))
        self._write(servers)
        return servers[name]

    def remove(self, name: str) -> ModelServer:
        """Forget the server and its key (assistants that use it keep their choice)."""
        server = self.get(name)
        servers = self._read()
        servers.pop(server.name, None)
        self._write(servers)
        self.keys.delete(server.name)
        return server

    def _read(self) -> dict[str, ModelServer]:
        try:
            raw = json.loads(self.file.read_text(encoding="utf-8"))
            entries = raw["servers"]
            return {
                str(e["name"]): ModelServer(str(e["name"]), str(e["url"]), e.get("has_key") is True)
                for e in entries
            }
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError):
            kept = move_aside(self.file)  # never deleted: the person may want it back
            log.warning("damaged servers file kept as %s", kept)
            return {}

    def _write(self, servers: dict[str, ModelServer]) -> None:
        data = {
            "schema_version": SCHEMA_VERSION,
            "servers": [{"name": s.name, "url": s.url, "has_key": s.has_key}
                        for s in servers.values()],
        }  # fmt: skip
        with plain_disk_full(self.file, "the model servers", "add the server again"):
            write_json_atomic(self.file, data)
