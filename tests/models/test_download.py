"""Downloads against the local fake hub: success, resume, checksum, auth, 404, disk, cancel."""

from __future__ import annotations

import errno
import hashlib
import io
from pathlib import Path
from typing import IO

import pytest

from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.errors import Cancelled, DownloadError
from assistant_builder.core.models import download
from assistant_builder.core.models.download import (
    DownloadProgress,
    PendingDownload,
    partial_path,
    pending_downloads,
)
from assistant_builder.core.models.library import pull
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.paths import Paths
from tests.models.conftest import MakeGguf
from tests.models.fake_hub import FakeHub

REPO = "tester/Tiny-GGUF"


def _installed(paths: Paths) -> list[str]:
    return [m.filename for m in ModelRegistry(paths.models_registry).list()]


def test_a_download_is_verified_installed_and_registered(
    app_home: Paths, fake_hub: FakeHub, make_gguf: MakeGguf
) -> None:
    data = make_gguf("tiny-Q4_K_M.gguf").read_bytes()
    fake_hub.add_file(REPO, "tiny-Q4_K_M.gguf", data)
    seen: list[DownloadProgress] = []
    model = pull(app_home, f"{REPO}:tiny-Q4_K_M.gguf", on_progress=seen.append)
    assert model.file.parent == app_home.models_dir
    assert model.file.read_bytes() == data
    assert model.sha256 == hashlib.sha256(data).hexdigest()
    assert model.repo == REPO and model.meta["source"].startswith(f"hf:{REPO}@")
    assert _installed(app_home) == ["tiny-Q4_K_M.gguf"]
    assert list(app_home.downloads_dir.iterdir()) == []
    assert {p.stage for p in seen} == {"download"}  # hashed while written: no second read
    assert seen[-1].done == seen[-1].total == len(data)
    # Pulling again finds the installed file instead of downloading it twice.
    gets = len(fake_hub.gets("tiny-Q4_K_M.gguf"))
    assert pull(app_home, f"{REPO}:tiny-Q4_K_M.gguf").id == model.id
    assert len(fake_hub.gets("tiny-Q4_K_M.gguf")) == gets


def test_an_interrupted_download_resumes_without_fetching_bytes_again(
    app_home: Paths, fake_hub: FakeHub, smollm2_gguf: Path
) -> None:
    name = "SmolLM2-135M-Instruct.Q4_1.gguf"
    hosted = fake_hub.add_file(REPO, name, smollm2_gguf)
    total = len(hosted.data)
    cancel = CancelToken()

    def stop_after_first_chunk(p: DownloadProgress) -> None:
        if p.done > 0:
            cancel.cancel()

    with pytest.raises(Cancelled):
        pull(app_home, f"{REPO}:{name}", cancel=cancel, on_progress=stop_after_first_chunk)
    part = partial_path(app_home, hosted.sha256)
    kept = part.stat().st_size
    assert 0 < kept < total
    assert _installed(app_home) == []  # a partial file is never listed as installed
    # After a restart the app can still offer to continue it.
    assert pending_downloads(app_home) == [PendingDownload(REPO, name, kept, total)]

    seen: list[DownloadProgress] = []
    model = pull(app_home, f"{REPO}:{name}", on_progress=seen.append)
    # The bytes kept are hashed first (reported as "verify"), then the rest is fetched.
    assert seen[0].stage == "verify" and seen[0].total == kept
    assert seen[-1].stage == "download" and seen[-1].done == total
    first, second = fake_hub.gets(name)
    assert first.range is None
    assert second.range == f"bytes={kept}-"
    assert second.bytes_sent == total - kept  # nothing already on disk was fetched again
    assert model.sha256 == hosted.sha256 and model.size == total
    assert not part.exists()
    assert pending_downloads(app_home) == []
    assert list(app_home.downloads_dir.iterdir()) == []


def test_a_server_that_ignores_range_restarts_cleanly(
    app_home: Paths, fake_hub: FakeHub, make_gguf: MakeGguf
) -> None:
    data = make_gguf().read_bytes()
    hosted = fake_hub.add_file(REPO, "tiny.gguf", data)
    part = partial_path(app_home, hosted.sha256)
    part.parent.mkdir(parents=True)
    part.write_bytes(data[:100])
    fake_hub.ignore_range = True
    model = pull(app_home, f"{REPO}:tiny.gguf")
    assert model.file.read_bytes() == data


