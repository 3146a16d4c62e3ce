"""A small HTTP server on 127.0.0.1 that answers the Hugging Face hub endpoints the app uses:
model search, model info with file metadata, and HEAD/GET (with Range) on resolve URLs,
with the hub's headers. It serves real files the tests create and records every request."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@dataclass
class HostedFile:
    data: bytes
    sha256: str  # what the hub advertises (tests may make it lie)


@dataclass
class Repo:
    files: dict[str, HostedFile] = field(default_factory=dict)
    gated: bool = False
    downloads: int = 0


@dataclass
class Seen:
    method: str
    path: str
    range: str | None
    authorization: str | None
    bytes_sent: int = 0


class FakeHub:
    def __init__(self) -> None:
        self.repos: dict[str, Repo] = {}
        self.requests: list[Seen] = []
        self.token = "hf_test_token"
        self.ignore_range = False
        self.chunk_delay_s = 0.0  # pause between 1 MiB pieces, to make a transfer take time
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_file(
        self, repo: str, filename: str, source: bytes | Path, *, advertised_sha256: str = ""
    ) -> HostedFile:
        data = source.read_bytes() if isinstance(source, Path) else source
        hosted = HostedFile(data, advertised_sha256 or hashlib.sha256(data).hexdigest())
        self.repos.setdefault(repo, Repo()).files[filename] = hosted
        return hosted

    def gets(self, filename: str) -> list[Seen]:
        return [r for r in self.requests if r.method == "GET" and r.path.endswith("/" + filename)]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self._route(head=False)

            def do_HEAD(self) -> None:
                self._route(head=True)

            def _route(self, head: bool) -> None:
                url = urlparse(self.path)
                seen = Seen(
                    self.command,
                    unquote(url.path),
                    self.headers.get("Range"),
                    self.headers.get("Authorization"),
                )
                hub.requests.append(seen)
                path = unquote(url.path)
                if path == "/api/models":
                    return self._search(parse_qs(url.query))
                m = re.fullmatch(r"/api/models/([^/]+/[^/]+)/tree/[^/]+/(.+)", path)
                if m:  # a folder listing (transformers asks for optional folders): none here
                    return self._error(404, "EntryNotFound", f"{m.group(2)} does not exist")
                m = re.fullmatch(r"/api/models/([^/]+/[^/]+?)(?:/revision/[^/]+)?", path)
                if m:
                    return self._info(m.group(1))
                m = re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
                if m:
                    return self._resolve(m.group(1), m.group(3), head, seen)
                self._error(404, "RepoNotFound", "not found")

            def _json(self, data: object) -> None:
                body = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _error(self, status: int, code: str, message: str) -> None:
                body = json.dumps({"error": message}).encode()
                self.send_response(status)
                self.send_header("X-Error-Code", code)
                self.send_header("X-Error-Message", message)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _allowed(self, repo: Repo) -> bool:
                auth = self.headers.get("Authorization")
                if not repo.gated or auth == f"Bearer {hub.token}":
                    return True
                # The hub: 401 without a token, 403 when the token's owner has not accepted.
                self._error(
                    403 if auth else 401, "GatedRepo", "Access to this model is restricted."
                )
                return False

            def _search(self, query: dict[str, list[str]]) -> None:
                words = (query.get("search") or [""])[0].lower()
                found = [
                    {"id": name, "downloads": repo.downloads, "likes": 0, "gated": repo.gated,
                     "tags": ["gguf"]}
                    for name, repo in hub.repos.items()
                    if words in name.lower()
                ]  # fmt: skip
                found.sort(key=lambda r: -int(r["downloads"]))  # type: ignore[call-overload]
                self._json(found)

            def _info(self, name: str) -> None:
                repo = hub.repos.get(name)
                if repo is None:
                    return self._error(404, "RepoNotFound", "Repository not found")
                if not self._allowed(repo):
                    return None
                siblings = [
                    {"rfilename": fname, "size": len(f.data), "blobId": "b" * 40,
                     "lfs": {"size": len(f.data), "sha256": f.sha256, "pointerSize": 134}}
                    for fname, f in repo.files.items()
                ] + [{"rfilename": "README.md", "size": 10, "blobId": "c" * 40}]  # fmt: skip
                self._json({"id": name, "sha": COMMIT, "private": False, "gated": repo.gated,
                            "downloads": repo.downloads, "likes": 0, "tags": ["gguf"],
                            "siblings": siblings})  # fmt: skip

            def _resolve(self, name: str, filename: str, head: bool, seen: Seen) -> None:
                repo = hub.repos.get(name)
                if repo is None:
                    return self._error(404, "RepoNotFound", "Repository not found")
                if not self._allowed(repo):
                    return None
                hosted = repo.files.get(filename)
                if hosted is None:
                    return self._error(404, "EntryNotFound", "Entry not found")
                data, start = hosted.data, 0
                wanted = self.headers.get("Range")
                m = re.fullmatch(r"bytes=(\d+)-", wanted or "")
                if m and not hub.ignore_range:
                    start = int(m.group(1))
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                self.send_header("X-Repo-Commit", COMMIT)
                self.send_header("ETag", f'"{hosted.sha256}"')
                self.send_header("X-Linked-Etag", f'"{hosted.sha256}"')
                self.send_header("X-Linked-Size", str(len(data)))
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(len(data) - start))
                self.send_header("Content-Type", "application/octet-stream")
                self.end_headers()
                if head:
                    return None
                piece = 1 << 20
                try:
                    for offset in range(start, len(data), piece):
                        chunk = data[offset : offset + piece]
                        self.wfile.write(chunk)
                        seen.bytes_sent += len(chunk)
                        if hub.chunk_delay_s:
                            time.sleep(hub.chunk_delay_s)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                return None

        return Handler
