"""``.assistant`` files: what travels (and what never does), and hostile files refused whole."""

from __future__ import annotations

import hashlib
import json
import random
import stat
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant_builder.core.assistants.bundle import (
    MANIFEST_VERSION,
    BundleProgress,
    export_bundle,
    manifest_for,
)
from assistant_builder.core.assistants.bundle_import import BundleLimits, import_bundle
from assistant_builder.core.assistants.model import (
    AdapterRef,
    Assistant,
    CollectionRef,
    Example,
    ModelRef,
)
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.engine.sampling import SamplingOptions
from assistant_builder.core.errors import BundleError
from assistant_builder.core.models.registry import InstalledModel, ModelRegistry
from assistant_builder.core.paths import Paths

GGUF = b"GGUF" + b"\x01" * 4000


def install_model(paths: Paths, model_id: str = "tiny", content: bytes = GGUF) -> InstalledModel:
    path = paths.models_dir / f"{model_id}.gguf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return ModelRegistry(paths.models_registry).add(
        InstalledModel(
            id=model_id,
            name=model_id.title(),
            path=str(path),
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            repo="example/tiny-GGUF",
            filename="tiny-q4.gguf",
        )
    )


def saved_assistant(paths: Paths) -> Assistant:
    install_model(paths)
    return AssistantStore(paths.assistants_dir).create(
        Assistant(
            id="",
            name="Lease Helper",
            model=ModelRef("tiny"),
            icon="🏠",
            description="Answers questions about my lease.",
            adapters=(AdapterRef("legal-lora", scale=0.5, filename="legal.gguf", sha256="c" * 64),),
            system_prompt="You are {assistant_name}.",
            examples=(Example("Hi", "Hello!"),),
            collections=(CollectionRef("lease", top_k=4, mode="keyword", min_score=0.3),),
            only_from_documents=True,
            refusal_text="Not in the lease.",
            sampling=SamplingOptions(temperature=1.5, seed=3, stop=("Question:", "\n\n")),
        )
    )


def documents(tmp_path: Path) -> Path:
    folder = tmp_path / "secret-home" / "Lease Papers"
    (folder / "sub").mkdir(parents=True)
    (folder / "lease.txt").write_text("Rent is due on the first day of the month.")
    (folder / "sub" / "notes.md").write_text("# Notes\nPets are allowed.")
    (folder / "link.txt").symlink_to("/etc/hostname")
    return folder


def all_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_export_carries_the_assistant_and_model_reference_but_no_local_paths(
    app_home: Paths, tmp_path: Path
) -> None:
    assistant = saved_assistant(app_home)
    folder = documents(tmp_path)
    dest = tmp_path / "out" / "lease.assistant"
    seen: list[BundleProgress] = []
    summary = export_bundle(
        assistant,
        dest,
        registry=ModelRegistry(app_home.models_registry),
        documents={"lease": [folder]},
        on_progress=seen.append,
    )
    assert summary.documents == 2
    assert seen == [BundleProgress(1, 2, "lease.txt"), BundleProgress(2, 2, "notes.md")]
    with zipfile.ZipFile(dest) as bundle:
        names = sorted(bundle.namelist())
        manifest = json.loads(bundle.read("manifest.json"))
        everything = b"".join(bundle.read(n) for n in names).decode("utf-8", "replace")
    assert names == [
        "documents/lease/lease-papers/lease.txt",
        "documents/lease/lease-papers/sub/notes.md",
        "manifest.json",
    ]  # the symlink stayed home
    assert manifest["manifest_version"] == MANIFEST_VERSION
    model = manifest["assistant"]["model"]
    assert model["repo"] == "example/tiny-GGUF" and model["filename"] == "tiny-q4.gguf"
    assert model["sha256"] == hashlib.sha256(GGUF).hexdigest()
    assert manifest["assistant"]["collections"][0] == {
        "name": "lease", "top_k": 4, "mode": "keyword", "min_score": 0.3
    }  # fmt: skip
    assert manifest["assistant"]["examples"] == [{"user": "Hi", "assistant": "Hello!"}]
    for private in (str(tmp_path), str(app_home.data_dir), "secret-home", "api_key"):
        assert private not in everything and private not in json.dumps(manifest)
    assert not [p for p in dest.parent.iterdir() if p.name != "lease.assistant"]  # no temp left


