"""A variant changed in the Compare view: only what the person changed differs."""

from __future__ import annotations

from assistant_builder.core.assistants.model import Assistant, CollectionRef, ModelRef
from assistant_builder.core.assistants.presets import SAMPLING_PRESETS
from assistant_builder.core.compare.vary import vary

BASE = Assistant(
    id="a", name="Helper", model=ModelRef(id="smol"),
    collections=(CollectionRef("docs", top_k=5), CollectionRef("notes", top_k=3)),
)  # fmt: skip


def test_each_change_touches_only_its_own_setting() -> None:
    assert vary(BASE, system_prompt="Be brief.").system_prompt == "Be brief."
    assert vary(BASE, system_prompt="Be brief.").sampling == BASE.sampling
    hot = vary(BASE, temperature=1.2)
    assert hot.sampling.temperature == 1.2 and hot.system_prompt == BASE.system_prompt
    assert [c.top_k for c in vary(BASE, top_k=2).collections] == [2, 2]
    assert vary(BASE, model=ModelRef(id="other")).model.id == "other"
    preset = SAMPLING_PRESETS[-1]
    assert preset.matches(vary(BASE, preset=preset.name).sampling)


def test_a_value_no_runner_accepts_leaves_the_variant_as_it_was() -> None:
    assert vary(BASE, temperature=-3.0).sampling == BASE.sampling
    assert vary(BASE, top_k=0).collections == BASE.collections
