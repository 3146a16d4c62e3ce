"""Answering through a model server: llama-cpp-python's own OpenAI-compatible server with
SmolLM2 on loopback, an assistant whose collection is a small real folder indexed with the real
MiniLM, and the same `answer()` the chat page and the command line use."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from assistant_builder.core.assistants.answering import Prepared, answer
from assistant_builder.core.assistants.retrieval import knowledge_retriever
from assistant_builder.core.assistants.session import AnswerSession
from assistant_builder.core.assistants.stages import Stage
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.assistants.turn import Answer
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.engine.messages_prompt import SERVER_NOTICE, messages_text
from assistant_builder.core.engine.protocol import ChatMessage, TextDelta
from assistant_builder.core.engine.remote import RemoteEngine
from assistant_builder.core.network import NetworkPolicy
from assistant_builder.core.paths import Paths
from assistant_builder.core.services import Services
from tests.integration.conftest import DOCS
from tests.llama_server import LlamaServer, recording_proxy

pytestmark = pytest.mark.integration

QUESTION = "How long do cats sleep?"


def test_a_question_is_answered_with_citations_through_a_model_server(
    app_home: Paths, ready: Path, llama_server: LlamaServer
) -> None:
    assistant = AssistantStore(app_home.assistants_dir).get("cats")
    policy = NetworkPolicy(app_home.network_log, offline=False)
    store = ConversationStore(app_home.conversations_db)
    with recording_proxy(llama_server.url) as (url, recorded):
        engine = RemoteEngine(url, llama_server.model, api_key=llama_server.api_key, policy=policy)
        events = list(
            answer(assistant, QUESTION, engine=engine,
                   options=engine.load_options(assistant.context_size), conversations=store,
                   retrieve=knowledge_retriever(app_home))
        )  # fmt: skip
        assert engine.facts is not None and engine.facts.kind == "llama-cpp-python"
        # This server does not report its context size: the assistant's own is used.
        assert engine.context_size == assistant.context_size
        engine.unload()
    stages = [e.kind for e in events if isinstance(e, Stage)]
    assert stages[0] == "documents" and "writing" in stages  # what the answer says it does
    prepared, *deltas, final = [e for e in events if not isinstance(e, Stage)]
    assert isinstance(prepared, Prepared) and isinstance(final, Answer)
    preview = prepared.final.preview
    assert preview is not None and preview.template_notice == SERVER_NOTICE

    # The final prompt is the messages exactly as the server received them, passages inside.
    [sent] = recorded.bodies("/v1/chat/completions")
    sent_messages = [ChatMessage(m["role"], m["content"]) for m in sent["messages"]]
    assert sent_messages == list(prepared.final.assembled.messages)
    assert preview.text == messages_text(sent_messages)
    assert "Cats sleep for about fifteen hours every day" in sent_messages[-1].content
    assert sent["model"] == llama_server.model and sent["stream"] is True

    # Its token count is the server's own tokenizer's, not an estimate.
    counted = httpx2.post(
        f"{llama_server.url}/extras/tokenize",
        json={"input": preview.text},
        headers={"Authorization": f"Bearer {llama_server.api_key}"},
    ).json()["tokens"]
    assert preview.total_tokens == len(counted)
    assert sum(p.tokens for p in preview.parts) == preview.total_tokens
    assert preview.tokens_of("documents") > 0 and preview.tokens_of("examples") > 0

    # The answer streamed, cites the passage it was given, and is kept with its citations.
    pieces = [d.text for d in deltas if isinstance(d, TextDelta)]
    assert len(pieces) >= 3 and final.text == "".join(pieces)
    assert final.citations, final.text
    for citation in final.citations:  # the app's attribution: what of the answer each backs
        assert citation.spans and all(0 <= a < b <= len(final.text) for a, b in citation.spans)
        assert Path(citation.source).parent == ready and Path(citation.source).name in DOCS
    saved = store.messages(prepared.conversation_id)
    assert [(m.role, m.complete) for m in saved] == [("user", True), ("assistant", True)]
    assert saved[0].content == QUESTION and saved[1].content == final.text
    assert saved[1].citations == final.citations
    assert final.stop_reason in ("stop", "length")

    # Usage and timings are filled, in the answer and in the conversation.
    assert final.usage.prompt_tokens == preview.total_tokens
    assert final.usage.completion_tokens == len(pieces)
    assert 0 < final.timings.ttft_s <= final.timings.total_s
    assert saved[1].usage == {
        "prompt_tokens": final.usage.prompt_tokens,
        "completion_tokens": final.usage.completion_tokens,
    }
    assert saved[1].timings["total_s"] == final.timings.total_s
    store.close()

    # Every request, the questions about the server included, went through the network policy.
    logged = [(e.method, e.url) for e in policy.entries()]
    assert logged == [(method, url + path) for method, path, _ in recorded.requests]
    assert {e.outcome for e in policy.entries()} == {"sent"}


def test_the_session_of_ask_chat_and_serve_answers_through_a_model_server(
    app_home: Paths, ready: Path, llama_server: LlamaServer
) -> None:
    services = Services.create(app_home)
    with recording_proxy(llama_server.url) as (url, recorded):
        engine = RemoteEngine(
            url, llama_server.model, api_key=llama_server.api_key, policy=services.network
        )
        with AnswerSession(services, engine=engine) as session:
            assistant = session.assistant("cats")
            first = list(session.ask(assistant, QUESTION))
            # Loading and Loaded come first: the server is asked about itself once.
            prepared = next(e for e in first if isinstance(e, Prepared))
            final = first[-1]
            assert isinstance(final, Answer)
            again = list(
                session.ask(assistant, "And bread?", conversation_id=prepared.conversation_id)
            )
            assert isinstance(again[-1], Answer) and again[-1].text.strip()
    # The server was asked about itself once; the second turn carried the first one.
    assert [p for m, p, _ in recorded.requests if m == "GET"].count("/v1/models") == 1
    first_sent, second_sent = recorded.bodies("/v1/chat/completions")
    contents = [m["content"] for m in second_sent["messages"]]
    assert QUESTION in contents and final.text in contents
    assert len(second_sent["messages"]) == len(first_sent["messages"]) + 2
    assert {e.outcome for e in services.network.entries()} == {"sent"}
