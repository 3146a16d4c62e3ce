"""Which variants share a loaded model, and whether different models run at once: the sentence
the Compare view shows, from the "will it run?" figures."""

from __future__ import annotations

from assistant_builder.core.compare.plan import schedule

GB = 10**9


def test_variants_of_one_model_share_it_and_the_view_says_so() -> None:
    plan = schedule(["smol", "smol", "smol"], [GB, GB, GB], available_ram=8 * GB)
    assert plan.groups == ((0, 1, 2),)
    assert not plan.together
    assert "same model, so it is loaded once" in plan.sentence


def test_different_models_that_fit_together_answer_side_by_side() -> None:
    plan = schedule(["a", "b", "a"], [3 * GB, 4 * GB, 3 * GB], available_ram=8 * GB)
    assert plan.groups == ((0, 2), (1,))  # the two variants of model a share its load
    assert plan.together
    assert "2 models that fit in memory together" in plan.sentence
    assert "7.0 GB of 8.0 GB free" in plan.sentence


def test_different_models_that_do_not_fit_together_load_in_turn() -> None:
    plan = schedule(["a", "b"], [5 * GB, 4 * GB], available_ram=8 * GB)
    assert plan.groups == ((0,), (1,))
    assert not plan.together
    assert "do not fit in memory together" in plan.sentence
    assert "each model is loaded in turn" in plan.sentence
