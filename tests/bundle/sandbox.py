"""Where the desktop build is tried: a minimal Debian root (debootstrap --variant=minbase plus
the three graphics libraries of any desktop, cached once) entered with chroot in fresh mount,
pid and network namespaces, so nothing of this machine's Python, compilers or network is
there; or, where that cannot be had (not root, no debootstrap), this machine with an empty
environment, no PATH and an empty HOME."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

SUITE = "bookworm"
# The graphics libraries every desktop has and no app bundles (they belong to the GPU driver):
# the window's Qt libraries link to them even when drawing offscreen.
DESKTOP_LIBS = ("libgl1", "libegl1", "libxcb1")
MIRROR = os.environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian")

# Mounts /proc, /dev and a private /dev/shm (multiprocessing's semaphores) into the root, binds
# the given host folders at the same paths inside, and runs the command under chroot.
_ENTER = r"""
set -e
R="$1"; shift
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev"
mount -t tmpfs tmpfs "$R/dev/shm"
while [ "$1" != "--" ]; do mkdir -p "$R$1"; mount --bind "$1" "$R$1"; shift; done
shift
exec chroot "$R" "$@"
"""


def debian_root(cache: Path) -> Path | None:
    """The cached minimal Debian root, made on first use; None when it cannot be made here."""
    root = cache / f"debian-{SUITE}-minbase-gl"
    if (root / "usr" / "bin" / "sh").exists():
        return root
    if os.geteuid() != 0 or not shutil.which("debootstrap") or not shutil.which("unshare"):
        return None
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    done = subprocess.run(
        ["debootstrap", "--variant=minbase", f"--include={','.join(DESKTOP_LIBS)}",
         SUITE, str(partial), MIRROR],
        capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        return None
    partial.rename(root)
    return root


@dataclass
class Sandbox:
    """The unpacked app, and how to run it with nothing else installed."""

    app_dir: Path  # the unpacked folder, as the host sees it
    root: Path | None  # the Debian root, or None for the clean-environment fallback
    binds: list[Path] = field(default_factory=list)  # host folders seen at the same path inside
    home: str = "/home/user"

    @property
    def launcher(self) -> str:
        return self.inside(self.app_dir / "assistant-builder")

    def inside(self, host_path: Path) -> str:
        if self.root is None:
            return str(host_path)
        return "/" + str(host_path.relative_to(self.root))

    def host(self, inside_path: str) -> Path:
        if self.root is None:
            return Path(inside_path)
        return self.root / inside_path.lstrip("/")

    def command(self, argv: list[str], env: dict[str, str]) -> list[str]:
        # Outside a root, no PATH at all: nothing of this machine's Python, venv or compilers.
        path = "PATH=/usr/bin:/bin" if self.root is not None else "PATH="
        clean = ["/usr/bin/env", "-i", f"HOME={self.home}", "LANG=C.UTF-8", path]
        clean += [f"{k}={v}" for k, v in env.items()]
        if self.root is None:
            return [*clean, *argv]
        return [
            "unshare", "--mount", "--pid", "--net", "--fork", "--kill-child",
            "sh", "-c", _ENTER, "enter", str(self.root), *map(str, self.binds), "--",
            *clean, *argv,
        ]  # fmt: skip

    def run(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command([self.launcher, *args], env or {}),
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip

    def shell(
        self, script: str, env: dict[str, str] | None = None, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(["/bin/sh", "-c", script, "sh", self.launcher], env or {}),
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip


def unpack(archive: Path, dest: Path) -> Path:
    """The archive's one top folder, unpacked under ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-C", str(dest), "-xJf", str(archive)], check=True)
    with tarfile.open(archive) as tar:
        first = tar.next()
    assert first is not None, f"{archive} is empty"
    return dest / first.name.split("/")[0]


def make_sandbox(build: Path, cache: Path, scratch: Path) -> Sandbox:
    """A sandbox holding ``build``: the archive unpacked, or an unpacked folder as it is."""
    base = debian_root(cache)
    if base is None:
        home = scratch / "empty-home"
        home.mkdir()
        app = build if build.is_dir() else unpack(build, scratch / "opt")
        return Sandbox(app_dir=app, root=None, home=str(home))
    root = scratch / "root"
    subprocess.run(["cp", "-a", "--reflink=auto", str(base), str(root)], check=True)
    (root / "home" / "user").mkdir(parents=True, exist_ok=True)
    if build.is_dir():  # seen inside at the same path
        return Sandbox(app_dir=root / str(build).lstrip("/"), root=root, binds=[build])
    return Sandbox(app_dir=unpack(build, root / "opt"), root=root)
