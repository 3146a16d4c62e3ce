"""Each write of the app with its disk full (issue 19 point 1): it stops with one sentence
naming the disk, what was saved before is intact (JSON parses, integrity_check ok, nothing
half-written left in place), and once there is room the same action succeeds."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from assistant_builder.core.assistants.bundle import export_bundle
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.cancel import NEVER
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.errors import AppError, disk_of
from assistant_builder.core.services import Services
from assistant_builder.core.settings import load_settings, save_settings
from tests.faults.disk import fill, free
from tests.faults.served import prepare_home

Case = Callable[[Path], list[str]]  # the disk -> problems (empty: survived)


def _refused(disk: Path, action: Callable[[], object]) -> list[str]:
    """The action on a full disk must fail with one sentence naming the disk."""
    try:
        action()
    except AppError as exc:
        said = str(exc)
        if str(disk_of(disk)) not in said or said.count(". ") or "\n" in said:
            return [f"the message does not name the disk in one sentence: {said}"]
        return []
    return ["it did not notice the full disk"]


def settings_case(disk: Path) -> list[str]:
    services = Services.create()
    path = services.paths.settings_file
    save_settings(path, replace(load_settings(path), user_name="Ada"))
    fill(disk)
    problems = _refused(disk, lambda: save_settings(path, replace(load_settings(path),
                                                                  user_name="Grace")))  # fmt: skip
    if load_settings(path).user_name != "Ada":
        problems.append("the saved settings changed")
    free(disk)
    save_settings(path, replace(load_settings(path), user_name="Grace"))
    if load_settings(path).user_name != "Grace":
        problems.append("saving again after freeing space did not work")
    return problems


def assistant_case(disk: Path) -> list[str]:
    services = prepare_home()
    store = AssistantStore(services.paths.assistants_dir)
    cats = store.save(replace(store.get("cats"), system_prompt="Answer about cats."))
    fill(disk)
    longer = replace(cats, system_prompt="Answer about cats. " * 5000)
    problems = _refused(disk, lambda: store.save(longer))
    kept = AssistantStore(services.paths.assistants_dir).get("cats")
    if kept.system_prompt != cats.system_prompt:
        problems.append("the saved assistant changed")
    for path in services.paths.assistants_dir.glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))
    free(disk)
    store.save(longer)
    if store.get("cats").system_prompt != longer.system_prompt:
        problems.append("saving again after freeing space did not work")
    return problems


def conversation_case(disk: Path) -> list[str]:
    services = prepare_home()
    with ConversationStore(services.paths.conversations_db) as store:
        conversation = store.create("cats").id
        store.add_message(conversation, "user", "How long do cats sleep?")
        store.add_message(conversation, "assistant", "About fifteen hours.")
        before = [(m.role, m.content) for m in store.messages(conversation)]
        fill(disk)
        long = "Tell me everything about cats. " * 40_000
        problems = _refused(disk, lambda: store.add_message(conversation, "user", long))
    with ConversationStore(services.paths.conversations_db) as store:  # the next start
        if store.integrity_check() != "ok":
            problems.append("the database failed its integrity check")
        if [(m.role, m.content) for m in store.messages(conversation)] != before:
            problems.append("the saved conversation changed")
        free(disk)
        store.add_message(conversation, "user", long)
        if len(store.messages(conversation)) != 3:
            problems.append("sending again after freeing space did not work")
    return problems


def export_case(disk: Path) -> list[str]:
    services = prepare_home()
    cats = AssistantStore(services.paths.assistants_dir).get("cats")
    docs = disk / "docs"
    docs.mkdir()
    (docs / "cats.txt").write_bytes(os.urandom(256 << 10))  # does not compress
    cats = replace(cats, collections=())
    dest = disk / "out" / "cats.assistant"
    fill(disk)
    problems = _refused(disk, lambda: export_bundle(cats, dest, registry=services.models))
    left = [p.name for p in dest.parent.glob("*")] if dest.parent.exists() else []
    if left:
        problems.append(f"a half-written export was left: {left}")
    free(disk)
    export_bundle(cats, dest, registry=services.models)
    if not dest.is_file():
        problems.append("exporting again after freeing space did not work")
    return problems


def indexing_case(disk: Path) -> list[str]:
    """Another program fills the disk while a folder is embedded (after the first batch of
    passages is stored): indexing stops with the sentence, the passages stored before are
    readable, and indexing again once there is room adds the rest without storing any twice."""
    import pytest

    from assistant_builder.core.knowledge.collection import Collections
    from assistant_builder.core.knowledge.indexer import BATCH_CHUNKS, IndexReport, index_collection
    from assistant_builder.core.knowledge.manifest import Manifest
    from assistant_builder.core.knowledge.store import ChunkStore
    from tests.fakes import DeterministicEmbedder
    from tests.faults.disk import grow

    grow(disk, 64)
    docs = disk / "docs"
    docs.mkdir()
    paragraph = "Cats sleep for about fifteen hours a day, mostly in the afternoon. " * 4
    for n in range(40):  # about three batches of passages
        text = "\n\n".join(f"{paragraph} Note {n}, part {k}." for k in range(BATCH_CHUNKS // 12))
        (docs / f"note{n:02}.txt").write_text(text, encoding="utf-8")

    stored_first, stored = ChunkStore.replace_files, []

    def store_then_note(self: ChunkStore, *args: object, **kwargs: object) -> None:
        stored_first(self, *args, **kwargs)  # type: ignore[arg-type]
        stored.append(True)

    class FillsTheDisk(DeterministicEmbedder):
        """Another program takes the rest of the disk once the first batch is stored (and
        its files noted in the manifest), while the next batch is embedded."""

        def embed(self, texts, *, cancel=NEVER):  # type: ignore[no-untyped-def]
            if stored:
                fill(disk)
            return super().embed(texts, cancel=cancel)

    services = Services.create()
    collections = Collections(services.paths)
    collections.create("Notes", [docs])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ChunkStore, "replace_files", store_then_note)
        embedder = FillsTheDisk()
        problems = _refused(
            disk, lambda: list(index_collection(collections, "Notes", embedder=embedder))
        )
    config = collections.get("Notes")
    try:
        stored = ChunkStore(collections.store_uri(config)).count()
        Manifest.load(collections.manifest_file("Notes"))
    except Exception as exc:  # any failure to read is the finding
        return [*problems, f"what was stored before cannot be read: {exc}"]
    if stored < BATCH_CHUNKS:
        problems.append(f"the passages stored before the disk filled up are gone ({stored})")
    free(disk)
    events = list(index_collection(collections, "Notes", embedder=DeterministicEmbedder()))
    report = events[-1]
    assert isinstance(report, IndexReport)
    if len(report.indexed) + len(report.unchanged) != 40 or report.failed:
        problems.append(f"indexing again did not finish the folder: {report.to_json()}")
    if not report.unchanged:
        problems.append("indexing again started from the beginning")
    store = ChunkStore(collections.store_uri(config))
    ids = [row["id"] for row in store.rows(["id"])]
    if len(ids) != len(set(ids)):
        problems.append("some passages were stored twice")
    return problems


SMOLLM2 = Path.home() / ".cache/assistant-builder-tests/models/SmolLM2-135M-Instruct.Q4_1.gguf"


def download_case(disk: Path) -> list[str]:
    """The real SmolLM2 file (98 MB) from the fake hub. The disk has room when the download
    checks for it; then another program leaves it only 20 MB, so it fills up mid-download."""
    import huggingface_hub.constants as hf_constants
    import pytest

    from assistant_builder.core.models import download
    from assistant_builder.core.models.library import pull
    from tests.faults.disk import FILLER, grow
    from tests.models.fake_hub import FakeHub

    grow(disk, 256)
    services = Services.create()
    hub = FakeHub().start()
    problems: list[str] = []
    checked = download._check_space
    once: list[bool] = []

    def check_then_fill(*args: object) -> None:
        checked(*args)  # type: ignore[arg-type]
        if not once:
            once.append(True)
            fill(disk)
            filler = disk / FILLER
            os.truncate(filler, max(0, filler.stat().st_size - (20 << 20)))

    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("HF_ENDPOINT", hub.url)
            patch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
            patch.setenv("HF_HOME", str(disk / "hf-home"))
            patch.setattr(hf_constants, "HF_TOKEN_PATH", str(disk / "hf-home" / "token"))
            patch.setattr(download, "_check_space", check_then_fill)
            hub.add_file("tester/Smol-GGUF", SMOLLM2.name, SMOLLM2)
            ref = f"tester/Smol-GGUF:{SMOLLM2.name}"
            problems += _refused(disk, lambda: pull(services.paths, ref))
            if services.models.list():
                problems.append("a partial download was listed as installed")
            free(disk)
            model = pull(services.paths, ref)
            if [m.id for m in services.models.list()] != [model.id]:
                problems.append("the download did not finish once there was room")
            elif not any(seen.range for seen in hub.gets(SMOLLM2.name)):
                problems.append("the second download started again from the beginning")
    finally:
        hub.stop()
    return problems


CASES: dict[str, Case] = {
    "download": download_case,
    "settings": settings_case,
    "assistant": assistant_case,
    "conversation": conversation_case,
    "bundle export": export_case,
    "indexing": indexing_case,
}
