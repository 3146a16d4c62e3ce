"""API keys of model servers, never in the settings file: in the system keyring where the
computer has one (the ``keyring`` package: macOS Keychain, Windows Credential Locker, the
Secret Service on Linux desktops), else in a file only this user can read (mode 0600).

A keyring that is missing or refuses (a Linux machine without a desktop session, a locked
keychain) is not an error: the key goes to the file, and the person never sees the difference."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from assistant_builder.core.errors import ServerError, is_disk_full, plain_disk_full
from assistant_builder.core.fileio import write_json_atomic

log = logging.getLogger(__name__)

SERVICE = "Assistant Builder: model server"  # how the keyring lists the keys


def system_keyring() -> Any | None:
    """The system's keyring backend, or None when it has none that works. The environment's
    PYTHON_KEYRING_BACKEND is read each time (tests set the failing one)."""
    try:
        import keyring
        import keyring.core
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.core.load_env() or keyring.get_keyring()
    except Exception:  # a broken keyring configuration is no keyring
        log.warning("the system keyring could not be loaded", exc_info=True)
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
        return None
    return backend


class KeyStore:
    """Where the servers' keys live. ``backend``: a keyring backend (tests pass their own);
    by default the system's, looked up on each use."""

    def __init__(self, file: Path, backend: Any | None = None) -> None:
        self.file = file
        self._backend = backend

    def _keyring(self) -> Any | None:
        return self._backend if self._backend is not None else system_keyring()

    def where(self) -> str:
        """Where a key saved now goes, in the app's words."""
        return "the system keyring" if self._keyring() is not None else "a private file"

    def set(self, server: str, key: str) -> None:
        ring = self._keyring()
        if ring is not None:
            try:
                ring.set_password(SERVICE, server, key)
                self._drop_from_file(server)
                return
            except Exception:  # a locked or refusing keyring: the file instead
                log.warning("the keyring refused a key; using the private file", exc_info=True)
        keys = self._read_file()
        keys[server] = key
        self._write_file(keys)

    def get(self, server: str) -> str:
        ring = self._keyring()
        if ring is not None:
            try:
                found = ring.get_password(SERVICE, server)
            except Exception:
                log.warning("the keyring could not be read", exc_info=True)
                found = None
            if found:
                return str(found)
        return self._read_file().get(server, "")

    def delete(self, server: str) -> None:
        ring = self._keyring()
        if ring is not None:
            try:
                if ring.get_password(SERVICE, server) is not None:
                    ring.delete_password(SERVICE, server)
            except Exception:
                log.warning("the keyring could not forget a key", exc_info=True)
        self._drop_from_file(server)

    def _drop_from_file(self, server: str) -> None:
        keys = self._read_file()
        if keys.pop(server, None) is not None:
            self._write_file(keys)

    def _read_file(self) -> dict[str, str]:
        try:
            raw = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            log.warning("the server keys file could not be read", exc_info=True)
            return {}
        if not isinstance(raw, dict):
            return {}
        return {str(k): str(v) for k, v in raw.items() if isinstance(v, str)}

    def _write_file(self, keys: dict[str, str]) -> None:
        """Written atomically (core/fileio.py): its temporary file is created 0600 by mkstemp
        and renamed, so the keys are never readable by others, not even for a moment."""
        with plain_disk_full(self.file, "the server's key", "add the server again"):
            try:
                write_json_atomic(self.file, keys)
            except OSError as exc:
                if is_disk_full(exc):
                    raise
                raise ServerError(
                    f"The app could not keep the server's key in {self.file.parent}; "
                    "check that the folder can be written, then add the server again."
                ) from exc