def test_import_round_trip_renames_on_a_clash_and_places_the_documents(
    app_home: Paths, tmp_path: Path
) -> None:
    store = AssistantStore(app_home.assistants_dir)
    registry = ModelRegistry(app_home.models_registry)
    original = saved_assistant(app_home)
    dest = tmp_path / "lease.assistant"
    export_bundle(original, dest, registry=registry, documents={"lease": [documents(tmp_path)]})
    seen: list[BundleProgress] = []
    result = import_bundle(
        dest,
        store=store,
        registry=registry,
        documents_dir=app_home.imported_documents_dir,
        on_progress=seen.append,
    )
    assert [(p.done, p.total) for p in seen] == [(1, 2), (2, 2)]
    assert result.assistant.name == "Lease Helper (2)" and result.renamed_from == "Lease Helper"
    assert store.get("Lease Helper") == original  # untouched
    again = store.get("Lease Helper (2)")
    assert again.system_prompt == original.system_prompt and again.examples == original.examples
    assert again.collections == original.collections and again.refusal_text == "Not in the lease."
    assert again.sampling == original.sampling  # its stop texts too
    assert again.model.id == "tiny" and result.model_installed
    assert result.missing_adapters == ("legal.gguf",)
    folder = result.documents["lease"]
    assert folder.is_relative_to(app_home.imported_documents_dir)
    assert (
        folder / "lease-papers" / "sub" / "notes.md"
    ).read_text() == "# Notes\nPets are allowed."
    third = import_bundle(
        dest, store=store, registry=registry, documents_dir=app_home.imported_documents_dir
    )
    assert third.assistant.name == "Lease Helper (3)"


def test_import_finds_the_model_by_checksum_whatever_it_is_called_here(
    app_home: Paths, tmp_path: Path
) -> None:
    dest = tmp_path / "lease.assistant"
    export_bundle(saved_assistant(app_home), dest, registry=ModelRegistry(app_home.models_registry))
    other = Paths.from_env({"ASSISTANT_BUILDER_HOME": str(tmp_path / "friend")})
    registry = ModelRegistry(other.models_registry)
    store = AssistantStore(other.assistants_dir)
    missing = import_bundle(
        dest, store=store, registry=registry, documents_dir=other.imported_documents_dir
    )
    assert not missing.model_installed
    assert missing.assistant.model.repo == "example/tiny-GGUF" and missing.documents == {}
    install_model(other, "my-own-name")
    found = import_bundle(
        dest, store=store, registry=registry, documents_dir=other.imported_documents_dir
    )
    assert found.model_installed and found.assistant.model.id == "my-own-name"


# Hostile bundles: each is refused with one sentence and leaves nothing behind.


def good_manifest(paths: Paths) -> dict:
    return manifest_for(saved_assistant(paths), ModelRegistry(paths.models_registry))


