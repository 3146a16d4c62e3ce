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
# Short enough for any file system and for a save dialog to show whole.
_NAME_LENGTH = 80
_SPEAKERS = {"user": "You", "assistant": "Assistant", "system": "Instructions"}


def to_json(conversation: Conversation, messages: list[Message]) -> dict[str, Any]:
    return {
        "format": "assistant-builder.conversation",
        "version": EXPORT_VERSION,
        "conversation": asdict(conversation),
        "messages": [asdict(m) for m in messages],
    }


def to_markdown(
    conversation: Conversation, messages: list[Message], *, assistant_name: str = ""
) -> str:
    """The conversation as Markdown; what people and models wrote reads as written (raw HTML
    in it is escaped, not interpreted). ``assistant_name`` is the name the person gave the
    assistant (the conversation itself knows only its id)."""
    title = conversation.title or "Conversation"
    who = literal_html(assistant_name or conversation.assistant)
    lines = [
        f"# {literal_html(title)}",
        "",
        f"Assistant: {who} · started {_when(conversation.created_at)}",
        "",
    ]
    for m in messages:
        speaker = _SPEAKERS.get(m.role, m.role)
        lines += [f"## {speaker}", "", _attributed(m) or "*(no text)*", ""]
        ending = _ending(m)
        if ending:
            lines += [f"*({ending})*", ""]
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


def export_conversation(
    store: ConversationStore, conversation_id: int, dest: Path, *, assistant_name: str = ""
) -> Path:
    """Write the conversation to ``dest``; ``.json`` gives JSON, anything else Markdown."""
    conversation = store.get(conversation_id)
    messages = store.messages(conversation_id)
    if dest.suffix.lower() == ".json":
        data = to_json(conversation, messages)
        if assistant_name:
            data["assistant_name"] = assistant_name
        write_json_atomic(dest, data)
    else:
        text = to_markdown(conversation, messages, assistant_name=assistant_name)
        write_bytes_atomic(dest, text.encode("utf-8"))
    return dest


def export_file_name(title: str, suffix: str = ".md") -> str:
    """A file name for the export that Windows, macOS and Linux all accept: characters they
    refuse become "-", reserved names (CON, NUL...) are changed, and it is never empty."""
    from pathvalidate import sanitize_filename

    stem = " ".join(title.split())
    stem = sanitize_filename(stem, replacement_text="-", platform="universal", max_len=_NAME_LENGTH)
    stem = stem.strip(" .-") or "Conversation"
    return stem + suffix


def _ending(m: Message) -> str:
    """How an answer ended, when it did not end by itself."""
    if m.role != "assistant":
        return ""
    if not m.complete:
        return "This answer was interrupted before it finished."
    if m.stop_reason == "cancelled":
        return "Stopped before it finished; this is what was written until then."
    if m.stop_reason == "length":
        return "This answer reached its maximum length."
    return ""


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
