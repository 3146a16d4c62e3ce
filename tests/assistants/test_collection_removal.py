"""Removing a collection that assistants read, as core does it for the Library page and the
command line; and an assistant whose collection is gone saying so when asked."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from assistant_builder.cli.common import sentence
from assistant_builder.core.assistants.collection_removal import (
    readers,
    removal_question,
    remove_collection,
    removed_sentence,
)
from assistant_builder.core.assistants.model import Assistant, CollectionRef, ModelRef
from assistant_builder.core.assistants.retrieval import knowledge_retriever
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.errors import CollectionMissing, KnowledgeError, NotIndexed
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.paths import Paths
from tests.test_cli import run_cli


def _assistant(store: AssistantStore, name: str, *collections: str) -> Assistant:
    return store.create(
        Assistant(id="", name=name, model=ModelRef(id="smol"), system_prompt=f"You are {name}.",
                  collections=tuple(CollectionRef(c, top_k=3, mode="keyword") for c in collections),
                  only_from_documents=True)
    )  # fmt: skip


@pytest.fixture
def home(app_home: Paths, tmp_path: Path) -> tuple[Collections, AssistantStore]:
    collections = Collections(app_home.ensure())
    for name in ("Manuals", "Recipes book"):
        collections.create(name, [tmp_path])
    store = AssistantStore(app_home.assistants_dir)
    _assistant(store, "Helpdesk", "Manuals", "Recipes book")
    _assistant(store, "Recipes", "Manuals")
    _assistant(store, "Gardener", "Recipes book")
    return collections, store


def test_the_question_names_the_assistants_and_removing_takes_it_out_of_each(
    home: tuple[Collections, AssistantStore],
) -> None:
    collections, store = home
    before = {a.name: a for a in store.list()}
    question = removal_question("Manuals", readers(store, "Manuals"))
    assert question.startswith(
        "“Manuals” is used by Helpdesk and Recipes; removing it also removes it from them. "
    )
    assert "nothing in your folders is ever deleted" in question
    assert not removal_question("Other", []).startswith("“Other” is used")

    removed = remove_collection(store, "Manuals", remove=collections.remove)
    assert removed.changed == ("Helpdesk", "Recipes") and not removed.unchanged
    assert collections.names() == ["Recipes book"]
    assert removed_sentence(removed) == (
        "Removed the collection “Manuals” (your files were not touched); "
        "Helpdesk and Recipes no longer read it."
    )
    after = {a.name: a for a in store.list()}
    assert [c.name for c in after["Helpdesk"].collections] == ["Recipes book"]
    assert after["Recipes"].collections == ()
    assert after["Gardener"] == before["Gardener"]  # an assistant not reading it is untouched
    for name in ("Helpdesk", "Recipes"):  # nothing else of the assistant changed
        old, new = before[name].to_dict(), after[name].to_dict()
        for changed in ("collections", "updated_at"):
            old.pop(changed), new.pop(changed)
        assert old == new


def test_a_removal_that_fails_leaves_every_assistant_reading_the_collection(
    home: tuple[Collections, AssistantStore],
) -> None:
    _, store = home

    def refuse(name: str) -> None:
        raise KnowledgeError("The collection could not be removed; close other programs.")

    with pytest.raises(KnowledgeError):
        remove_collection(store, "Manuals", remove=refuse)
    assert [a.name for a in readers(store, "Manuals")] == ["Helpdesk", "Recipes"]


def test_an_assistant_whose_collection_is_gone_says_so_by_name(
    home: tuple[Collections, AssistantStore], app_home: Paths
) -> None:
    collections, store = home
    collections.remove("Manuals")  # removed elsewhere: the assistants still name it
    retrieve = knowledge_retriever(app_home)
    with pytest.raises(CollectionMissing) as info:
        retrieve(store.get("Recipes"), "How do I reset the boiler?")
    assert str(info.value) == (
        "“Recipes” reads the collection “Manuals”, which no longer exists; edit the "
        "assistant's documents, or create the collection again."
    )
    assert info.value.collection == "Manuals"


def test_typed_errors_cross_process_pipes_and_the_command_line_adds_the_command() -> None:
    for error in (NotIndexed("Manuals"), CollectionMissing("Helpdesk", "Manuals")):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and str(again) == str(error)
        assert again.command == error.command
    assert str(NotIndexed("Manuals")) == (
        "The collection “Manuals” has nothing indexed yet; index it first."
    )
    assert sentence(NotIndexed("Manuals")) == (
        "The collection “Manuals” has nothing indexed yet; index it first "
        "(run “assistant-builder collections index Manuals”)."
    )
    assert sentence(CollectionMissing("A", "B")) == str(CollectionMissing("A", "B"))


def test_collections_remove_prints_which_assistants_were_changed(
    home: tuple[Collections, AssistantStore],
) -> None:
    _, store = home
    done = run_cli("collections", "remove", "Recipes book")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "Removed the collection “Recipes book” (your files were not touched); "
        "Gardener and Helpdesk no longer read it."  # by name
    )
    as_json = run_cli("collections", "remove", "Manuals", "--json")
    assert json.loads(as_json.stdout) == {
        "removed": "Manuals", "assistants_changed": ["Helpdesk", "Recipes"],
        "assistants_unchanged": [],
    }  # fmt: skip
    assert all(a.collections == () for a in store.list())
    gone = run_cli("collections", "show", "Manuals")
    assert gone.returncode == 1 and gone.stderr.strip() == (
        "There is no collection named “Manuals”; check its name among your collections "
        "(run “assistant-builder collections list”)."
    )
