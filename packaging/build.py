"""`make package`: the desktop build as dist/assistant-builder-<version>-<os>-<arch>.tar.xz.

Runs PyInstaller on packaging/assistant-builder.spec, puts the desktop entry, icons, AppStream
metadata and the desktop-entry installer beside the launcher, packs the folder, and prints its
sizes and cold start against the targets of SPEC.md §5."""

from __future__ import annotations

import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant_builder import __version__  # noqa: E402

APP_ID = "org.assistantbuilder.AssistantBuilder"
MAX_COMPRESSED = 700e6
MAX_STARTUP_S = 1.5
WORK = ROOT / "build" / "package"
DIST = ROOT / "dist"


def archive_name() -> str:
    system = {"darwin": "macos", "win32": "windows"}.get(sys.platform, sys.platform)
    return f"assistant-builder-{__version__}-{system}-{platform.machine().lower()}"


def tree_size(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def run_pyinstaller() -> Path:
    subprocess.run(
        [
            sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
            "--distpath", str(WORK / "dist"), "--workpath", str(WORK / "work"),
            str(ROOT / "packaging" / "assistant-builder.spec"),
        ],
        check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    return WORK / "dist" / "assistant-builder"


def add_desktop_files(folder: Path) -> None:
    """The files a desktop (or a .deb) needs, beside the launcher, under share/ as installed."""
    share = folder / "share"
    apps = share / "applications"
    apps.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "packaging" / f"{APP_ID}.desktop", apps)
    (share / "metainfo").mkdir(exist_ok=True)
    shutil.copy2(ROOT / "packaging" / f"{APP_ID}.metainfo.xml", share / "metainfo")
    icons = share / "icons" / "hicolor"
    for png in sorted((ROOT / "packaging" / "icons").glob("app-*.png")):
        size = png.stem.removeprefix("app-")
        target = icons / f"{size}x{size}" / "apps"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(png, target / f"{APP_ID}.png")
    scalable = icons / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    master = ROOT / "assistant_builder" / "resources" / "icons" / "app.svg"
    shutil.copy2(master, scalable / f"{APP_ID}.svg")
    installer = folder / "install-desktop-entry.sh"
    shutil.copy2(ROOT / "packaging" / "install-desktop-entry.sh", installer)
    installer.chmod(0o755)


def pack(folder: Path, archive: Path) -> None:
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(archive.name + ".partial")
    with partial.open("wb") as out:
        tar = subprocess.Popen(
            ["tar", "-C", str(folder.parent), "-cf", "-", folder.name], stdout=subprocess.PIPE
        )
        # Level 1: on 2 cores level 6 took over 20 minutes for a slightly smaller archive.
        subprocess.run(["xz", "-T0", "-1"], stdin=tar.stdout, stdout=out, check=True)
        if tar.wait() != 0:
            raise SystemExit("tar failed")
    os.replace(partial, archive)


def startup_seconds(launcher: Path, runs: int = 3) -> tuple[float, float]:
    """Median seconds from starting the launcher to its painted window (bench/startup.py),
    and the CPU seconds each start used (which a busy machine does not stretch)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from startup import one_run  # type: ignore[import-not-found]

    with tempfile.TemporaryDirectory() as home:
        one_run(home, [str(launcher)])  # warm the file cache, as any second launch is
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        median = statistics.median(one_run(home, [str(launcher)]) for _ in range(runs))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / runs
    return median, cpu


def main() -> int:
    started = time.perf_counter()
    built = run_pyinstaller()
    built_s = time.perf_counter() - started
    name = archive_name()
    stage = WORK / "stage"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    folder = stage / name
    shutil.copytree(built, folder, symlinks=True)
    add_desktop_files(folder)
    archive = DIST / f"{name}.tar.xz"
    pack_started = time.perf_counter()
    pack(folder, archive)
    pack_s = time.perf_counter() - pack_started
    startup, startup_cpu = startup_seconds(folder / "assistant-builder")
    compressed, unpacked = archive.stat().st_size, tree_size(folder)

    def verdict(ok: bool) -> str:
        return "within target" if ok else "OVER TARGET"

    print(f"\n{archive.relative_to(ROOT)}")
    print(
        f"  compressed {compressed / 1e6:.0f} MB (target <= {MAX_COMPRESSED / 1e6:.0f} MB, "
        f"{verdict(compressed <= MAX_COMPRESSED)}); unpacked {unpacked / 1e6:.0f} MB"
    )
    print(
        f"  window shown {startup:.2f} s after start, median of 3 warm runs "
        f"(target <= {MAX_STARTUP_S} s, {verdict(startup <= MAX_STARTUP_S)}); "
        f"{startup_cpu:.2f} s of CPU per start"
    )
    print(
        f"  PyInstaller {built_s:.0f} s, packing {pack_s:.0f} s, "
        f"make package {time.perf_counter() - started:.0f} s in all"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