def test_a_checksum_mismatch_deletes_the_file_and_says_so(
    app_home: Paths, fake_hub: FakeHub, make_gguf: MakeGguf
) -> None:
    hosted = fake_hub.add_file(
        REPO, "tiny.gguf", make_gguf().read_bytes(), advertised_sha256="ab" * 32
    )
    with pytest.raises(DownloadError, match=r"did not match the checksum .* so it was deleted"):
        pull(app_home, f"{REPO}:tiny.gguf")
    assert not partial_path(app_home, hosted.sha256).exists()
    assert list(app_home.downloads_dir.iterdir()) == []
    assert _installed(app_home) == []


def test_a_gated_repo_without_token_says_what_to_do(
    app_home: Paths, fake_hub: FakeHub, make_gguf: MakeGguf, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_hub.add_file(REPO, "tiny.gguf", make_gguf().read_bytes())
    fake_hub.repos[REPO].gated = True
    with pytest.raises(DownloadError, match=r"accept its licence on huggingface.co.*HF_TOKEN"):
        pull(app_home, f"{REPO}:tiny.gguf")
    assert fake_hub.requests[-1].authorization is None
    monkeypatch.setenv("HF_TOKEN", "hf_someone_who_has_not_accepted")
    with pytest.raises(DownloadError, match=r"accept its licence on huggingface.co.*HF_TOKEN"):
        pull(app_home, f"{REPO}:tiny.gguf")
    monkeypatch.setenv("HF_TOKEN", fake_hub.token)
    model = pull(app_home, f"{REPO}:tiny.gguf")
    assert model.filename == "tiny.gguf"
    assert fake_hub.gets("tiny.gguf")[-1].authorization == f"Bearer {fake_hub.token}"


def test_missing_repo_and_missing_file(app_home: Paths, fake_hub: FakeHub) -> None:
    with pytest.raises(DownloadError, match="No model “nobody/nothing” exists on Hugging Face"):
        pull(app_home, "nobody/nothing:x.gguf")
    fake_hub.add_file(REPO, "other.gguf", b"GGUF")
    with pytest.raises(DownloadError, match=r"has no file “x.gguf”") as info:
        pull(app_home, f"{REPO}:x.gguf")
    assert info.value.command == f"models search {REPO}"  # the command line adds it


def test_not_enough_free_space_is_refused_before_downloading(
    app_home: Paths, fake_hub: FakeHub, make_gguf: MakeGguf, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_hub.add_file(REPO, "tiny.gguf", make_gguf().read_bytes())
    monkeypatch.setattr(download, "free_bytes", lambda folder: 10_000_000)
    with pytest.raises(DownloadError, match="not enough free disk space"):
        pull(app_home, f"{REPO}:tiny.gguf")
    assert fake_hub.gets("tiny.gguf") == []


def test_a_disk_that_fills_up_mid_download_keeps_the_partial_file(
    app_home: Paths, fake_hub: FakeHub, smollm2_gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "SmolLM2-135M-Instruct.Q4_1.gguf"
    hosted = fake_hub.add_file(REPO, name, smollm2_gguf)

    class FillsUp(io.FileIO):
        def write(self, data: object) -> int:
            if self.tell() >= 20 << 20:
                raise OSError(errno.ENOSPC, "No space left on device")
            return super().write(data)  # type: ignore[arg-type]

    def tiny_disk(path: Path) -> IO[bytes]:
        return FillsUp(str(path), "a")  # type: ignore[return-value]

    monkeypatch.setattr(download, "open_partial", tiny_disk)
    with pytest.raises(DownloadError, match=r"disk at .* is full.*continue where it stopped"):
        pull(app_home, f"{REPO}:{name}")
    assert partial_path(app_home, hosted.sha256).stat().st_size >= 20 << 20
    assert _installed(app_home) == []


def test_cancel_stops_and_installs_nothing(
    app_home: Paths, fake_hub: FakeHub, make_gguf: MakeGguf
) -> None:
    fake_hub.add_file(REPO, "tiny.gguf", make_gguf().read_bytes())
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        pull(app_home, f"{REPO}:tiny.gguf", cancel=cancel)
    assert _installed(app_home) == []
    assert not any(app_home.models_dir.glob("*.gguf"))


def test_offline_is_a_plain_sentence(app_home: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    import huggingface_hub.constants as hf_constants

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    # The test home has no way out, as a computer without a network (tests/conftest.py).
    with pytest.raises(DownloadError, match=r"^This computer is not connected to the internet"):
        pull(app_home, "someone/some-GGUF:file.gguf")
