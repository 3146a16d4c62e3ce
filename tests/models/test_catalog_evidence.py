"""Every catalog entry against the facts read from the hub and model cards (tests/data)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from assistant_builder.core.errors import DownloadError, ModelError
from assistant_builder.core.models import catalog
from assistant_builder.core.models.catalog import (
    IMAGES_NOTE,
    WITH_IMAGES,
    CatalogEntry,
    find_entry,
    load_catalog,
)
from assistant_builder.core.models.library import pull, remove, resolve_hub_file
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.paths import Paths
from tests.models.conftest import MakeGguf
from tests.models.fake_hub import FakeHub

EVIDENCE = json.loads(
    (Path(__file__).parent.parent / "data" / "catalog_evidence.json").read_text(encoding="utf-8")
)["entries"]
CATALOG = load_catalog()


def _shown_bytes(shown: str) -> float | None:
    m = re.fullmatch(r"~?([\d.]+) (MB|GB)", shown)
    return float(m.group(1)) * (1e6 if m.group(2) == "MB" else 1e9) if m else None


def test_every_entry_has_evidence_and_the_catalog_is_current() -> None:
    assert {e.id for e in CATALOG} == set(EVIDENCE)
    new = [e for e in CATALOG if EVIDENCE[e.id].get("year", 0) >= 2025]
    assert len(new) >= 8
    sizes = sorted(e.parameters for e in new)
    assert sizes[0] < 1e9 and 7.5e9 <= sizes[-1] <= 9e9
    assert len({e.family for e in new}) >= 6


@pytest.mark.parametrize("entry", CATALOG, ids=lambda e: e.id)
def test_entry_matches_the_evidence(entry: CatalogEntry) -> None:
    facts = EVIDENCE[entry.id]
    assert entry.repo == facts["repo"]
    for key in ("license", "context_length", "parameters"):
        if key in facts:
            assert getattr(entry, key) == facts[key], key
    for key, value in facts.get("shape", {}).items():
        assert entry.shape.get(key) == value, key
    wrong = {(w["repo"], w["filename"]) for w in facts.get("wrong", [])}
    for item in entry.files:
        seen = facts["files"].get(item.filename)
        assert seen is not None, f"{item.filename} is not in the evidence"
        repo = entry.repo_of(item)
        assert repo == seen.get("repo", facts["repo"]) and (repo, item.filename) not in wrong
        # A size or checksum is only valid with the revision it was read at.
        if item.sha256 or item.size:
            assert re.fullmatch(r"[0-9a-f]{40}", item.revision), item.filename
        if item.revision:
            assert item.revision in seen.get("revisions", []), item.filename
        if item.sha256 and item.source == "hub":
            assert item.sha256 == seen["sha256"]
        if item.size and item.source == "hub":
            assert item.size == seen["bytes"]
        shown = _shown_bytes(seen["shown"])
        if shown:  # the estimate before download is near what the hub page shows
            assert 0.7 < entry.estimated_size(item) / shown < 1.4, item.filename


def test_a_pinned_file_is_asked_for_at_its_revision_and_must_match(fake_hub: FakeHub) -> None:
    entry, _ = find_entry("qwen3-4b-instruct-2507")
    pinned = entry.file()
    fake_hub.add_file(entry.repo, pinned.filename, b"GGUF re-uploaded by the publisher")
    with pytest.raises(DownloadError, match="not the one the catalog lists"):
        resolve_hub_file("qwen3-4b-instruct-2507")
    assert any(
        r.path == f"/api/models/{entry.repo}/revision/{pinned.revision}" for r in fake_hub.requests
    )
    # The wrong SmolLM2 Q4_1 pair is gone: that file is QuantFactory's.
    q41 = find_entry("smollm2-135m-instruct")[0].file("Q4_1")
    assert find_entry("smollm2-135m-instruct")[0].repo_of(q41).startswith("QuantFactory/")


def test_an_image_capable_model_says_so_and_brings_its_reader_when_asked(
    app_home: Paths, fake_hub: FakeHub, make_gguf: MakeGguf, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry, _ = find_entry("qwen3.5-4b")
    assert entry.reads_images and entry.mmproj is not None
    assert entry.mmproj.filename == EVIDENCE["qwen3.5-4b"]["mmproj"]
    assert "later version" in IMAGES_NOTE and "read images" in IMAGES_NOTE
    assert not find_entry("qwen3-4b-instruct-2507")[0].reads_images
    # The shipped sha256 pins the real file; this hub serves a stand-in, so it is unpinned here.
    unpinned = [
        replace(e, files=tuple(replace(f, sha256="", size=None, revision="") for f in e.files))
        for e in CATALOG
    ]
    monkeypatch.setattr(catalog, "load_catalog", lambda text=None: unpinned)
    model_file = entry.file()
    fake_hub.add_file(entry.repo, model_file.filename, make_gguf(model_file.filename).read_bytes())
    fake_hub.add_file(entry.repo, entry.mmproj.filename, b"GGUF image reader")
    plain = pull(app_home, "qwen3.5-4b")
    assert "mmproj" not in plain.meta and not fake_hub.gets(entry.mmproj.filename)
    model = pull(app_home, "qwen3.5-4b" + WITH_IMAGES)  # installed already: only the reader
    reader = Path(model.meta["mmproj"]["path"])
    assert reader.read_bytes() == b"GGUF image reader" and reader.parent == app_home.models_dir
    assert ModelRegistry(app_home.models_registry).get(model.id).meta["mmproj"]["path"] == str(
        reader
    )
    remove(app_home, model.id)
    assert not reader.exists() and not model.file.exists()
    with pytest.raises(ModelError, match="cannot read images"):
        pull(app_home, "qwen3-4b-instruct-2507" + WITH_IMAGES)
