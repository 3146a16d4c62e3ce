"""HTML to a Document: the visible text and the title, headings kept, script and style dropped.
The standard library's tolerant html.parser is enough for reading text out of a page."""

from __future__ import annotations

from html.parser import HTMLParser

from assistant_builder.core.knowledge.document import Document, Heading

_HIDDEN = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header", "footer",
    "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "hr", "main", "nav",
    "aside", "figure", "figcaption", "form",
}  # fmt: skip
_HEADINGS = {f"h{n}": n for n in range(1, 7)}


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

    def _break(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n\n"):
            sep = "\n" if self.parts[-1].endswith("\n") else "\n\n"
            self.parts.append(sep)
            self.length += len(sep)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        elif tag in _HIDDEN:
            self.hidden_depth += 1
        if tag in _BLOCK:
            self._break()
        if tag in _HEADINGS and not self.hidden_depth:
            self._heading = (_HEADINGS[tag], self.length)

    def handle_endtag(self, tag: str) -> None:
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
        if self.hidden_depth or not data:
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
    text = "".join(parser.parts)
    title = " ".join(parser.title.split()) or fallback_title
    return Document(text=text, title=title, headings=tuple(parser.headings))
