"""One conversation exported to Markdown (to read or share) or JSON (to process or keep)."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path, PurePath
from typing import Any

from assistant_builder.core.conversations.markdown import literal_html
from assistant_builder.core.conversations.marks import (
    MarkKind,
    answer_marks,
    marked,
    replace_sentinels,
    sentinel,
)
from assistant_builder.core.conversations.store import Conversation, ConversationStore, Message
from assistant_builder.core.fileio import write_bytes_atomic, write_json_atomic

EXPORT_VERSION = 1
_SPEAKERS = {"user": "You", "assistant": "Assistant", "system": "Instructions"}


def to_json(conversation: Conversation, messages: list[Message]) -> dict[str, Any]:
    return {
        "format": "assistant-builder.conversation",
        "version": EXPORT_VERSION,
        "conversation": asdict(conversation),
        "messages": [asdict(m) for m in messages],
    }


def to_markdown(conversation: Conversation, messages: list[Message]) -> str:
    """The conversation as Markdown; what people and models wrote reads as written (raw HTML
    in it is escaped, not interpreted)."""
    title = conversation.title or "Conversation"
    lines = [
        f"# {literal_html(title)}",
        "",
        f"Assistant: {conversation.assistant} · started {_when(conversation.created_at)}",
        "",
    ]
    for m in messages:
        speaker = _SPEAKERS.get(m.role, m.role)
        lines += [f"## {speaker}", "", _attributed(m) or "*(no text)*", ""]
        if not m.complete:
            lines += ["*(This answer was interrupted before it finished.)*", ""]
        if m.citations:
            # Markdown footnotes: each mark in the answer links to the passage that backs it.
            lines.append("Sources:")
            lines.append("")
            for c in m.citations:
                where = PurePath(c.source).name or "document"
                if c.page is not None:
                    where += f", page {c.page}"
                quote = literal_html(" ".join(c.text.split()))
                lines.append(f"[^{_label(m, c.n)}]: [{c.n}] {literal_html(where)}: “{quote}”")
            lines.append("")
        if m.invented_citations:
            numbers = ", ".join(f"[{n}]" for n in m.invented_citations)
            lines += [f"*(Also cited {numbers}, which matches no passage it was given.)*", ""]
        details = _details(m)
        if details:
            lines += [f"<sub>{details}</sub>", ""]
    return "\n".join(lines).rstrip() + "\n"


def export_conversation(store: ConversationStore, conversation_id: int, dest: Path) -> Path:
    """Write the conversation to ``dest``; ``.json`` gives JSON, anything else Markdown."""
    conversation = store.get(conversation_id)
    messages = store.messages(conversation_id)
    if dest.suffix.lower() == ".json":
        write_json_atomic(dest, to_json(conversation, messages))
    else:
        write_bytes_atomic(dest, to_markdown(conversation, messages).encode("utf-8"))
    return dest


def _label(m: Message, n: int) -> str:
    return f"{m.id}-{n}"  # unique in the file: several answers cite their own passage 1


def _attributed(m: Message) -> str:
    """The text as written, with the app's attribution as footnote marks: after each sentence
    a passage supports, and a plain note after each one no passage supports."""
    text = m.content.strip()
    if m.role != "assistant" or not (m.citations or m.grounding.unsupported):
        return literal_html(text)
    offset = len(m.content) - len(m.content.lstrip())
    marks = [
        replace(mark, at=mark.at - offset, end=max(0, mark.end - offset))
        for mark in answer_marks(m.content, m.citations, m.grounding, every_source=True)
    ]

    escaped = literal_html(marked(text, marks, sentinel))

    def note(kind: MarkKind, n: int) -> str:
        if kind == "source":
            return f"[^{_label(m, n)}]"
        if kind == "doubtful":
            return f"[{n}?]"
        return " *(not found in your documents)*"

    return replace_sentinels(escaped, note)


def _details(m: Message) -> str:
    parts = []
    if m.model:
        parts.append(f"model {m.model}")
    if "total_s" in m.timings:
        parts.append(f"{float(m.timings['total_s']):.1f} s")
    if "completion_tokens" in m.usage:
        parts.append(f"{m.usage['completion_tokens']} tokens")
    return " · ".join(parts)


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")
