"""Reasoning models: their thinking streams apart ("Thinking…") and is never the answer, its
attribution, its export, the history sent back, or serve's content."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant_builder.core.assistants.answering import history_of
from assistant_builder.core.assistants.model import Assistant, ModelRef
from assistant_builder.core.assistants.prompt import Passage, assemble
from assistant_builder.core.assistants.thinking import (
    ThinkingDelta,
    ThinkingSplitter,
    opens_thinking,
)
from assistant_builder.core.assistants.turn import Answer, run_turn
from assistant_builder.core.conversations.export import to_markdown
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.engine.protocol import (
    ChatMessage,
    LoadOptions,
    SamplingOptions,
    TextDelta,
    Timings,
    Usage,
)
from assistant_builder.core.engine.templates import (
    ChatTemplate,
    render,
    template_switches_thinking,
)
from assistant_builder.core.paths import Paths
from assistant_builder.core.serve.api import ChatApi, ChatRequest
from tests.fakes import ScriptedEngine

TEMPLATES = Path(__file__).parent.parent / "data" / "templates"
THOUGHT = "The lease says rent is due on the 1st; the user asked about cats."
ANSWER = "Cats are allowed [1]."
# How each family's model writes its thinking (the answer after it).
STYLES = {
    "qwen3 / smollm3 / deepseek": f"<think>\n{THOUGHT}\n</think>\n\n{ANSWER}",
    "gemma 4": f"<|channel>thought\n{THOUGHT}<channel|>{ANSWER}",
    "magistral / ministral 3": f"[THINK]{THOUGHT}[/THINK]{ANSWER}",
    "gpt-oss harmony": (
        f"<|channel|>analysis<|message|>{THOUGHT}<|end|>"
        f"<|start|>assistant<|channel|>final<|message|>{ANSWER}"
    ),
}


def split(text: str, awaiting: str = "", *, step: int = 1) -> tuple[str, str]:
    splitter = ThinkingSplitter(awaiting)
    parts: dict[str, list[str]] = {"answer": [], "thinking": []}
    for at in range(0, len(text), step):
        for kind, piece in splitter.feed(text[at : at + step]):
            parts[kind].append(piece)
    for kind, piece in splitter.finish():
        parts[kind].append(piece)
    return "".join(parts["thinking"]).strip(), "".join(parts["answer"])


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("step", [1, 3, 1000])  # markers cut anywhere by the stream
def test_each_marker_style_is_split_from_the_answer(style: str, step: int) -> None:
    assert split(STYLES[style], step=step) == (THOUGHT, ANSWER)


def test_a_prompt_that_opened_the_thinking_and_text_that_only_looks_like_a_marker() -> None:
    prompt = "<|im_start|>assistant\n<think>\n"  # Qwen3.5 opens the thinking itself
    assert opens_thinking(prompt) == "</think>"
    assert split(f"{THOUGHT}\n</think>\n\n{ANSWER}", opens_thinking(prompt)) == (THOUGHT, ANSWER)
    assert opens_thinking("<|im_start|>assistant\n<think>\n\n</think>\n\n") == ""
    assert split("Use a list like [1, 2] or a tag <b>.") == (
        "",
        "Use a list like [1, 2] or a tag <b>.",
    )
    assert split("Ends with [") == ("", "Ends with [")


LEASE = Passage(
    0, "/docs/lease.pdf", 3, 10, 40, "Rent is due on the 1st of each month.", 0.8, "lease"
)
PETS = Passage(0, "/docs/rules.txt", None, 0, 20, "Cats are allowed.", 0.7, "lease")


@pytest.mark.parametrize("style", STYLES)
def test_thinking_is_never_the_answer_its_citations_export_or_history(
    app_home: Paths, style: str
) -> None:
    helper = Assistant(id="lease-helper", name="Lease Helper", model=ModelRef("smol"))
    prompt = assemble(
        helper, "Are cats ok?", passages=[LEASE, PETS], variables={"assistant_name": "Lease"},
        count_tokens=lambda t: len(t.split()), budget=2000,
    )  # fmt: skip
    engine = ScriptedEngine([STYLES[style]])
    engine.load(LoadOptions(model_path="/models/smol.gguf"))
    with ConversationStore(app_home.conversations_db) as store:
        conv = store.create("lease-helper")
        store.add_message(conv.id, "user", "Are cats ok?")
        writer = store.start_answer(conv.id, model="smol", settings={})
        events = list(run_turn(engine, prompt, SamplingOptions(max_tokens=200), writer=writer))
        streamed = "".join(e.text for e in events if isinstance(e, TextDelta))
        thought = "".join(e.text for e in events if isinstance(e, ThinkingDelta))
        (answer,) = [e for e in events if isinstance(e, Answer)]
        assert streamed == answer.text == ANSWER
        assert thought.strip() == answer.reasoning == THOUGHT
        # The thinking names the lease's rent; only the answer's sentence is attributed.
        assert [c.source for c in answer.citations] == ["/docs/rules.txt"]
        saved = store.message(answer.message_id or -1)
        assert (saved.content, saved.reasoning) == (ANSWER, THOUGHT)
        assert THOUGHT not in to_markdown(store.get(conv.id), store.messages(conv.id))
        assert history_of(store, conv.id)[-1] == ChatMessage("assistant", ANSWER)


def _template(name: str) -> ChatTemplate:
    return ChatTemplate(
        (TEMPLATES / f"{name}.jinja").read_text(encoding="utf-8"), "model", "chatml"
    )


ASKED = [ChatMessage("system", "Answer from the lease."), ChatMessage("user", "Are cats ok?")]


def _render(name: str, thinking: bool | None) -> str:
    return render(_template(name), ASKED, bos_token="<bos>", eos_token="", enable_thinking=thinking)


def test_the_real_qwen3_template_switches_thinking_through_the_sandbox() -> None:
    assert template_switches_thinking(_template("qwen3").source)
    off, on = _render("qwen3", False), _render("qwen3", True)
    assert off.endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")
    assert on.endswith("<|im_start|>assistant\n") and _render("qwen3", None) == on
    assert opens_thinking(off) == opens_thinking(on) == ""
    # An earlier answer goes back to the model without its thinking.
    again = render(
        _template("qwen3"),
        [*ASKED, ChatMessage("assistant", STYLES["qwen3 / smollm3 / deepseek"]),
         ChatMessage("user", "And dogs?")],
        bos_token="", eos_token="",
    )  # fmt: skip
    assert THOUGHT not in again


def test_the_real_gemma4_template_switches_thinking_through_the_sandbox() -> None:
    assert template_switches_thinking(_template("gemma4").source)
    off, on = _render("gemma4", False), _render("gemma4", True)
    assert "<|think|>" in on and "<|think|>" not in off
    assert off.endswith("<|turn>model\n<|channel>thought\n<channel|>")
    assert on.endswith("<|turn>model\n")
    assert opens_thinking(off) == opens_thinking(on) == ""
    assert split(STYLES["gemma 4"]) == (THOUGHT, ANSWER)


class _ThinkingSession:
    """What ChatApi needs of a session, answering with a scripted reasoning model's events."""

    def conversation_with(self, assistant: Assistant, history: object) -> int:
        return 1

    def ask(self, assistant: Assistant, question: str, **kwargs: Any) -> Iterator[object]:
        yield ThinkingDelta(THOUGHT)
        yield TextDelta(ANSWER)
        yield Answer(ANSWER, (), (), Usage(5, 9), Timings(0.1, 0.2), "stop", reasoning=THOUGHT)


def test_serve_returns_the_thinking_as_reasoning_content() -> None:
    api = ChatApi(_ThinkingSession(), "ab-key")  # type: ignore[arg-type]
    request = ChatRequest(
        Assistant(id="a", name="A", model=ModelRef("m")), "Cats?", (), False, None, None
    )
    message = api.complete(request)["choices"][0]["message"]
    assert message == {"role": "assistant", "content": ANSWER, "reasoning_content": THOUGHT}
    deltas = [c["choices"][0]["delta"] for c in api.stream(request)]
    assert "".join(d.get("content", "") for d in deltas) == ANSWER
    assert "".join(d.get("reasoning_content", "") for d in deltas) == THOUGHT
