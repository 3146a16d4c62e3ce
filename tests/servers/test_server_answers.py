"""Answering through a model server added in Settings, by the one answering path
(AnswerSession.ask): Ollama's and vLLM's OpenAI endpoints as they stream, with their usage
chunk and error bodies, replayed on loopback (tests/servers/wire.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant_builder.core.assistants.answering import Prepared
from assistant_builder.core.assistants.model import Assistant, CollectionRef, ModelRef
from assistant_builder.core.assistants.prompt import Passage
from assistant_builder.core.assistants.session import AnswerSession
from assistant_builder.core.assistants.turn import Answer
from assistant_builder.core.engine.messages_prompt import ESTIMATE_NOTICE, messages_text
from assistant_builder.core.engine.protocol import ChatMessage, Failed, SamplingOptions
from assistant_builder.core.errors import EngineError
from assistant_builder.core.paths import Paths
from assistant_builder.core.services import Services
from tests.servers.wire import ANSWER, VLLM_CONTEXT, Script, replay_server

PASSAGE = "Cats sleep for about fifteen hours every day."
QUESTION = "How long do cats sleep?"


def _retrieve(assistant: Assistant, question: str) -> list[Passage]:
    return [Passage(1, "/docs/cats.md", None, 0, len(PASSAGE), PASSAGE, 0.9, collection="docs")]


@pytest.fixture(params=["ollama", "vllm"])
def team(request: pytest.FixtureRequest, app_home: Paths) -> Iterator[tuple[Services, Script]]:
    with replay_server(request.param) as (url, script):
        services = Services.create(app_home)
        services.servers.add("Team", url)
        yield services, script


def _assistant(script: Script) -> Assistant:
    return Assistant(
        id="cats", name="Cats", model=ModelRef(id=script.model, server="Team"),
        collections=(CollectionRef("docs"),), context_size=2048,
        sampling=SamplingOptions(temperature=0.0, max_tokens=40),
    )  # fmt: skip


def test_an_answer_streams_with_citations_usage_and_the_servers_context(
    team: tuple[Services, Script],
) -> None:
    services, script = team
    services.network.offline = True  # a server on this computer is still reached
    assistant = _assistant(script)
    with AnswerSession(services, retrieve=_retrieve) as session:
        events = list(session.ask(assistant, QUESTION))
        view = session.preview(assistant, QUESTION)
        conversation = next(e for e in events if isinstance(e, Prepared)).conversation_id
        saved = session.conversations.messages(conversation)
    prepared = next(e for e in events if isinstance(e, Prepared))
    final = events[-1]
    assert isinstance(final, Answer) and final.text == "".join(ANSWER)
    # The usage chunk (empty choices) is read: the server's counts, not the app's.
    assert (final.usage.prompt_tokens, final.usage.completion_tokens) == (31, 9)
    [citation] = final.citations
    assert citation.n == 1 and citation.spans and citation.source == "/docs/cats.md"
    assert [(m.role, m.complete) for m in saved] == [("user", True), ("assistant", True)]
    assert saved[1].content == final.text and saved[1].citations == final.citations

    # What was sent is what the final-prompt panel shows, passage inside.
    [(_, _, sent)] = [r for r in script.requests if r[1] == "/v1/chat/completions"]
    assert sent["model"] == script.model and sent["stream"] is True
    assert sent["stream_options"] == {"include_usage": True}
    messages = [ChatMessage(m["role"], m["content"]) for m in sent["messages"]]
    assert messages == list(prepared.final.assembled.messages)
    assert view.text == messages_text(messages) and PASSAGE in messages[-1].content
    # Neither counts tokens for clients: the counts are labelled estimates. vLLM lists its
    # context size; Ollama does not, so the assistant's own size is the budget.
    preview = view.final.preview
    assert preview is not None and preview.template_notice == ESTIMATE_NOTICE
    expected = VLLM_CONTEXT if script.kind == "vllm" else assistant.context_size
    assert preview.context_size == expected == prepared.final.preview.context_size  # type: ignore[union-attr]
    # Every request went through the network log, named for the server.
    purposes = {e.purpose for e in services.network.entries()}
    assert purposes == {f"model server Team ({script.model})"}


@pytest.mark.parametrize("how", ["drop", "error"])
def test_a_server_that_goes_away_mid_answer_keeps_what_was_written(
    team: tuple[Services, Script], how: str
) -> None:
    services, script = team
    script.chat = how
    with AnswerSession(services, retrieve=_retrieve) as session:
        with pytest.raises(EngineError) as caught:
            list(session.ask(_assistant(script), QUESTION))
        [conversation] = session.conversations.list()
        saved = session.conversations.messages(conversation.id)
    said = str(caught.value)
    assert "what it wrote is kept" in said and said.endswith(".") and "\n" not in said
    if how == "error":
        assert "The engine ran out of memory." in said
    assert saved[1].role == "assistant" and not saved[1].complete
    assert saved[1].content == "".join(ANSWER[:2])  # the two pieces that arrived


def test_an_error_body_becomes_one_sentence_with_the_servers_words(
    team: tuple[Services, Script],
) -> None:
    services, script = team
    engine = services.servers.engine("Team", "nope")
    [failed] = list(engine.chat([ChatMessage("user", "Hi")], SamplingOptions(max_tokens=4)))
    assert isinstance(failed, Failed) and failed.message.endswith(".")
    words = "not found, try pulling it first" if script.kind == "ollama" else "does not exist"
    assert words in failed.message and "error 404" in failed.message
    with pytest.raises(EngineError, match="does not offer a model named 'nope'"):
        engine.load(engine.load_options(1024))
    assert [m.id for m in services.servers.models("team")] == [script.model]


def test_serve_answers_as_an_assistant_whose_model_is_on_a_server(
    team: tuple[Services, Script],
) -> None:
    """`serve` (its ChatApi over the same session) streams a server-backed assistant's answer
    with the app's citations in the last chunk."""
    from assistant_builder.core.assistants.store import AssistantStore
    from assistant_builder.core.serve.api import ChatApi

    services, script = team
    AssistantStore(services.paths.assistants_dir).create(_assistant(script))
    with AnswerSession(services, retrieve=_retrieve) as session:
        api = ChatApi(session, "ab-key")
        assert [m["id"] for m in api.models()["data"]] == ["cats"]
        chat = api.parse({"model": "cats", "stream": True,
                          "messages": [{"role": "user", "content": QUESTION}]})  # fmt: skip
        chunks = list(api.stream(chat))
    text = "".join(
        c["choices"][0]["delta"].get("content") or ""
        for c in chunks if isinstance(c, dict) and c.get("choices")
    )  # fmt: skip
    assert text == "".join(ANSWER)
    last = next(c for c in reversed(chunks) if isinstance(c, dict) and "citations" in c)
    assert [c["n"] for c in last["citations"]] == [1]
