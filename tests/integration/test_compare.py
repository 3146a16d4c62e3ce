"""Compare with the real SmolLM2 and MiniLM on a small real folder: the passages are found once
and every variant's final prompt holds them byte for byte; variants of one model share its load;
two different models run together or in turn as memory allows; ``compare --json``'s shape."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from assistant_builder.core.assistants.model import Assistant, ModelRef
from assistant_builder.core.assistants.prompt import Passage
from assistant_builder.core.assistants.session import AnswerSession, Loading
from assistant_builder.core.assistants.turn import Answer
from assistant_builder.core.compare.run import (
    AnswerKept,
    Compared,
    CompareEvent,
    Planned,
    Retrieved,
    Variant,
    VariantEvent,
    compare_kept,
)
from assistant_builder.core.models.fit import Machine
from assistant_builder.core.models.registry import InstalledModel
from assistant_builder.core.paths import Paths
from assistant_builder.core.services import Services
from tests.integration.conftest import DOCS, cli, tune_assistant

QUESTION = "How long do cats sleep?"
GB = 10**9


@pytest.fixture
def session(ready: Path) -> Iterator[AnswerSession]:
    with AnswerSession(Services.create()) as answer_session:
        yield answer_session


def _counting(session: AnswerSession) -> list[str]:
    calls: list[str] = []
    search = session.retrieve

    def retrieve(assistant: Assistant, question: str) -> list[Passage]:
        calls.append(assistant.name)
        return search(assistant, question)

    session.retrieve = retrieve
    return calls


def _run(session: AnswerSession, variants: list[Variant], **kw: object) -> list[object]:
    return list(compare_kept(session, variants, QUESTION, **kw))  # type: ignore[arg-type]


def _of(events: list[object], kind: type) -> list:  # type: ignore[type-arg]
    return [e for e in events if isinstance(e, kind)]


@pytest.mark.integration
def test_two_instruction_variants_answer_on_byte_identical_passages_found_once(
    session: AnswerSession,
) -> None:
    cats = session.assistant("Cats")
    terse = replace(cats, system_prompt="Answer in five words or fewer; cite like [1].")
    calls = _counting(session)
    events = _run(session, [Variant("A", cats), Variant("B", terse)])

    assert calls == ["Cats"]  # one search, with the first variant's settings
    (found,) = _of(events, Retrieved)
    assert found.passages and any("fifteen hours" in p.text for p in found.passages)
    (planned,) = _of(events, Planned)
    assert planned.schedule.groups == ((0, 1),)
    assert "same model, so it is loaded once" in planned.schedule.sentence
    loads = [e for e in _of(events, VariantEvent) if isinstance(e.event, Loading)]
    assert [e.index for e in loads] == [0]  # B answered on A's loaded model

    compared = events[-2] if isinstance(events[-1], AnswerKept) else events[-1]
    assert isinstance(compared, Compared)
    a, b = compared.answers
    assert isinstance(a, Answer) and isinstance(b, Answer)
    assert a.prompt != b.prompt  # the instructions differ...
    assert "five words or fewer" in b.prompt and "five words or fewer" not in a.prompt
    sent = [p for p in found.passages if p.text in a.prompt]
    assert sent  # ...the passages are the same bytes in both
    for passage in sent:
        assert passage.text in b.prompt
    for answer in (a, b):
        assert answer.text.strip()
        assert answer.usage.prompt_tokens > 0 and answer.usage.completion_tokens > 0
        assert 0 < answer.timings.ttft_s <= answer.timings.total_s
    kept = _of(events, AnswerKept)
    assert sorted(k.index for k in kept) == [0, 1]
    assert all(k.message.content == compared.answers[k.index].text for k in kept)  # type: ignore[union-attr]


def _second_model(session: AnswerSession, app_home: Paths) -> Assistant:
    """The same SmolLM2 weights under another file and id: a different model to load."""
    smol = session.services.models.get("smol")
    copy = app_home.models_dir / "smol-copy.gguf"
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(smol.path, copy)
    session.services.models.add(
        InstalledModel(id="smol-copy", name="SmolLM2 copy", path=str(copy),
                       sha256=smol.sha256, size=smol.size, meta=smol.meta)
    )  # fmt: skip
    return replace(session.assistant("Cats"), model=ModelRef(id="smol-copy"))


def _machine(free: int) -> Machine:
    return Machine(total_ram=free * 2, available_ram=free, cpu_cores=2)


@pytest.mark.integration
def test_two_models_that_fit_together_both_answer_on_engines_of_their_own(
    session: AnswerSession, app_home: Paths
) -> None:
    other = _second_model(session, app_home)
    variants = [Variant("A", session.assistant("Cats")), Variant("B", other)]
    events = _run(session, variants, machine=_machine(64 * GB))
    (planned,) = _of(events, Planned)
    assert planned.schedule.together and planned.schedule.groups == ((0,), (1,))
    assert "fit in memory together" in planned.schedule.sentence
    loads = [e.index for e in _of(events, VariantEvent) if isinstance(e.event, Loading)]
    assert sorted(loads) == [0, 1]
    answers = [e.event for e in _of(events, VariantEvent) if isinstance(e.event, Answer)]
    assert len(answers) == 2 and all(a.text.strip() for a in answers)
    # The first model stays loaded in the app's own engine; the second one's engine is gone.
    assert session.engine.loaded_options is not None
    assert Path(session.engine.loaded_options.model_path).name != "smol-copy.gguf"


@pytest.mark.integration
def test_two_models_that_do_not_fit_together_answer_one_model_after_the_other(
    session: AnswerSession, app_home: Paths
) -> None:
    other = _second_model(session, app_home)
    cats = session.assistant("Cats")
    variants = [Variant("A", cats), Variant("B", other), Variant("C", replace(cats, name="C"))]
    events: list[CompareEvent | AnswerKept] = list(
        compare_kept(session, variants, QUESTION, machine=_machine(int(0.3 * GB)))
    )
    (planned,) = _of(events, Planned)  # type: ignore[arg-type]
    assert not planned.schedule.together
    assert planned.schedule.groups == ((0, 2), (1,))  # A and C share the first load
    assert "each model is loaded in turn" in planned.schedule.sentence
    order = [
        (e.index, type(e.event).__name__) for e in events
        if isinstance(e, VariantEvent) and isinstance(e.event, Loading | Answer)
    ]  # fmt: skip
    assert order == [(0, "Loading"), (0, "Answer"), (2, "Answer"), (1, "Loading"), (1, "Answer")]


@pytest.mark.integration
def test_compare_json_has_the_passages_once_and_an_answer_per_assistant(
    app_home: Paths, ready: Path
) -> None:
    env = {"ASSISTANT_BUILDER_HOME": str(app_home.data_dir.parent)}
    made = cli("assistants", "create", "Terse", "--model", "smol", "--collection", "docs",
               "--system-prompt", "Answer in five words; cite like [1].", env=env)  # fmt: skip
    assert made.returncode == 0, made.stderr
    tune_assistant(app_home.data_dir.parent, "terse")
    result = cli("compare", "Cats", "Terse", QUESTION, "--json", "--show-prompt", env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # stdout holds the JSON alone
    assert "same model, so it is loaded once" in result.stderr
    assert set(data) == {"passages", "schedule", "answers"}
    assert data["passages"]
    for passage in data["passages"]:
        assert {"source", "page", "start", "end", "score", "text"} <= set(passage)
        assert Path(passage["source"]).name in DOCS
    assert [a["assistant"] for a in data["answers"]] == ["Cats", "Terse"]
    for answer in data["answers"]:
        assert {"assistant", "answer", "citations", "usage", "timings", "prompt"} <= set(answer)
        assert answer["answer"].strip()
        assert set(answer["usage"]) == {"prompt_tokens", "completion_tokens"}
        assert set(answer["timings"]) == {"ttft_s", "total_s"}
        assert data["passages"][0]["text"] in answer["prompt"]
    assert data["answers"][0]["prompt"] != data["answers"][1]["prompt"]


def test_compare_with_one_assistant_is_one_plain_sentence(app_home: Paths) -> None:
    result = cli("compare", "Cats", QUESTION, env={})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
