"""Assistants as a person keeps them: one readable file each, migrated, never clobbered."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from assistant_builder.core.assistants.model import (
    SCHEMA_VERSION,
    Assistant,
    CollectionRef,
    Example,
    ModelRef,
)
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.assistants.variables import fill, standard_values, unknown_variables
from assistant_builder.core.engine.sampling import SamplingOptions
from assistant_builder.core.errors import AssistantError
from assistant_builder.core.paths import Paths


def make(name: str = "Tax Helper", **changes: object) -> Assistant:
    fields: dict[str, object] = {
        "id": "",
        "name": name,
        "model": ModelRef(id="smol", repo="HuggingFaceTB/x", filename="x.gguf", sha256="ab" * 32),
        "system_prompt": "You are {assistant_name}. Today is {date}.",
        "examples": (Example("Hi", "Hello!"),),
        "collections": (CollectionRef("taxes", top_k=3, mode="vector", min_score=0.4),),
        "only_from_documents": True,
    }
    fields.update(changes)
    return Assistant(**fields)  # type: ignore[arg-type]


def test_an_assistant_is_one_readable_versioned_file_that_round_trips(app_home: Paths) -> None:
    store = AssistantStore(app_home.assistants_dir)
    saved = store.create(make())
    files = list(app_home.assistants_dir.iterdir())
    assert [f.name for f in files] == ["tax-helper.json"]
    text = files[0].read_text(encoding="utf-8")
    assert text.startswith("{\n")  # indented for a person to read
    raw = json.loads(text)
    assert raw["schema_version"] == SCHEMA_VERSION
    assert raw["collections"] == [{"name": "taxes", "top_k": 3, "mode": "vector", "min_score": 0.4}]
    assert store.get("Tax Helper") == saved == store.get("tax-helper")
    assert saved.created_at > 0 and saved.examples == (Example("Hi", "Hello!"),)


def test_a_taken_name_is_refused_and_remove_deletes_the_file(app_home: Paths) -> None:
    store = AssistantStore(app_home.assistants_dir)
    store.create(make())
    with pytest.raises(AssistantError, match="already exists"):
        store.create(make("tax helper"))
    store.remove("Tax Helper")
    assert store.list() == []
    with pytest.raises(AssistantError, match="No assistant is called"):
        store.get("Tax Helper")


def test_an_unversioned_file_is_migrated_on_load(app_home: Paths) -> None:
    folder = app_home.assistants_dir
    folder.mkdir(parents=True)
    (folder / "old.json").write_text(
        json.dumps(
            {
                "id": "old",
                "name": "Old One",
                "model": "smol",
                "instructions": "Be brief.",
                "collections": ["notes"],
            }
        )
    )
    old = AssistantStore(folder).get("old")
    assert old.model == ModelRef(id="smol")
    assert old.system_prompt == "Be brief."
    assert old.collections == (CollectionRef("notes"),)


def test_damaged_or_future_files_are_reported_not_fatal(app_home: Paths) -> None:
    store = AssistantStore(app_home.assistants_dir)
    store.create(make())
    (app_home.assistants_dir / "broken.json").write_text("{not json")
    future = make("Future").to_dict() | {"schema_version": SCHEMA_VERSION + 1, "id": "future"}
    (app_home.assistants_dir / "future.json").write_text(json.dumps(future))
    bad_value = make("Hot").to_dict() | {"id": "hot", "sampling": {"temperature": "very"}}
    (app_home.assistants_dir / "hot.json").write_text(json.dumps(bad_value))
    good, bad = store.scan()
    assert [a.name for a in good] == ["Tax Helper"]
    reasons = {p.path.name: p.reason for p in bad}
    assert "could not be read" in reasons["broken.json"]
    assert "newer version" in reasons["future.json"]
    assert "temperature is “very”, but it must be between 0 and 2" in reasons["hot.json"]
    assert all(r.count(".") >= 1 and "\n" not in r for r in reasons.values())


def test_values_a_model_runner_would_choke_on_are_refused(app_home: Paths) -> None:
    store = AssistantStore(app_home.assistants_dir)
    with pytest.raises(AssistantError, match="temperature"):
        store.create(make(sampling=SamplingOptions(temperature=-1)))
    with pytest.raises(AssistantError, match="memory for the conversation"):
        store.create(make(context_size=10))
    assert not app_home.assistants_dir.exists() or not list(app_home.assistants_dir.iterdir())


def test_unique_name_counts_up_without_touching_the_original(app_home: Paths) -> None:
    store = AssistantStore(app_home.assistants_dir)
    store.create(make())
    assert store.unique_name("Tax Helper") == "Tax Helper (2)"
    store.create(make("Tax Helper (2)"))
    assert store.unique_name("Tax Helper") == "Tax Helper (3)"
    assert store.unique_name("Tax Helper (2)") == "Tax Helper (3)"
    assert store.unique_name("New") == "New"


def test_variables_are_filled_and_unknown_braces_left_alone() -> None:
    values = standard_values(
        now=datetime(2026, 11, 22, 14, 5), user_name="Ada", assistant_name="Tax Helper"
    )
    template = (
        "I am {assistant_name}, helping {user_name} on {weekday} {date} at {time}. "
        'Reply as JSON {"a": 1} or {unknown} or {} or {{date}} or { date } or {'
    )
    out = fill(template, values)
    assert out.startswith("I am Tax Helper, helping Ada on Sunday 22 November 2026 at 14:05.")
    assert out.endswith(
        'Reply as JSON {"a": 1} or {unknown} or {} or {22 November 2026} or { date } or {'
    )
    assert unknown_variables(template, values) == ["unknown"]
    assert (
        standard_values(now=datetime(2026, 1, 2), user_name="", assistant_name="X")["user_name"]
        == "the user"
    )


def test_store_ignores_non_assistant_files(app_home: Paths, tmp_path: Path) -> None:
    store = AssistantStore(app_home.assistants_dir)
    store.create(make())
    (app_home.assistants_dir / ".tax-helper.json.123.tmp").write_text("half")
    (app_home.assistants_dir / "notes.txt").write_text("hello")
    assert [a.name for a in store.list()] == ["Tax Helper"]


def test_saving_changes_keeps_the_file_and_refuses_a_taken_name(app_home: Paths) -> None:
    from dataclasses import replace

    store = AssistantStore(app_home.assistants_dir)
    first = store.create(make())
    other = store.create(make("Other"))
    edited = store.save(replace(first, description="Now with examples", context_size=8192))
    assert edited.updated_at >= first.updated_at and edited.created_at == first.created_at
    assert store.get("Tax Helper").description == "Now with examples"
    assert store.get("Tax Helper").context_size == 8192
    with pytest.raises(AssistantError, match="already exists"):
        store.save(replace(other, name="tax helper"))
    assert store.get("other").name == "Other"
    store.remove("Other")
    with pytest.raises(AssistantError, match="no longer exists"):
        store.save(other)


def test_a_file_from_before_stop_texts_loads_with_its_settings(app_home: Paths) -> None:
    old = make("Old").to_dict() | {"id": "old"}
    old["sampling"] = {"temperature": 1, "top_p": 0.9, "top_k": 30.0, "min_p": 0.05,
                       "repeat_penalty": 1.1, "seed": 4, "max_tokens": 256}  # fmt: skip
    app_home.assistants_dir.mkdir(parents=True)
    (app_home.assistants_dir / "old.json").write_text(json.dumps(old))
    s = AssistantStore(app_home.assistants_dir).get("old").sampling
    assert s == SamplingOptions(temperature=1.0, top_p=0.9, top_k=30, seed=4, max_tokens=256)
    assert s.stop == () and isinstance(s.top_k, int) and isinstance(s.temperature, float)
