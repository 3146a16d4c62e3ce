"""What a message's text is as Markdown: its fenced code blocks, and the same text made safe
for any Markdown viewer, so raw HTML or XML a model copied from its prompt (a stray
``<passage …>``, ``<b>``, ``<!--``) is shown as the characters written, never interpreted."""

from __future__ import annotations

import re

# A fenced code block; an unclosed one (still streaming) runs to the end of the text.
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)(?:^```[ \t]*$\n?|\Z)", re.S | re.M)
# An inline code span: a run of backticks, then anything up to the same run again.
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)


def fenced(text: str) -> list[tuple[str, str]]:
    """("prose", text) and ("code", the fenced block as written) pieces, in order."""
    out: list[tuple[str, str]] = []
    pos = 0
    for match in FENCE.finditer(text):
        if match.start() > pos:
            out.append(("prose", text[pos : match.start()]))
        out.append(("code", match.group(0)))
        pos = match.end()
    if pos < len(text):
        out.append(("prose", text[pos:]))
    return out


def literal_html(text: str) -> str:
    """``text`` with every ``<`` outside code written as ``&lt;``: Markdown viewers show it as
    ``<`` and never start a tag or a comment there. Code blocks and spans, where Markdown
    already shows ``<`` as it is, are left alone."""
    out = []
    for kind, piece in fenced(text):
        if kind == "code":
            out.append(piece)
            continue
        pos = 0
        for span in _CODE_SPAN.finditer(piece):
            out.append(piece[pos : span.start()].replace("<", "&lt;"))
            out.append(span.group(0))
            pos = span.end()
        out.append(piece[pos:].replace("<", "&lt;"))
    return "".join(out)
