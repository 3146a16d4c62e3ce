from __future__ import annotations

from pathlib import Path

import pytest

from assistant_builder.core.errors import ModelError
from assistant_builder.core.models.registry import InstalledModel, ModelRegistry
from assistant_builder.core.paths import Paths


def _model(folder: Path, name: str, **kw: object) -> InstalledModel:
    path = folder / f"{name}.gguf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"GGUF" + b"\0" * 60)
    return InstalledModel(
        id=name, name=name.title(), path=str(path), sha256="0" * 64, size=64, **kw
    )  # type: ignore[arg-type]


def test_add_get_list_remove(app_home: Paths) -> None:
    registry = ModelRegistry(app_home.models_registry)
    assert registry.list() == []
    a = registry.add(_model(app_home.models_dir, "alpha"))
    registry.add(_model(app_home.models_dir, "beta", kind="adapter"))
    assert a.added_at > 0
    assert [m.id for m in registry.list()] == ["alpha", "beta"]
    assert [m.id for m in registry.list(kind="model")] == ["alpha"]
    assert registry.get("Alpha").id == "alpha"
    registry.remove("alpha")
    assert [m.id for m in ModelRegistry(app_home.models_registry).list()] == ["beta"]


def test_a_model_whose_file_disappeared_is_not_listed(app_home: Paths) -> None:
    registry = ModelRegistry(app_home.models_registry)
    model = registry.add(_model(app_home.models_dir, "gone"))
    model.file.unlink()
    assert registry.list() == []
    with pytest.raises(ModelError, match="No installed model"):
        registry.get("gone")


def test_a_missing_file_cannot_be_registered(app_home: Paths) -> None:
    registry = ModelRegistry(app_home.models_registry)
    ghost = InstalledModel(
        id="x", name="x", path=str(app_home.models_dir / "x.gguf"), sha256="", size=0
    )
    with pytest.raises(ModelError, match="missing"):
        registry.add(ghost)
    assert not app_home.models_registry.exists()


def test_unique_ids(app_home: Paths) -> None:
    registry = ModelRegistry(app_home.models_registry)
    registry.add(_model(app_home.models_dir, "qwen-7b"))
    assert registry.unique_id("Qwen 7B") == "qwen-7b-2"


def test_a_damaged_registry_is_a_plain_error(app_home: Paths) -> None:
    app_home.models_registry.parent.mkdir(parents=True)
    app_home.models_registry.write_text("[[[")
    with pytest.raises(ModelError, match="damaged"):
        ModelRegistry(app_home.models_registry).list()
