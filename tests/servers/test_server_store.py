"""Model servers added by the person: kept by name and address, their keys never in the
settings or servers file but in the system keyring, else in a file only the user can read."""

from __future__ import annotations

import json
import stat
from typing import Any

import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

from assistant_builder.core.errors import ServerError
from assistant_builder.core.network import NetworkPolicy
from assistant_builder.core.paths import Paths
from assistant_builder.core.servers.catalog import Servers
from assistant_builder.core.servers.keys import SERVICE, KeyStore

SECRET = "sk-very-secret-42"


class MemoryKeyring(KeyringBackend):
    """A keyring backend as the system's would be, keeping its passwords in a dict."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.kept.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.kept[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.kept:
            raise PasswordDeleteError(username)
        del self.kept[(service, username)]


class LockedKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("the keychain is locked")


def _servers(paths: Paths, backend: Any = None) -> Servers:
    policy = NetworkPolicy(paths.network_log, offline=False)
    return Servers(paths.ensure(), policy, KeyStore(paths.server_keys_file, backend))


def _everything_written(paths: Paths) -> str:
    return "".join(
        p.read_text(errors="replace") for p in paths.config_dir.rglob("*") if p.is_file()
    )


def test_without_a_keyring_the_key_is_in_a_file_only_the_user_can_read(app_home: Paths) -> None:
    servers = _servers(app_home)
    assert servers.store.keys.where() == "a private file"
    added = servers.add("Office", "http://10.0.0.5:8080/", SECRET)
    assert added.url == "http://10.0.0.5:8080" and added.has_key
    assert SECRET not in app_home.servers_file.read_text()
    assert json.loads(app_home.servers_file.read_text())["servers"] == [
        {"name": "Office", "url": "http://10.0.0.5:8080", "has_key": True}
    ]
    mode = stat.S_IMODE(app_home.server_keys_file.stat().st_mode)
    assert mode == 0o600
    # Another run of the app finds the server and its key.
    again = _servers(app_home)
    assert [(s.name, s.url, s.has_key) for s in again.added()] == [
        ("Office", "http://10.0.0.5:8080", True)
    ]
    assert again.store.key_of("office") == SECRET
    servers.remove("Office")
    assert again.added() == [] and SECRET not in _everything_written(app_home)


def test_with_a_keyring_the_key_is_kept_there_and_nowhere_else(app_home: Paths) -> None:
    ring = MemoryKeyring()
    servers = _servers(app_home, ring)
    assert servers.store.keys.where() == "the system keyring"
    servers.add("Office", "http://10.0.0.5:8080", SECRET)
    assert ring.kept == {(SERVICE, "Office"): SECRET}
    assert SECRET not in _everything_written(app_home)
    assert servers.store.key_of("Office") == SECRET
    servers.remove("Office")
    assert ring.kept == {}


def test_a_keyring_that_refuses_falls_back_to_the_private_file(app_home: Paths) -> None:
    servers = _servers(app_home, LockedKeyring())
    servers.add("Office", "http://10.0.0.5:8080", SECRET)
    assert json.loads(app_home.server_keys_file.read_text()) == {"Office": SECRET}
    assert servers.store.key_of("Office") == SECRET


def test_bad_names_and_addresses_get_a_plain_sentence(app_home: Paths) -> None:
    servers = _servers(app_home)
    servers.add("Office", "http://10.0.0.5:8080")
    with pytest.raises(ServerError, match="already exists"):
        servers.add("office", "http://10.0.0.6:8080")
    with pytest.raises(ServerError, match="http://"):
        servers.add("Lab", "10.0.0.6:8080")
    with pytest.raises(ServerError, match="needs a name"):
        servers.add("  ", "http://10.0.0.6:8080")
    with pytest.raises(ServerError, match="no model server named “Lab”; choose one of: Office"):
        servers.remove("Lab")
    assert [s.name for s in servers.added()] == ["Office"]


def test_a_damaged_servers_file_is_kept_aside_not_lost(app_home: Paths) -> None:
    servers = _servers(app_home)
    app_home.servers_file.write_text("{not json")
    assert servers.added() == []
    kept = list(app_home.config_dir.glob("servers.json.damaged-*"))
    assert [k.read_text() for k in kept] == ["{not json"]
    servers.add("Office", "http://10.0.0.5:8080")
    assert [s.name for s in servers.added()] == ["Office"]
