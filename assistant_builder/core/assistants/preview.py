"""The final prompt of an assistant that is being edited (not saved, its model not loaded): the
editor's panel and ``assistant-builder preview`` show it. It is built by answering's own
``prepare`` with the same vocabulary and template the engine uses, so it is the prompt.

Thread-safe: the editor computes previews on a worker thread while an answer may be running."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant_builder.core.assistants.answering import Retriever, find_model, prepare
from assistant_builder.core.assistants.final_prompt import FinalPrompt
from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.needs import assistant_fit
from assistant_builder.core.assistants.prompt import Passage
from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.engine.preview import vocabulary_builder
from assistant_builder.core.engine.prompt import PromptBuilder
from assistant_builder.core.engine.protocol import ChatMessage
from assistant_builder.core.errors import AppError
from assistant_builder.core.models.fit import Machine, ModelShape, detect_machine
from assistant_builder.core.models.gguf_check import check_layout
from assistant_builder.core.models.library import info_of
from assistant_builder.core.models.registry import InstalledModel, ModelRegistry
from assistant_builder.core.servers.catalog import Servers

if TYPE_CHECKING:  # its HTTP library is imported only when a server is used
    from assistant_builder.core.engine.remote import RemoteEngine

# Spellings special tokens take in chat templates: <|im_start|>, <s>, </s>, [INST], <start_of_turn>.
_CANDIDATE = re.compile(r"<\|?[^<>\s]{1,40}?\|?>|\[/?[A-Z_]{2,20}\]")
KEPT_BUILDERS = 2  # vocabularies kept open: the current model and the one before


@dataclass(frozen=True)
class PromptView:
    """One computed preview: the final prompt and the special tokens found in its text."""

    final: FinalPrompt
    special_tokens: frozenset[str]
    passages_found: int
    retrieval_problem: str = ""  # why no passages could be searched (the prompt is still shown)
    switches_thinking: bool = False  # the model's template can switch its thinking on and off
    thinking: bool = False  # whether this prompt asks the model to think first
    fit: str = ""  # “will it run?” for this assistant on its model (needs.AssistantFit)

    @property
    def text(self) -> str:
        return self.final.preview.text if self.final.preview is not None else ""


class PromptPreviewer:
    """Computes final prompts without loading a model. Keeps the vocabulary of each (model,
    template) open so typing does not reload it; one lock, because a vocabulary and the
    searchers are used by one thread at a time."""

    def __init__(
        self,
        registry: ModelRegistry,
        retriever: Retriever | None = None,
        *,
        user_name: Callable[[], str] = lambda: "",
        kv_cache: Callable[[], str] = lambda: "auto",
        machine: Machine | None = None,
        servers: Servers | None = None,
    ) -> None:
        self._servers = servers
        # The remote engine measuring prompts for a model server's model (it is asked once
        # what the server offers: its context size and token counting), by (server, model).
        self._remote: tuple[tuple[str, str], RemoteEngine] | None = None
        self._kv_cache = kv_cache  # the setting, read at each preview
        self._machine = machine  # detected on first use
        self._shapes: dict[str, ModelShape] = {}
        self._registry = registry
        self._user_name = user_name  # read at each preview: Settings can change it meanwhile
        self._retriever = retriever
        self._lock = threading.Lock()
        self._builders: dict[tuple[str, str], tuple[PromptBuilder, ExitStack]] = {}
        self.loads = 0  # vocabularies opened so far (the cache's effect is visible in tests)

    def compute(
        self,
        draft: Assistant,
        question: str,
        *,
        history: Sequence[ChatMessage] = (),
        cancel: CancelToken = NEVER,
    ) -> PromptView:
        with self._lock:
            cancel.raise_if_cancelled()
            if draft.model.server:
                return self._server_view(draft, question, history, cancel)
            model = find_model(self._registry, draft)
            builder = self._builder(model.path, draft.chat_template).with_thinking(draft.thinks())
            cancel.raise_if_cancelled()
            passages, problem = self._passages(draft, question)
            cancel.raise_if_cancelled()
            final = prepare(
                draft, question or " ", builder=builder, context_size=draft.context_size,
                user_name=self._user_name(), history=history, passages=passages,
            )  # fmt: skip
            text = final.preview.text if final.preview is not None else ""
            specials = frozenset(
                token
                for token in set(_CANDIDATE.findall(text))
                if builder.tokenizer.is_special_token(token)
            )
            return PromptView(
                final, specials, len(passages), problem, builder.switches_thinking,
                bool(builder.thinking), self._fit(draft, model),
            )  # fmt: skip

    def _passages(self, draft: Assistant, question: str) -> tuple[list[Passage], str]:
        if not (draft.collections and self._retriever is not None and question.strip()):
            return [], ""
        try:
            return self._retriever(draft, question), ""
        except AppError as exc:  # a collection removed or never indexed
            return [], str(exc)

    def _server_view(
        self, draft: Assistant, question: str, history: Sequence[ChatMessage], cancel: CancelToken
    ) -> PromptView:
        """The messages as they will be sent to the model server, counted by its tokenizer
        where it has one, against its context size where it reports one."""
        if self._servers is None:
            raise AppError("This assistant's model is on a model server; add it in Settings.")
        key = (draft.model.server.casefold(), draft.model.id)
        if self._remote is None or self._remote[0] != key:
            if self._remote is not None:
                self._remote[1].unload()
            engine = self._servers.engine(draft.model.server, draft.model.id)
            engine.load(engine.load_options(draft.context_size), cancel=cancel)
            self._remote = (key, engine)
        engine = self._remote[1]
        facts = engine.facts
        context = facts.context_size if facts and facts.context_size else draft.context_size
        passages, problem = self._passages(draft, question)
        cancel.raise_if_cancelled()
        final = prepare(
            draft, question or " ", builder=engine.prompt_builder, context_size=context,
            user_name=self._user_name(), history=history, passages=passages,
        )  # fmt: skip
        return PromptView(final, frozenset(), len(passages), problem)

    def _fit(self, draft: Assistant, model: InstalledModel) -> str:
        if model.path not in self._shapes:
            self._shapes[model.path] = ModelShape.from_summary(info_of(model))
        if self._machine is None:
            self._machine = detect_machine()
        shape, setting = self._shapes[model.path], self._kv_cache()
        return assistant_fit(draft, shape, self._machine, setting).sentence

    def _builder(self, model_path: str, template: str) -> PromptBuilder:
        key = (model_path, template)
        if key in self._builders:
            return self._builders[key][0]
        # A damaged file gets the registry's plain message before llama.cpp ever reads it.
        check_layout(Path(model_path))
        stack = ExitStack()
        builder = stack.enter_context(vocabulary_builder(model_path, template or None))
        self.loads += 1
        while len(self._builders) >= KEPT_BUILDERS:
            oldest = next(iter(self._builders))
            self._builders.pop(oldest)[1].close()
        self._builders[key] = (builder, stack)
        return builder

    def close(self) -> None:
        with self._lock:
            if self._remote is not None:
                self._remote[1].unload()
                self._remote = None
            for _, stack in self._builders.values():
                stack.close()
            self._builders.clear()
