"""An assistant's passage choices ("Not relevant", "Always include"): kept in its file, checked
on load, and honoured by the one prompt path that both answers and the editor's preview use."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest

from assistant_builder.core.assistants.answering import answer, load_options
from assistant_builder.core.assistants.choices import PassageChoices, PassageRef
from assistant_builder.core.assistants.model import Assistant, CollectionRef, ModelRef
from assistant_builder.core.assistants.preview import PromptPreviewer
from assistant_builder.core.assistants.prompt import Passage, assemble
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.assistants.turn import Answer
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.engine.sampling import SamplingOptions
from assistant_builder.core.errors import AssistantError
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.paths import Paths

CATS = Passage(0, "/docs/cats.txt", None, 0, 40, "Cats sleep for about fifteen hours.", 0.9, "pets")
NAPS = Passage(0, "/docs/cats.txt", None, 41, 90, "Kittens nap even longer.", 0.7, "pets")
DOGS = Passage(0, "/docs/dogs.txt", 2, 0, 30, "Dogs need two walks a day.", 0.5, "pets")
FISH = PassageRef("/docs/fish.txt", 10, 60, page=3, text="Goldfish have no eyelids.")


def ref(p: Passage) -> PassageRef:
    return PassageRef(p.source, p.start, p.end, p.page, p.text, p.collection)


def helper(choices: PassageChoices | None = None, **changes: object) -> Assistant:
    base = Assistant(
        id="pets", name="Pet expert", model=ModelRef(id="smollm2"),
        sampling=SamplingOptions(temperature=0.0, seed=1, max_tokens=8), context_size=1024,
        collections=(CollectionRef("pets"),), passage_choices=choices or PassageChoices(),
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def test_an_older_assistant_file_loads_with_no_choices_and_choices_round_trip(
    app_home: Paths,
) -> None:
    old = {"schema_version": 1, "id": "a", "name": "A", "model": {"id": "smollm2"}}
    assert Assistant.from_dict(old).passage_choices == PassageChoices()
    with_choices = helper(PassageChoices().mark_file_not_relevant("/docs/dogs.txt"))
    assert Assistant.from_dict(with_choices.to_dict()) == with_choices  # not only through JSON
    store = AssistantStore(app_home.ensure().assistants_dir)
    choices = PassageChoices().mark_not_relevant(ref(CATS)).mark_file_not_relevant("/docs/dogs.txt")
    saved = store.create(helper(choices.include_always(FISH)))
    on_disk = json.loads(store.path_of(saved.id).read_text())
    # A person reading the file sees what they chose, in words.
    assert on_disk["passage_choices"]["not_relevant_files"] == ["/docs/dogs.txt"]
    assert on_disk["passage_choices"]["always_include"][0]["text"] == FISH.text
    assert store.get(saved.id).passage_choices == saved.passage_choices
    # Saved at once from a chat: only the choices change, not the rest of the file.
    store.save(replace(saved, description="Knows pets"))
    kept = store.save_choices(saved.id, PassageChoices())
    assert kept.passage_choices.empty and kept.description == "Knows pets"


def test_a_choice_without_a_passage_is_refused_in_plain_words() -> None:
    bad = helper().to_dict()
    bad["passage_choices"] = {"always_include": [{"source": "/a.txt", "start": 0, "end": 9}]}
    with pytest.raises(AssistantError, match="a passage it should always include has no text"):
        Assistant.from_dict(bad)
    bad["passage_choices"] = {"not_relevant": [{"source": "/a.txt", "start": 9, "end": 2}]}
    with pytest.raises(AssistantError, match="names no passage"):
        Assistant.from_dict(bad)


def test_each_choice_undoes_the_opposite_one_and_can_be_forgotten() -> None:
    choices = PassageChoices().include_always(ref(CATS)).mark_not_relevant(ref(CATS))
    assert choices.exclusion(ref(CATS).key) == "excluded" and not choices.always_include
    choices = choices.include_always(ref(CATS))
    assert choices.pinned(ref(CATS).key) and not choices.not_relevant
    # The whole file: its passages' own choices are folded into it.
    choices = choices.mark_file_not_relevant("/docs/cats.txt")
    assert choices.exclusion(ref(NAPS).key) == "excluded_file" and not choices.always_include
    assert choices.forget_file("/docs/cats.txt").empty
    assert PassageChoices().mark_not_relevant(ref(DOGS)).forget(ref(DOGS).key).empty


def test_a_pinned_passage_comes_first_and_is_the_last_to_go_when_room_runs_short() -> None:
    low = Passage(0, "/docs/fish.txt", 3, 10, 60, FISH.text, 0.1, "pets", pinned=True)
    words = lambda text: len(text.split())  # noqa: E731
    roomy = assemble(helper(), "Q?", passages=[CATS, low], variables={}, count_tokens=words,
                     budget=500)  # fmt: skip
    assert [p.text for p in roomy.passages] == [FISH.text, CATS.text]
    tight = roomy.prompt_tokens - 3  # room for one passage only
    short = assemble(helper(), "Q?", passages=[CATS, low], variables={}, count_tokens=words,
                     budget=tight)  # fmt: skip
    assert [p.text for p in short.passages] == [FISH.text]


def test_an_exported_bundle_carries_no_passage_choices(smollm2_registry: ModelRegistry) -> None:
    from assistant_builder.core.assistants.bundle import manifest_for

    manifest = manifest_for(helper(PassageChoices().include_always(FISH)), smollm2_registry)
    assert "passage_choices" not in manifest["assistant"]  # they name this computer's files
    assert "/docs/fish.txt" not in json.dumps(manifest)


@pytest.mark.integration
def test_the_preview_leaves_out_what_is_not_relevant_and_always_shows_the_pinned_passage(
    smollm2_registry: ModelRegistry,
) -> None:
    previewer = PromptPreviewer(smollm2_registry, lambda a, q: [CATS, NAPS, DOGS])
    try:
        plain = previewer.compute(helper(), "How long do cats sleep?").text
        assert CATS.text in plain and DOGS.text in plain and FISH.text not in plain
        choices = (
            PassageChoices()
            .mark_not_relevant(ref(CATS))
            .mark_file_not_relevant("/docs/dogs.txt")
            .include_always(FISH)
        )
        view = previewer.compute(helper(choices), "How long do cats sleep?")
        assert CATS.text not in view.text and DOGS.text not in view.text
        assert NAPS.text in view.text and FISH.text in view.text
        sent = view.final.assembled.passages
        assert [(p.n, p.text, p.pinned) for p in sent] == [
            (1, FISH.text, True),
            (2, NAPS.text, False),
        ]
    finally:
        previewer.close()


@pytest.fixture
def local_engine() -> Iterator[object]:
    from assistant_builder.core.engine.local import LocalEngine

    engine = LocalEngine()
    yield engine
    engine.unload()


@pytest.mark.integration
def test_the_answer_records_what_the_person_left_out_and_what_they_pinned(
    app_home: Paths, smollm2_registry: ModelRegistry, local_engine: object
) -> None:
    choices = PassageChoices().mark_not_relevant(ref(CATS)).include_always(FISH)
    choices = choices.mark_file_not_relevant("/docs/dogs.txt")
    assistant = helper(choices)
    options = load_options(assistant, smollm2_registry, threads=1, gpu_layers=0)
    store = ConversationStore(app_home.ensure().conversations_db)
    events = list(answer(assistant, "How long do cats sleep?", engine=local_engine,  # type: ignore[arg-type]
                         options=options, conversations=store,
                         retrieve=lambda a, q: [CATS, NAPS, DOGS]))  # fmt: skip
    final = events[-1]
    assert isinstance(final, Answer)
    assert CATS.text not in final.prompt and DOGS.text not in final.prompt
    assert FISH.text in final.prompt
    record = [(p.text, p.n, p.left_out, p.pinned) for p in final.grounding.retrieved]
    assert record == [
        (FISH.text, 1, "", True),
        (CATS.text, 0, "excluded", False),
        (NAPS.text, 2, "", False),
        (DOGS.text, 0, "excluded_file", False),
    ]
    assert store.message(final.message_id or -1).grounding == final.grounding
    store.close()
