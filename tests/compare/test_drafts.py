"""“Keep this one” and the drafts: what the person chose is in the assistant (or a new one), the
other variants are kept by name beside it, all still there after a restart, until deleted."""

from __future__ import annotations

from dataclasses import replace

from assistant_builder.core.assistants.model import Assistant, ModelRef
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.compare.drafts import SAVED, DraftStore
from assistant_builder.core.compare.run import Variant
from assistant_builder.core.paths import Paths


def _saved(paths: Paths) -> Assistant:
    store = AssistantStore(paths.assistants_dir)
    return store.create(
        Assistant(id="", name="Helper", model=ModelRef(id="smollm2"), system_prompt="Be brief.")
    )


def test_keep_this_one_saves_it_and_the_others_survive_a_restart_as_drafts(
    app_home: Paths,
) -> None:
    original = _saved(app_home)
    chosen = Variant("B", replace(original, system_prompt="Answer in one sentence."))
    other = Variant("Formal", replace(original, system_prompt="Answer formally."))
    saved = Variant(SAVED, original)
    same_as_chosen = Variant("C", chosen.assistant)
    kept = DraftStore(AssistantStore(app_home.assistants_dir)).keep(
        chosen, [saved, other, same_as_chosen], owner=original.id
    )
    assert kept.id == original.id and kept.name == "Helper"

    # A new run of the app: fresh stores over the same folder.
    store = AssistantStore(app_home.assistants_dir)
    assert store.get(original.id).system_prompt == "Answer in one sentence."
    assert [a.name for a in store.list()] == ["Helper"]  # drafts are not assistants
    drafts = DraftStore(store).list(original.id)
    assert [(d.name, d.assistant.system_prompt) for d in drafts] == [
        ("Before B", "Be brief."),  # what was saved is not lost
        ("Formal", "Answer formally."),
    ]

    for draft in drafts:
        DraftStore(store).delete(draft)
    assert DraftStore(AssistantStore(app_home.assistants_dir)).list(original.id) == []
    assert not DraftStore(store).folder_of(original.id).exists()


def test_keeping_again_never_overwrites_a_draft(app_home: Paths) -> None:
    original = _saved(app_home)
    drafts = DraftStore(AssistantStore(app_home.assistants_dir))
    formal = Variant("Formal", replace(original, system_prompt="Answer formally."))
    chosen = Variant("B", replace(original, system_prompt="Short."))
    drafts.keep(chosen, [formal], owner=original.id)
    drafts.keep(chosen, [formal], owner=original.id)  # the same draft again: kept once
    changed = Variant("Formal", replace(original, system_prompt="Answer very formally."))
    drafts.keep(chosen, [changed], owner=original.id)
    assert [(d.name, d.assistant.system_prompt) for d in drafts.list(original.id)] == [
        ("Formal", "Answer formally."),
        ("Formal (2)", "Answer very formally."),
    ]


def test_keep_as_a_new_assistant_leaves_the_original_as_it_was(app_home: Paths) -> None:
    original = _saved(app_home)
    chosen = Variant("B", replace(original, system_prompt="Use bullet points."))
    kept = DraftStore(AssistantStore(app_home.assistants_dir)).keep(
        chosen, [Variant("A", original)], owner=original.id, as_new=True
    )
    store = AssistantStore(app_home.assistants_dir)
    assert kept.id != original.id and kept.name == "Helper (2)"
    assert store.get(kept.id).system_prompt == "Use bullet points."
    assert store.get(original.id).system_prompt == "Be brief."


def test_a_damaged_draft_is_left_in_place_and_the_others_still_list(app_home: Paths) -> None:
    original = _saved(app_home)
    drafts = DraftStore(AssistantStore(app_home.assistants_dir))
    drafts.save(original.id, "Short", replace(original, system_prompt="Short."))
    broken = drafts.folder_of(original.id) / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert [d.name for d in drafts.list(original.id)] == ["Short"]
    assert broken.read_text(encoding="utf-8") == "{not json"
