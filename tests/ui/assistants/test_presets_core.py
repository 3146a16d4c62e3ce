"""The core rules the Assistants page stands on: starting points, sampling presets, the chat
template check, and an undo that puts back the exact file."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant_builder.core.assistants.model import Assistant, Example, ModelRef, validate
from assistant_builder.core.assistants.presets import (
    CUSTOM,
    STARTING_POINTS,
    from_starting_point,
    preset_name,
    sampling_preset,
)
from assistant_builder.core.assistants.prompt import Passage, assemble
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.assistants.template_check import template_problem
from assistant_builder.core.engine.sampling import SamplingOptions
from assistant_builder.core.errors import AssistantError


def test_each_starting_point_is_a_real_distinct_valid_preset() -> None:
    made = [
        replace(from_starting_point(p, name=p.name, model=ModelRef("m")), id="x")
        for p in STARTING_POINTS
    ]
    for assistant in made:
        validate(assistant)
    names = [p.name for p in STARTING_POINTS]
    assert names == ["Ask my documents", "Writing helper", "Blank"]
    docs, writer, blank = made
    assert docs.only_from_documents and "[1]" in docs.system_prompt
    assert preset_name(docs.sampling) == "Precise" and preset_name(writer.sampling) == "Creative"
    assert preset_name(blank.sampling) == "Balanced"
    assert docs.examples and writer.examples and not blank.examples
    assert STARTING_POINTS[0].retrieval.top_k != STARTING_POINTS[1].retrieval.top_k
    assert len({a.system_prompt for a in made}) == 3


def test_presets_change_wording_knobs_only_and_a_hand_edit_is_custom() -> None:
    mine = SamplingOptions(max_tokens=900, seed=7)
    precise = sampling_preset("Precise").apply(mine)
    assert (precise.max_tokens, precise.seed) == (900, 7)
    assert precise.temperature < mine.temperature
    assert preset_name(precise) == "Precise"
    assert preset_name(replace(precise, temperature=0.33)) == CUSTOM


def test_template_check_explains_a_mistake_in_one_sentence() -> None:
    assert template_problem("") == ""
    good = "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}"
    assert template_problem(good) == ""
    broken = template_problem("{% for m in messages %}{{ m.content }")
    assert broken.startswith("The chat template has a mistake on line 1")
    assert broken.endswith("to use the model's own template.")
    assert "never uses “messages”" in template_problem("Hello {{ name }}")
    hostile = "{{ ''.__class__.__mro__[1].__subclasses__() }}{% for m in messages %}{% endfor %}"
    assert "tries to reach parts of the computer" in template_problem(hostile)  # never run


def test_an_assistant_without_a_model_or_with_a_broken_template_is_refused() -> None:
    ok = Assistant(id="a", name="A", model=ModelRef("m"))
    validate(ok)
    with pytest.raises(AssistantError, match="has no model"):
        validate(replace(ok, model=ModelRef("")))
    with pytest.raises(AssistantError, match="chat template does not parse"):
        validate(replace(ok, chat_template="{% if %}messages"))
    kept = replace(ok, chat_template="{% for m in messages %}{{ m.content }}{% endfor %}")
    assert Assistant.from_dict(kept.to_dict()).chat_template == kept.chat_template


def test_undo_of_a_delete_restores_the_exact_file(tmp_path) -> None:
    store = AssistantStore(tmp_path)
    made = store.create(Assistant(id="", name="Notes", model=ModelRef("m")))
    path = store.path_of(made.id)
    path.write_text(path.read_text().replace('"icon": ""', '"icon": "★"') + "\n\n")
    before = path.read_bytes()
    removed = store.remove_for_undo("Notes")
    assert not path.exists() and store.list() == []
    store.restore(removed)
    assert path.read_bytes() == before
    # A new assistant took the name meanwhile: nothing is overwritten.
    removed = store.remove_for_undo("Notes")
    store.create(Assistant(id="", name="Notes", model=ModelRef("m")))
    with pytest.raises(AssistantError, match="now uses the name"):
        store.restore(removed)


def test_duplicate_makes_a_saved_copy_under_a_free_name(tmp_path) -> None:
    store = AssistantStore(tmp_path)
    store.create(Assistant(id="", name="Notes", model=ModelRef("m"), description="d"))
    copy = store.duplicate("Notes")
    again = store.duplicate("Notes")
    assert (copy.name, again.name) == ("Notes (2)", "Notes (3)")
    assert store.get(copy.id).description == "d"
    assert len({a.id for a in store.list()}) == 3


def test_ask_my_documents_invents_no_example_and_sends_its_placeholder_only_once_filled() -> None:
    docs = from_starting_point(STARTING_POINTS[0], name="Papers", model=ModelRef("m"))
    # An exchange to fill in from the person's own documents, not someone else's rent.
    assert docs.examples and all(not (e.user or e.assistant) for e in docs.examples)
    passage = Passage(0, "/docs/bins.txt", None, 0, 30, "Bins are collected on Mondays.", 0.9)

    def roles(assistant: Assistant) -> list[str]:
        prompt = assemble(
            assistant, "When are the bins collected?", passages=[passage],
            variables={"assistant_name": "Papers"}, count_tokens=lambda t: len(t.split()),
            budget=2000,
        )  # fmt: skip
        return [m.role for m in prompt.messages]

    assert roles(docs) == ["system", "user"]  # the placeholder is not sent
    half = replace(docs, examples=(Example("When is the recycling collected?", " "),))
    assert roles(half) == ["system", "user"]  # nor one side of it
    filled = replace(docs, examples=(Example("When is the recycling collected?", "Fridays [1]."),))
    assert roles(filled) == ["system", "user", "assistant", "user"]
