"""Loaded by every Python process of a command under test (PYTHONPATH): records each socket
connect and each host name looked up to the file named by AB_CONNECT_LOG, one JSON a line."""

import json
import os
import socket

_LOG = os.environ.get("AB_CONNECT_LOG")

if _LOG:
    _connect, _connect_ex, _getaddrinfo = (
        socket.socket.connect,
        socket.socket.connect_ex,
        socket.getaddrinfo,
    )

    def _record(kind, target):
        # A connect's address is (host, port, ...) for IP sockets, a path for AF_UNIX (None).
        host = target[0] if isinstance(target, tuple) else target if kind == "lookup" else None
        entry = {"pid": os.getpid(), "kind": kind, "host": None if host is None else str(host)}
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")

    def connect(self, address):
        _record("connect", address)
        return _connect(self, address)

    def connect_ex(self, address):
        _record("connect", address)
        return _connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        _record("lookup", host)
        return _getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.getaddrinfo = getaddrinfo
