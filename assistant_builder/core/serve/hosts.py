"""Which ``Host`` a request to the local API may name. A web page can point a name of its own
at this computer (DNS rebinding) and so reach a server on 127.0.0.1 from the person's browser;
its requests carry that name, so only this computer's own names and addresses are trusted."""

from __future__ import annotations

import ipaddress
import socket

from assistant_builder.core.network import is_loopback

__all__ = ["is_loopback", "reach_urls", "trusted_hosts"]

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")
EVERY_ADDRESS = ("0.0.0.0", "::", "")


def _named(host: str) -> list[str]:
    """A host as it appears in a Host header (an IPv6 address in brackets)."""
    return [host, f"[{host}]"] if ":" in host else [host]


def _own_addresses() -> list[str]:
    name = socket.gethostname()
    try:
        found = {str(info[4][0]) for info in socket.getaddrinfo(name, None)}
    except OSError:
        found = set()
    return sorted(found)


def reach_urls(bound: str, port: int) -> list[str]:
    """The API addresses other computers use for a server listening on ``bound``: the
    address itself, or each of this computer's own when it listens on every address."""
    hosts = [bound] if bound not in EVERY_ADDRESS else []
    if not hosts:
        hosts = [a for a in _own_addresses() if not is_loopback(a)]
        hosts = hosts or [socket.gethostname()]
    urls = []
    for host in hosts:
        try:
            shown = f"[{host}]" if ipaddress.ip_address(host).version == 6 else host
        except ValueError:
            shown = host
        urls.append(f"http://{shown}:{port}/v1")
    return urls


def trusted_hosts(bound: str) -> list[str]:
    """The Host names trusted for a server listening on ``bound``: loopback always; the address
    it listens on; this computer's name and addresses when it listens on every address."""
    hosts = list(LOOPBACK_HOSTS)
    if is_loopback(bound):
        return hosts
    if bound not in EVERY_ADDRESS:
        return hosts + _named(bound)
    hosts += [socket.gethostname(), socket.getfqdn()]
    for address in _own_addresses():
        hosts += _named(address)
    return hosts
