"""Which ``Host`` a request to the local API may name. A web page can point a name of its own
at this computer (DNS rebinding) and so reach a server on 127.0.0.1 from the person's browser;
its requests carry that name, so only this computer's own names and addresses are trusted."""

from __future__ import annotations

import ipaddress
import socket

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")
EVERY_ADDRESS = ("0.0.0.0", "::", "")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _named(host: str) -> list[str]:
    """A host as it appears in a Host header (an IPv6 address in brackets)."""
    return [host, f"[{host}]"] if ":" in host else [host]


def trusted_hosts(bound: str) -> list[str]:
    """The Host names trusted for a server listening on ``bound``: loopback always; the address
    it listens on; this computer's name and addresses when it listens on every address."""
    hosts = list(LOOPBACK_HOSTS)
    if is_loopback(bound):
        return hosts
    if bound not in EVERY_ADDRESS:
        return hosts + _named(bound)
    name = socket.gethostname()
    hosts += [name, socket.getfqdn()]
    try:
        found = {str(info[4][0]) for info in socket.getaddrinfo(name, None)}
    except OSError:
        found = set()
    for address in sorted(found):
        hosts += _named(address)
    return hosts
