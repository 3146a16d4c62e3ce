"""Downloading a GGUF file from the hub: resumable, cancellable, verified. It ends at a verified
file in Paths.downloads_dir; installing it is the library's (core/models/library.py).

What huggingface_hub 2.4 does and does not do, and so what this module adds:
- ``hf_hub_download`` no longer resumes: it writes to a process-unique ``*.incomplete`` file
  and deletes it on any failure (file_download._download_to_tmp_and_move). Its lower-level
  ``http_get`` does accept ``resume_size`` (it sends ``Range: bytes=N-``, and if a server
  ignores the Range and answers 200 it rewinds and truncates the file itself), retries
  transient network errors from where it got to, and checks the final size. We call
  ``http_get`` directly on our own partial file in Paths.downloads_dir, named after the
  file's sha256, so a later run (even after a restart) continues from the bytes on disk.
- It has no cancel and reports progress only to a tqdm bar. ``http_get`` writes each chunk
  (constants.DOWNLOAD_CHUNK_SIZE, 10 MiB) to the file object it is given, so we hand it a
  small file wrapper that reports bytes/speed/ETA and raises Cancelled between chunks.
- It verifies no checksum for plain HTTP downloads (only the size). We hash the bytes as they
  are written (after hashing what a resumed partial file already holds, so a multi-GB file is
  not read twice) and compare with the LFS sha256 the hub publishes (model_info with
  files_metadata); a mismatch deletes the partial file.
- HF_ENDPOINT and HF_TOKEN: we pass ``endpoint=`` and ``token`` explicitly (see hub.py);
  the Authorization header is built by ``build_hf_headers`` and dropped by httpx on the
  cross-host redirect to the CDN."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.errors import DownloadError, is_disk_full, plain_disk_full
from assistant_builder.core.fileio import CHUNK, write_json_atomic
from assistant_builder.core.models import hub
from assistant_builder.core.paths import Paths

SPACE_MARGIN = 64 << 20  # keep a little room so the disk is never filled to the last byte


@dataclass(frozen=True)
class DownloadProgress:
    stage: str  # "download" | "verify"
    filename: str
    done: int
    total: int
    bytes_per_s: float
    eta_s: float | None


OnProgress = Callable[[DownloadProgress], None]


def free_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def open_partial(path: Path) -> IO[bytes]:
    """Append to the partial file (created if missing); a seam for the disk-full test."""
    return path.open("ab")


class _Sink:
    """The file object ``http_get`` writes to: counts bytes, reports, and obeys cancel."""

    def __init__(
        self, handle: IO[bytes], filename: str, total: int, cancel: CancelToken,
        on_progress: OnProgress | None, digest: Any,
    ) -> None:  # fmt: skip
        self._handle, self._filename, self._total = handle, filename, total
        self._cancel, self._on_progress = cancel, on_progress
        self.digest = digest  # sha256 of everything in the file so far
        self._start = time.monotonic()
        self._start_done = self.done = handle.tell()
        self._last = 0.0

    def write(self, data: bytes) -> int:
        # Keep what arrived before stopping: it is not fetched again on resume.
        written = self._handle.write(data)
        self.digest.update(data[:written])
        self.done += written
        now = time.monotonic()
        if now - self._last >= 0.2 or self.done >= self._total:
            self._last = now
            self.report(now)
        self._cancel.raise_if_cancelled()
        return written

    def report(self, now: float | None = None) -> None:
        if self._on_progress is None:
            return
        elapsed = (now or time.monotonic()) - self._start
        speed = (self.done - self._start_done) / elapsed if elapsed > 0 else 0.0
        eta = (self._total - self.done) / speed if speed > 0 else None
        self._on_progress(
            DownloadProgress("download", self._filename, self.done, self._total, speed, eta)
        )

    # http_get rewinds and truncates when a server ignores Range and sends the whole file.
    def tell(self) -> int:
        return self._handle.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._handle.seek(offset, whence)

    def truncate(self, size: int | None = None) -> int:
        result = self._handle.truncate(size)
        self.done = self._start_done = self._handle.seek(0, os.SEEK_END)
        self.digest = _hash_prefix(Path(self._handle.name), self.done, NEVER, None, "")
        return result

    def flush(self) -> None:
        self._handle.flush()


def partial_path(paths: Paths, sha256: str) -> Path:
    return paths.downloads_dir / f"{sha256}.part"


@dataclass(frozen=True)
class PendingDownload:
    """A download that stopped before the end; pulling it again continues it."""

    repo: str
    filename: str
    done: int
    total: int

    @property
    def ref(self) -> str:
        return f"{self.repo}:{self.filename}"


def pending_downloads(paths: Paths) -> list[PendingDownload]:
    """Stopped downloads (each partial file has a small note saying what it is)."""
    found = []
    for note in sorted(paths.downloads_dir.glob("*.part.json")):
        part = note.with_suffix("")
        try:
            data = json.loads(note.read_text(encoding="utf-8"))
            found.append(
                PendingDownload(
                    str(data["repo"]), str(data["filename"]), part.stat().st_size,
                    int(data["size"]),
                )
            )  # fmt: skip
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a note without its file (or a damaged one) is not a download
    return found


def forget_partial(part: Path) -> None:
    """Delete a partial (or verified, not installed) download and its note."""
    part.unlink(missing_ok=True)
    part.with_name(part.name + ".json").unlink(missing_ok=True)


def _check_space(paths: Paths, needed: int, total: int) -> None:
    for folder, wanted in ((paths.downloads_dir, needed), (paths.models_dir, total)):
        folder.mkdir(parents=True, exist_ok=True)
        if (
            folder != paths.downloads_dir
            and os.stat(folder).st_dev == os.stat(paths.downloads_dir).st_dev
        ):
            continue  # same disk: the finished file is renamed, not copied
        free = free_bytes(folder)
        if free < wanted + SPACE_MARGIN:
            raise DownloadError(
                f"There is not enough free disk space for this model (it needs "
                f"{(wanted + SPACE_MARGIN) / 1e9:.1f} GB, {free / 1e9:.1f} GB is free in "
                f"{folder}); free some space and try again."
            )


def download_file(
    paths: Paths,
    file: hub.HubFile,
    *,
    cancel: CancelToken = NEVER,
    on_progress: OnProgress | None = None,
) -> Path:
    """Fetch ``file`` into Paths.downloads_dir, resuming a partial file, and verify its sha256.

    Returns the verified file, still in downloads_dir (never listed as installed)."""
    from huggingface_hub import hf_hub_url
    from huggingface_hub.errors import HfHubHTTPError
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils import build_hf_headers
    from huggingface_hub.utils.tqdm import silent_tqdm

    cancel.raise_if_cancelled()
    if not file.sha256:
        raise DownloadError(
            f"Hugging Face publishes no checksum for {file.filename}, so it cannot be verified; "
            "choose another file."
        )
    part = partial_path(paths, file.sha256)
    part.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.exists() else 0
    if have > file.size:
        part.unlink()
        have = 0
    _check_space(paths, file.size - have, file.size)
    # Closing the partial file flushes it, so the disk can fill up on the way out too.
    full = partial(plain_disk_full, part, f"the rest of {file.filename}",
                   "run the same download again to continue where it stopped",
                   error=DownloadError)  # fmt: skip
    digest = _hash_prefix(part, have, cancel, on_progress, file.filename)
    with full():
        write_json_atomic(
            part.with_name(part.name + ".json"),
            {"repo": file.repo, "filename": file.filename, "size": file.size,
             "revision": file.revision, "sha256": file.sha256},
        )  # fmt: skip
    if have < file.size:
        url = hf_hub_url(file.repo, file.filename, revision=file.revision, endpoint=hub.endpoint())
        headers = build_hf_headers(token=hub.token())
        with full(), hub.plain_hub_errors(file.repo, file.filename), open_partial(part) as handle:
            sink = _Sink(handle, file.filename, file.size, cancel, on_progress, digest)
            try:
                http_get(
                    url, sink, resume_size=have, headers=headers,  # type: ignore[arg-type]
                    expected_size=file.size, displayed_filename=file.filename,
                    tqdm_class=silent_tqdm,
                )  # fmt: skip
            except HfHubHTTPError:
                raise
            except OSError as exc:
                if is_disk_full(exc):
                    raise  # said by ``full()``, once the partial file is closed
                why = exc.strerror or "the connection dropped"
                raise DownloadError(
                    f"The download of {file.filename} was cut short ({why}); "
                    "run it again to continue where it stopped."
                ) from exc
        digest = sink.digest
    if part.stat().st_size != file.size or digest.hexdigest() != file.sha256.lower():
        forget_partial(part)
        raise DownloadError(
            f"{file.filename} did not match the checksum Hugging Face publishes for it, so it "
            "was deleted; try the download again."
        )
    return part


def _hash_prefix(
    part: Path, length: int, cancel: CancelToken, on_progress: OnProgress | None, name: str
) -> Any:
    """sha256 of the first ``length`` bytes already on disk (a resumed download)."""
    digest = hashlib.sha256()
    done, last, start = 0, 0.0, time.monotonic()
    if length <= 0:
        return digest
    with part.open("rb") as handle:
        while done < length and (block := handle.read(min(CHUNK, length - done))):
            cancel.raise_if_cancelled()
            digest.update(block)
            done += len(block)
            now = time.monotonic()
            if on_progress and (now - last >= 0.2 or done == length):
                last = now
                speed = done / (now - start) if now > start else 0.0
                eta = (length - done) / speed if speed else None
                on_progress(DownloadProgress("verify", name, done, length, speed, eta))
    return digest
