"""Downloads that finish at the same moment, in threads of one app or in two processes (a
window and the command line), all end up installed: the registry's read-modify-write and the
choice of a free file name happen under one lock."""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import threading
from pathlib import Path

import pytest

from assistant_builder.core.models import library
from assistant_builder.core.models.library import pull, register_file
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.paths import Paths
from tests.models.conftest import write_gguf
from tests.models.fake_hub import FakeHub

DOWNLOADS = 4


def test_downloads_finishing_together_in_threads_are_all_installed(
    app_home: Paths, fake_hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same file name in several repositories: each needs a file name of its own too.
    for n in range(DOWNLOADS):
        data = write_gguf(tmp_path / f"m{n}.gguf", context=1024 * (n + 1)).read_bytes()
        fake_hub.add_file(f"tester/Tiny-{n}", "tiny-Q4_K_M.gguf", data)
    downloaded = threading.Barrier(DOWNLOADS, timeout=120)
    real_download = library.download_file

    def download_then_wait(*args: object, **kwargs: object) -> Path:
        part = real_download(*args, **kwargs)  # type: ignore[arg-type]
        downloaded.wait()  # every download is verified: they all install at once
        return part

    monkeypatch.setattr(library, "download_file", download_then_wait)
    installed: list[str] = []
    errors: list[BaseException] = []

    def pull_one(n: int) -> None:
        try:
            installed.append(pull(app_home, f"tester/Tiny-{n}:tiny-Q4_K_M.gguf").id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=pull_one, args=(n,)) for n in range(DOWNLOADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    listed = ModelRegistry(app_home.models_registry).list()
    assert sorted(m.id for m in listed) == sorted(installed) and len(set(installed)) == DOWNLOADS
    assert sorted(m.repo for m in listed) == [f"tester/Tiny-{n}" for n in range(DOWNLOADS)]
    files = {Path(m.path) for m in listed}
    assert len(files) == DOWNLOADS and all(f.parent == app_home.models_dir for f in files)
    assert len(list(app_home.models_dir.glob("*.gguf"))) == DOWNLOADS  # none overwritten


def _install_many(paths: Paths, folder: str, start: multiprocessing.synchronize.Barrier) -> None:
    start.wait()
    for file in sorted(Path(folder).glob("*.gguf")):
        register_file(paths, file, name=file.stem, move=True)


def test_downloads_finishing_together_in_two_processes_are_all_installed(
    app_home: Paths, tmp_path: Path
) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2, timeout=120)
    processes = []
    for who in ("window", "terminal"):
        folder = tmp_path / who
        folder.mkdir()
        for n in range(6):
            write_gguf(folder / f"{who}-{n}.gguf", context=512 * (n + 1) + (who == "window"))
        processes.append(context.Process(target=_install_many, args=(app_home, str(folder), start)))
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [p.exitcode for p in processes] == [0, 0]
    listed = ModelRegistry(app_home.models_registry).list()
    assert len(listed) == 12
    assert sorted(m.name for m in listed) == sorted(
        f"{who}-{n}" for who in ("window", "terminal") for n in range(6)
    )