def zip_with(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for info, data in members:
            with warnings.catch_warnings():  # zipfile warns about the duplicate we mean to write
                warnings.simplefilter("ignore")
                bundle.writestr(info, data)
    return path


def with_manifest(manifest: dict, *extra: tuple[zipfile.ZipInfo | str, bytes]) -> list:
    return [("manifest.json", json.dumps(manifest).encode()), *extra]


def symlink(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def doc_entry(manifest: dict, path: str, data: bytes, digest: str | None = None) -> dict:
    entry = {"collection": "lease", "path": path, "size": len(data),
             "sha256": digest or hashlib.sha256(data).hexdigest()}  # fmt: skip
    return {**manifest, "documents": [entry]}


def sampled(manifest: dict, **settings: object) -> dict:
    assistant = manifest["assistant"]
    return {
        **manifest,
        "assistant": {**assistant, "sampling": {**assistant["sampling"], **settings}},
    }


NOISE = random.Random(7).randbytes(60_000)  # does not compress: sizes stay what they say
SMALL = BundleLimits(max_members=20, max_member_bytes=50_000, max_total_bytes=80_000,
                     max_manifest_bytes=20_000, max_ratio=50, ratio_floor_bytes=10_000)  # fmt: skip

HOSTILE: dict[str, tuple[Callable[[dict], list], str]] = {
    "dot-dot": (lambda m: with_manifest(m, ("../../evil.txt", b"x")), "outside its folder"),
    "dot-dot-inside": (
        lambda m: with_manifest(m, ("documents/../../evil", b"x")),
        "outside its folder",
    ),
    "absolute": (lambda m: with_manifest(m, ("/tmp/evil.txt", b"x")), "outside its folder"),
    "drive": (lambda m: with_manifest(m, ("C:/evil.txt", b"x")), "outside its folder"),
    "backslash": (lambda m: with_manifest(m, ("..\\evil.txt", b"x")), "outside its folder"),
    "symlink": (lambda m: with_manifest(m, symlink("documents/lease/x", "/etc/passwd")), "link"),
    "huge-member": (
        lambda m: with_manifest(m, ("documents/big.bin", bytes(range(256)) * 300)),
        "too large",
    ),
    "huge-total": (
        lambda m: with_manifest(m, *[(f"documents/{i}.bin", NOISE[:40_000]) for i in range(3)]),
        r"would take 12\d\.\d kB once unpacked, more than the 80.0 kB allowed",
    ),
    "too-many": (
        lambda m: with_manifest(m, *[(f"documents/{i}", b"") for i in range(25)]),
        "files, more",
    ),
    "zip-bomb": (lambda m: with_manifest(m, ("documents/zeros.txt", b"\0" * 45_000)), "zip bomb"),
    "duplicate": (
        lambda m: with_manifest(m, ("documents/a", b"1"), ("documents/a", b"2")),
        "twice",
    ),
    "bad-json": (
        lambda m: [("manifest.json", b'{"format": "assistant-builder.assistant",')],
        "damaged",
    ),
    "not-utf8": (lambda m: [("manifest.json", b"\xff\xfe{}")], "damaged"),
    "json-list": (lambda m: [("manifest.json", b"[1, 2]")], "not an assistant file"),
    "no-manifest": (lambda m: [("hello.txt", b"hi")], "no manifest"),
    "future": (
        lambda m: with_manifest({**m, "manifest_version": MANIFEST_VERSION + 1}),
        "newer version",
    ),
    "version-text": (lambda m: with_manifest({**m, "manifest_version": "1"}), "unreadable version"),
    "huge-manifest": (
        lambda m: with_manifest({**m, "padding": NOISE.hex()[:30_000]}),
        "oversized manifest",
    ),
    "bad-assistant": (
        lambda m: with_manifest({**m, "assistant": {**m["assistant"], "context_size": -5}}),
        "memory for the conversation",
    ),
    "temperature-3": (
        lambda m: with_manifest(sampled(m, temperature=3)),
        "cannot be used because its temperature is 3, but it must be between 0 and 2",
    ),
    "repeat-penalty": (
        lambda m: with_manifest(sampled(m, repeat_penalty=7.5)),
        "its repeat penalty is 7.5, but it must be between 0.5 and 2",
    ),
    "stop-not-text": (lambda m: with_manifest(sampled(m, stop=[1, 2])), "stop texts are not"),
    "no-assistant": (
        lambda m: with_manifest({**m, "assistant": "hello"}),
        "describes no assistant",
    ),
    "doc-not-listed-member": (
        lambda m: with_manifest(doc_entry(m, "documents/missing.txt", b"x")),
        "list of documents",
    ),
    "doc-outside-documents": (
        lambda m: with_manifest(doc_entry(m, "manifest.json", b"x")),
        "list of documents",
    ),
    "checksum": (
        lambda m: with_manifest(
            doc_entry(m, "documents/a.txt", b"real", "0" * 64), ("documents/a.txt", b"real")
        ),
        "checksum",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_bundle_is_refused_and_nothing_is_written(
    case: str, app_home: Paths, tmp_path: Path
) -> None:
    build, expected = HOSTILE[case]
    manifest = good_manifest(app_home)
    path = zip_with(tmp_path / f"{case}.assistant", build(manifest))
    store = AssistantStore(app_home.assistants_dir)
    before = all_files(app_home.data_dir)
    with pytest.raises(BundleError, match=expected) as caught:
        import_bundle(
            path,
            store=store,
            registry=ModelRegistry(app_home.models_registry),
            documents_dir=app_home.imported_documents_dir,
            limits=SMALL,
        )
    message = str(caught.value)
    assert "\n" not in message and message.endswith(".") and len(message) < 240
    assert all_files(app_home.data_dir) == before
    assert not (tmp_path.parent / "evil.txt").exists() and not Path("/tmp/evil.txt").exists()
    assert [a.name for a in store.list()] == ["Lease Helper"]


def test_a_file_that_is_not_a_zip_or_missing_is_refused(app_home: Paths, tmp_path: Path) -> None:
    fake = tmp_path / "fake.assistant"
    fake.write_text("hello")
    kwargs = {
        "store": AssistantStore(app_home.assistants_dir),
        "registry": ModelRegistry(app_home.models_registry),
        "documents_dir": app_home.imported_documents_dir,
    }
    with pytest.raises(BundleError, match="not an assistant file"):
        import_bundle(fake, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(BundleError, match="does not exist"):
        import_bundle(tmp_path / "nope.assistant", **kwargs)  # type: ignore[arg-type]
    assert not app_home.data_dir.exists() or all_files(app_home.data_dir) == set()


def test_a_damaged_document_found_while_unpacking_removes_everything_already_unpacked(
    app_home: Paths, tmp_path: Path
) -> None:
    # The first document is fine and gets unpacked; the second fails its checksum.
    manifest = good_manifest(app_home)
    good, bad = b"good text", b"tampered"
    entries = doc_entry(manifest, "documents/lease/a/1.txt", good)["documents"]
    entries += doc_entry(
        manifest, "documents/lease/a/2.txt", bad, hashlib.sha256(b"orig").hexdigest()
    )["documents"]
    path = zip_with(
        tmp_path / "half.assistant",
        with_manifest({**manifest, "documents": entries},
                      ("documents/lease/a/1.txt", good), ("documents/lease/a/2.txt", bad)),
    )  # fmt: skip
    before = all_files(app_home.data_dir)
    with pytest.raises(BundleError, match="checksum"):
        import_bundle(
            path,
            store=AssistantStore(app_home.assistants_dir),
            registry=ModelRegistry(app_home.models_registry),
            documents_dir=app_home.imported_documents_dir,
        )
    assert all_files(app_home.data_dir) == before
    leftovers = (
        list(app_home.imported_documents_dir.iterdir())
        if app_home.imported_documents_dir.exists()
        else []
    )
    assert leftovers == []


def test_a_cancelled_export_leaves_no_file_behind(app_home: Paths, tmp_path: Path) -> None:
    from assistant_builder.core.cancel import CancelToken
    from assistant_builder.core.errors import Cancelled

    assistant = saved_assistant(app_home)
    cancel = CancelToken()
    out = tmp_path / "out"
    with pytest.raises(Cancelled):
        export_bundle(
            assistant,
            out / "lease.assistant",
            registry=ModelRegistry(app_home.models_registry),
            documents={"lease": [documents(tmp_path)]},
            cancel=cancel,
            on_progress=lambda p: cancel.cancel(),
        )
    assert list(out.iterdir()) == []
    with pytest.raises(Exception, match="does not use a collection called “photos”"):
        export_bundle(
            assistant,
            out / "x.assistant",
            registry=ModelRegistry(app_home.models_registry),
            documents={"photos": [tmp_path]},
        )
    assert list(out.iterdir()) == []


def test_a_member_that_lies_about_its_size_cannot_unpack_more_than_it_declares(
    app_home: Paths, tmp_path: Path
) -> None:
    # The size checks read the zip's directory; a forged directory must not let more through.
    data = b"\0" * 200_000
    manifest = doc_entry(good_manifest(app_home), "documents/lease/a/big.txt", data)
    path = zip_with(
        tmp_path / "liar.assistant", with_manifest(manifest, ("documents/lease/a/big.txt", data))
    )
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("documents/lease/a/big.txt")
    central = raw.rfind(b"PK\x01\x02", 0, raw.rfind(b"PK\x05\x06"))
    while raw[central + 46 : central + 46 + len(info.filename)] != info.filename.encode():
        central = raw.rfind(b"PK\x01\x02", 0, central)
    raw[central + 24 : central + 28] = (100).to_bytes(4, "little")  # claims 100 bytes
    raw[info.header_offset + 22 : info.header_offset + 26] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    before = all_files(app_home.data_dir)
    with pytest.raises(BundleError, match=r"damaged \(documents/lease/a/big.txt\)"):
        import_bundle(
            path,
            store=AssistantStore(app_home.assistants_dir),
            registry=ModelRegistry(app_home.models_registry),
            documents_dir=app_home.imported_documents_dir,
        )
    assert all_files(app_home.data_dir) == before
