"""HTML to a Document: the visible text and the title, headings kept, script and style dropped,
and the navigation of generated manuals left out ("Next: … Up: … [Index]" of Texinfo, DocBook's
navheader, Sphinx's related bar, <nav>), which would otherwise be stored once per page as a
passage that answers nothing. The standard library's tolerant html.parser is enough for reading
text out of a page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from assistant_builder.core.knowledge.document import Document, Heading

_VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "area", "base", "col", "source"}
_HIDDEN = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header", "footer",
    "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "hr", "main", "nav",
    "aside", "figure", "figcaption", "form",
}  # fmt: skip
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
# Classes that generated manuals give their navigation bars.
_NAV_CLASSES = {
    "nav-panel", "navheader", "navfooter", "navigation", "related", "breadcrumb", "breadcrumbs",
    "navbar", "nav-links", "prev-next", "sphinxsidebar", "skip-link",
}  # fmt: skip
# Texinfo's bar, in a plain paragraph: "Next: X, Previous: Y, Up: Z   [Contents][Index]".
_NAV_LINE = re.compile(
    r"^(?:(?:Next|Previous|Prev|Up|Forward|Back)\s*:\s*[^\n]*?,?\s*)+(?:\[[^\]\n]{1,20}\]\s*)*$"
)


def _is_navigation(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    if tag == "nav":
        return True
    values = dict(attrs)
    if (values.get("role") or "").lower() == "navigation":
        return True
    return bool(_NAV_CLASSES & set((values.get("class") or "").lower().split()))


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.hidden_depth = 0
        self.in_title = False
        self.title = ""
        self.headings: list[Heading] = []
        self._heading: tuple[int, int] | None = None  # (level, start)
        self._nav: tuple[str, int] | None = None  # (tag, how many of it are open) while skipped

    def _break(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n\n"):
            sep = "\n" if self.parts[-1].endswith("\n") else "\n\n"
            self.parts.append(sep)
            self.length += len(sep)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._nav is not None:
            if tag == self._nav[0]:
                self._nav = (tag, self._nav[1] + 1)
            return
        if tag not in _VOID and _is_navigation(tag, attrs):
            self._nav = (tag, 1)
            self._break()
            return
        if tag == "title":
            self.in_title = True
        elif tag in _HIDDEN:
            self.hidden_depth += 1
        if tag in _BLOCK:
            self._break()
        if tag in _HEADINGS and not self.hidden_depth:
            self._heading = (_HEADINGS[tag], self.length)

    def handle_endtag(self, tag: str) -> None:
        if self._nav is not None:
            if tag == self._nav[0]:
                self._nav = (tag, self._nav[1] - 1) if self._nav[1] > 1 else None
            return
        if tag == "title":
            self.in_title = False
        elif tag in _HIDDEN:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        if tag in _HEADINGS and self._heading is not None:
            level, start = self._heading
            title = "".join(self.parts)[start:].strip()
            if title:
                self.headings.append(Heading(start, level, " ".join(title.split())))
            self._heading = None
        if tag in _BLOCK:
            self._break()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
            return
        if self.hidden_depth or self._nav is not None or not data:
            return
        # Whitespace around inline elements separates words; runs of it collapse to one space.
        text = " ".join(data.split())
        after_gap = not self.parts or self.parts[-1].endswith((" ", "\n"))
        if data[0].isspace() and not after_gap:
            text = " " + text
        if text and data[-1].isspace() and not text.endswith(" "):
            text += " "
        if text.strip() or (text and not after_gap):
            self.parts.append(text)
            self.length += len(text)


def html_to_document(html: str, *, fallback_title: str = "") -> Document:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = _without_nav_lines("".join(parser.parts), parser.headings)
    title = " ".join(parser.title.split()) or fallback_title
    return Document(text=text, title=title, headings=tuple(parser.headings))


def _without_nav_lines(text: str, headings: list[Heading]) -> str:
    """Blank out Texinfo-style navigation paragraphs (spaces of the same length keep every
    heading's offset right); the chunker drops the empty space."""
    if "Next" not in text and "Up" not in text and "Prev" not in text:
        return text
    out: list[str] = []
    for block in re.split(r"(\n\n)", text):
        line = " ".join(block.split())
        if block.strip() and _NAV_LINE.match(line) and len(line) < 300:
            out.append(" " * len(block))
        else:
            out.append(block)
    return "".join(out)
