"""Check questions as an assistant keeps them: which passages count as the expected document,
how --expect is read, and a malformed list refused in the assistant's file and on import."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from assistant_builder.core.assistants.bundle import export_bundle
from assistant_builder.core.assistants.bundle_import import import_bundle
from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.checks import CheckQuestion, parse_expect
from assistant_builder.core.errors import AssistantError, BundleError
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.paths import Paths
from tests.assistants.test_bundle import good_manifest, saved_assistant, with_manifest, zip_with


def test_a_file_name_matches_that_file_in_any_folder_and_a_page_only_that_page() -> None:
    check = CheckQuestion("When is rent due?", "lease.pdf", page=2)
    assert check.matches("/home/ada/Lease/lease.pdf", 2)
    assert not check.matches("/home/ada/Lease/lease.pdf", 3)
    assert not check.matches("/home/ada/Lease/old-lease.pdf", 2)
    anywhere = CheckQuestion("Pets?", "sub/notes.md")
    assert anywhere.matches("/data/imported/sub/notes.md", None)
    assert not anywhere.matches("/data/imported/other/notes.md", None)


def test_must_contain_words_are_found_whatever_their_case() -> None:
    check = CheckQuestion("Rent?", "lease.pdf", must_contain=("First Day", "month"))
    assert check.contained_in("It is due on the first day of the MONTH.")
    assert not check.contained_in("It is due on the first day.")


def test_expect_reads_a_file_and_an_optional_page() -> None:
    assert parse_expect("lease.pdf#page=3") == ("lease.pdf", 3)
    assert parse_expect("notes/my file.md") == ("notes/my file.md", None)
    with pytest.raises(AssistantError, match="names no document"):
        parse_expect("#page=2")


def test_checks_are_kept_in_the_assistant_file_and_read_back(app_home: Paths) -> None:
    store = AssistantStore(app_home.assistants_dir)
    assistant = saved_assistant(app_home)
    check = CheckQuestion("When is rent due?", "lease.txt", None, ("first",))
    store.save(replace(assistant, checks=(check,)))
    raw = json.loads(store.path_of(assistant.id).read_text(encoding="utf-8"))
    assert raw["checks"] == [
        {
            "question": "When is rent due?",
            "file": "lease.txt",
            "page": None,
            "must_contain": ["first"],
        }
    ]
    assert store.get(assistant.id).checks == (check,)


@pytest.mark.parametrize(
    ("checks", "expected"),
    [
        ("When is rent due?", "wrong value"),
        ([{"question": "When is rent due?"}], "missing a field"),
        ([{"question": "When is rent due?", "file": ""}], "check question 1 names no document"),
        ([{"question": " ", "file": "lease.txt"}], "check question 1 has no question"),
        ([{"question": "Rent?", "file": "lease.txt", "page": 0}], "page below 1"),
        ([{"question": "Rent?", "file": "lease.txt", "page": "2"}], "wrong value"),
        ([{"question": "Rent?", "file": "lease.txt", "must_contain": "rent"}], "wrong value"),
    ],
)
def test_a_malformed_checks_list_is_refused_on_import_and_nothing_is_added(
    checks: object, expected: str, app_home: Paths, tmp_path: Path
) -> None:
    manifest = good_manifest(app_home)
    bad = {**manifest, "assistant": {**manifest["assistant"], "checks": checks}}
    path = zip_with(tmp_path / "bad.assistant", with_manifest(bad))
    store = AssistantStore(app_home.assistants_dir)
    with pytest.raises(BundleError, match=expected):
        import_bundle(
            path, store=store, registry=ModelRegistry(app_home.models_registry),
            documents_dir=app_home.imported_documents_dir,
        )  # fmt: skip
    assert [a.name for a in store.list()] == ["Lease Helper"]
    with pytest.raises(AssistantError, match=expected):
        Assistant.from_dict({**bad["assistant"], "id": "lease"})


def test_check_questions_travel_inside_the_assistant_file(app_home: Paths, tmp_path: Path) -> None:
    store = AssistantStore(app_home.assistants_dir)
    assistant = saved_assistant(app_home)
    checks = (CheckQuestion("When is rent due?", "lease.txt", 1, ("first", "month")),)
    store.save(replace(assistant, checks=checks))
    registry = ModelRegistry(app_home.models_registry)
    shared = tmp_path / "lease.assistant"
    export_bundle(store.get(assistant.id), shared, registry=registry)
    result = import_bundle(
        shared, store=store, registry=registry, documents_dir=app_home.imported_documents_dir
    )
    assert result.assistant.name == "Lease Helper (2)"
    assert store.get(result.assistant.id).checks == checks
