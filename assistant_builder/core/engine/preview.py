"""The final-prompt preview: an assistant's parts (instructions, examples, retrieved passages,
history, new question) laid out as the exact text the model receives, with a token budget per
part and the room left for the answer; older history is dropped, and reported, to make room."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant_builder.core.engine.prompt import ContextOverflow, PromptBuilder
from assistant_builder.core.engine.protocol import ChatMessage


@dataclass(frozen=True)
class Passage:
    """A retrieved piece of a document, numbered as the answer will cite it."""

    n: int
    source: str
    page: int | None
    text: str


@dataclass(frozen=True)
class Example:
    question: str
    answer: str


@dataclass(frozen=True)
class PromptParts:
    question: str
    system_prompt: str = ""
    examples: tuple[Example, ...] = ()
    passages: tuple[Passage, ...] = ()
    history: tuple[ChatMessage, ...] = ()


@dataclass(frozen=True)
class PartTokens:
    name: str  # instructions | examples | history | documents | question
    tokens: int


@dataclass(frozen=True)
class PromptPreview:
    text: str
    token_ids: tuple[int, ...]
    parts: tuple[PartTokens, ...]
    context_size: int
    template_notice: str = ""
    dropped: tuple[str, ...] = ()  # plain descriptions of what was left out to make room

    @property
    def total_tokens(self) -> int:
        return len(self.token_ids)

    @property
    def room_for_answer(self) -> int:
        return self.context_size - self.total_tokens

    def tokens_of(self, name: str) -> int:
        return sum(p.tokens for p in self.parts if p.name == name)


def passages_block(passages: Sequence[Passage]) -> str:
    if not passages:
        return ""
    lines = ["Passages from your documents (cite them by number, like [1]):", ""]
    for p in passages:
        where = f"{p.source}, page {p.page}" if p.page is not None else p.source
        lines += [f"[{p.n}] {where}", p.text.strip(), ""]
    return "\n".join(lines) + "\n"


def user_turn(parts: PromptParts) -> str:
    """The newest user message. Passages go here, not in the system prompt, so the start of
    the prompt stays the same from turn to turn and its evaluation is reused."""
    block = passages_block(parts.passages)
    return f"{block}Question: {parts.question}" if block else parts.question


def labelled_messages(parts: PromptParts) -> list[tuple[str, ChatMessage]]:
    out: list[tuple[str, ChatMessage]] = []
    if parts.system_prompt:
        out.append(("instructions", ChatMessage("system", parts.system_prompt)))
    for ex in parts.examples:
        out.append(("examples", ChatMessage("user", ex.question)))
        out.append(("examples", ChatMessage("assistant", ex.answer)))
    out += [("history", m) for m in parts.history]
    out.append(("question", ChatMessage("user", user_turn(parts))))
    return out


def messages_for(parts: PromptParts) -> list[ChatMessage]:
    return [m for _, m in labelled_messages(parts)]


def build_preview(builder: PromptBuilder, parts: PromptParts, context_size: int) -> PromptPreview:
    """The exact prompt for ``parts`` with a token count per part; the counts add up to the
    total because each is the growth of the rendered prompt when that message is added."""
    labelled = labelled_messages(parts)
    messages = [m for _, m in labelled]
    prompt = builder.build(messages)
    counts: dict[str, int] = {}
    previous = 0
    for k, (name, _) in enumerate(labelled[:-1], start=1):
        length = len(
            builder.tokenizer.tokenize(
                builder.render_text(messages[:k], add_generation_prompt=False)
            )
        )
        counts[name] = counts.get(name, 0) + length - previous
        previous = length
    last = len(prompt.token_ids) - previous
    documents = len(builder.tokenizer.tokenize(passages_block(parts.passages)))
    counts["documents"] = min(documents, last)
    counts["question"] = last - counts["documents"]
    order = ("instructions", "examples", "documents", "history", "question")
    return PromptPreview(
        text=prompt.text,
        token_ids=prompt.token_ids,
        parts=tuple(PartTokens(n, counts.get(n, 0)) for n in order),
        context_size=context_size,
        template_notice=prompt.template_notice,
    )


def fit_to_context(
    builder: PromptBuilder, parts: PromptParts, context_size: int, *, answer_room: int
) -> PromptPreview:
    """The preview of ``parts`` trimmed to leave ``answer_room`` tokens for the answer: the
    oldest history goes first, then the lowest-ranked passages. The new question, the
    instructions and the examples are never dropped; if they alone do not fit, ContextOverflow
    says how many tokens they need."""
    dropped_messages = 0
    dropped_passages = 0
    current = parts
    while True:
        preview = build_preview(builder, current, context_size)
        if preview.total_tokens + answer_room <= context_size:
            break
        if current.history:
            # Drop a whole exchange so the history never starts with an orphan answer.
            cut = 2 if len(current.history) >= 2 else 1
            current = replace(current, history=current.history[cut:])
            dropped_messages += cut
        elif current.passages:
            current = replace(current, passages=current.passages[:-1])
            dropped_passages += 1
        else:
            raise ContextOverflow(
                prompt_tokens=preview.total_tokens,
                answer_room=answer_room,
                context_size=context_size,
            )
    dropped: list[str] = []
    if dropped_messages:
        dropped.append(f"{dropped_messages} earlier message(s) of this conversation")
    if dropped_passages:
        dropped.append(f"{dropped_passages} document passage(s)")
    return replace(preview, dropped=tuple(dropped))


def preview_for_model(
    model_path: str,
    parts: PromptParts,
    *,
    context_size: int,
    answer_room: int = 256,
    template_override: str | None = None,
) -> PromptPreview:
    """The preview for a model that is not loaded: only its vocabulary is read (no weights)."""
    from assistant_builder.core.engine.llama_runtime import Vocabulary

    vocabulary = Vocabulary(model_path)
    try:
        builder = PromptBuilder(vocabulary, template_override)
        return fit_to_context(builder, parts, context_size, answer_room=answer_room)
    finally:
        vocabulary.close()
