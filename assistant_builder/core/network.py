"""The app's network rules: the offline switch, and a log of every request the app makes.

Every request goes through here (the hub client is configured with ``hub_client_factory``, the
model-server client calls ``check``), so with offline on nothing leaves the machine, and the
user can read what did in network.log. A model server on a loopback address is allowed even
offline: nothing leaves the computer, and it is logged all the same."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant_builder.core.errors import AppError

OFFLINE_ENV = "ASSISTANT_BUILDER_OFFLINE"


class OfflineError(AppError):
    pass


# What the Hugging Face libraries (huggingface_hub, transformers, sentence-transformers) read to
# stay off the network: set before they are imported, they use local files only.
HF_OFFLINE_ENV = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")


def apply_offline_environment(offline: bool = True) -> None:
    """Tell every library of this process (and the processes it starts) to stay offline, or,
    when the person turns offline mode off, that they may go online again."""
    for name in HF_OFFLINE_ENV:
        if offline:
            os.environ[name] = "1"
        else:
            os.environ.pop(name, None)
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    hub = sys.modules.get("huggingface_hub.constants")
    if hub is not None:  # it read the variable when it was imported; its calls read this
        setattr(hub, "HF_HUB_OFFLINE", offline)  # noqa: B010 (a module found at run time)


def offline_from_env(setting: bool = False) -> bool:
    """Offline when the setting is on or ASSISTANT_BUILDER_OFFLINE is 1/true/yes."""
    value = os.environ.get(OFFLINE_ENV, "").strip().lower()
    return setting or value in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class NetworkEntry:
    time: float
    method: str
    url: str
    purpose: str
    outcome: str  # "sent" or "blocked (offline)"

    @property
    def host(self) -> str:
        return host_of(self.url)

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "host": self.host}


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, IPv6 in brackets or not) is this computer."""
    host = host.strip().strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_of(url: str) -> str:
    """The host of ``url`` without its port (``url`` itself when it has none)."""
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


class NetworkPolicy:
    """Decides whether a request may go out and records it either way."""

    def __init__(self, log_path: Path, *, offline: bool) -> None:
        self.log_path = log_path
        self.offline = offline
        self._lock = threading.Lock()

    def _append(self, entry: NetworkEntry) -> None:
        line = json.dumps(entry.__dict__, ensure_ascii=False)
        with self._lock:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with self.log_path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")

    def check(self, method: str, url: str, purpose: str, *, this_computer_ok: bool = True) -> None:
        """Call before a request; raises OfflineError (and logs it) when offline and ``url`` is
        not on this computer. ``this_computer_ok=False``: refused offline even on a loopback
        address (the Hugging Face Hub, which is the internet even when HF_ENDPOINT points at
        a mirror here: offline mode keeps the hub libraries offline too)."""
        local = this_computer_ok and is_loopback(host_of(url))
        if self.offline and not local:
            self._append(NetworkEntry(time.time(), method, url, purpose, "blocked (offline)"))
            raise OfflineError(
                f"Offline mode is on, so the app did not connect to {_host(url)}; "
                "turn it off in Settings to use the internet."
            )
        self._append(NetworkEntry(time.time(), method, url, purpose, "sent"))

    def newest_first(self, limit: int = 500) -> list[NetworkEntry]:
        """The log as the person reads it: the latest connection first."""
        return self.entries(limit)[::-1]

    def entries(self, limit: int = 500) -> list[NetworkEntry]:
        if not self.log_path.exists():
            return []
        lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-limit:]
        out: list[NetworkEntry] = []
        for line in lines:
            try:
                out.append(NetworkEntry(**json.loads(line)))
            except (ValueError, TypeError):
                continue  # a torn last line after a crash is skipped, not fatal
        return out


# Documentation addresses (RFC 5737, RFC 3849): no host has them. Connecting a UDP socket only
# looks up a route to them, which any network with a way out has; nothing is sent.
_ROUTE_PROBES = ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1"))


def has_network() -> bool:
    """Whether this computer is connected to a network with a way out (a route beyond it)."""
    for family, address in _ROUTE_PROBES:
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as probe:
                probe.connect((address, 9))
            return True
        except Exception:  # no route, no such family, or a sandbox refusing: no way out
            continue
    return False


def unreachable_sentence(site: str, url: str, *, online: Callable[[], bool] | None = None) -> str:
    """Why a request to ``site`` at ``url`` could not connect, in one sentence: this computer
    is offline, or it is online and only that site is out of reach. The one place that tells
    the two apart (``online`` defaults to ``has_network``)."""
    if not (online or has_network)():
        return (
            f"This computer is not connected to the internet, so {site} cannot be reached; "
            "connect it and try again."
        )
    return (
        f"{site} ({_host(url)}) cannot be reached, although this computer is connected to a "
        "network; the site may be down or blocked here, so try again later."
    )


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or url


def hub_client_factory(policy: NetworkPolicy) -> Callable[[], Any]:
    """A client factory for huggingface_hub.set_client_factory that applies ``policy``.

    It keeps huggingface_hub's own request hook (offline env, request ids) and adds ours."""

    def factory() -> Any:
        import httpx2
        from huggingface_hub.utils._http import hf_request_event_hook

        def guard(request: Any) -> None:
            policy.check(
                str(request.method), str(request.url), "Hugging Face Hub", this_computer_ok=False
            )

        return httpx2.Client(
            event_hooks={"request": [guard, hf_request_event_hook]},
            follow_redirects=True,
            timeout=None,
        )

    return factory


def install_hub_policy(policy: NetworkPolicy) -> None:
    """Route every huggingface_hub request through ``policy`` (imports huggingface_hub)."""
    from huggingface_hub import set_client_factory

    set_client_factory(hub_client_factory(policy))
