"""Loaders: one function per file format, turning a file into a Document. They run inside the
parser worker processes (see parsing.py), so each imports its heavy library only when called."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from assistant_builder.core.knowledge.document import Document, Heading, UnreadableDocument
from assistant_builder.core.knowledge.textdecode import decode_text

CODE_EXTENSIONS = [
    ".py", ".pyi", ".js", ".jsx", ".ts", ".tsx", ".java", ".kt", ".c", ".h", ".cc", ".cpp",
    ".hpp", ".cs", ".go", ".rs", ".rb", ".php", ".swift", ".scala", ".sh", ".bash", ".zsh",
    ".ps1", ".sql", ".r", ".m", ".lua", ".pl", ".toml", ".yaml", ".yml", ".json", ".ini",
    ".cfg", ".xml", ".css", ".tex", ".org", ".log",
]  # fmt: skip

# Extension -> "module:function". A mapping of names (not functions) so a registry can be
# sent to spawned worker processes; tests register their own parsers the same way.
DEFAULT_PARSERS: dict[str, str] = {
    ".txt": f"{__name__}:load_text",
    ".text": f"{__name__}:load_text",
    ".md": f"{__name__}:load_markdown",
    ".markdown": f"{__name__}:load_markdown",
    ".rst": f"{__name__}:load_rst",
    ".csv": f"{__name__}:load_csv",
    ".tsv": f"{__name__}:load_csv",
    ".html": f"{__name__}:load_html",
    ".htm": f"{__name__}:load_html",
    ".pdf": f"{__name__}:load_pdf",
    ".docx": f"{__name__}:load_docx",
    ".gz": f"{__name__}:load_gzip",
    "": f"{__name__}:load_text",  # no extension: read when it is text (see filetypes.py)
    **{ext: f"{__name__}:load_text" for ext in CODE_EXTENSIONS},
}
# A loader takes a file in whole: one bigger than this (or a compressed one that unpacks to
# more) is skipped with a plain reason, so a parser stays well inside its memory limit.
READ_LIMIT = 256 << 20
TOO_LARGE = (
    f"it holds more than {READ_LIMIT >> 20} MB of text; split it into smaller files to include it"
)


def read_limited(path: Path) -> bytes:
    """The file's bytes, or UnreadableDocument when it is over READ_LIMIT."""
    if path.stat().st_size > READ_LIMIT:
        raise UnreadableDocument(TOO_LARGE)
    return path.read_bytes()


def read_text(path: Path) -> str:
    return decode_text(read_limited(path))


def load_gzip(path: Path) -> Document:
    """What a ``.gz`` file holds, read by the parser of the file inside (``a.md.gz`` as
    Markdown), unpacked into a private temporary file no larger than READ_LIMIT."""
    import gzip
    import importlib
    import shutil
    import tempfile

    from assistant_builder.core.knowledge.filetypes import inner_key

    module, _, name = DEFAULT_PARSERS.get(inner_key(path), "").partition(":")
    if not name or inner_key(path) == ".gz":
        raise UnreadableDocument("what it holds is not a kind of document the app reads")
    with tempfile.TemporaryDirectory(prefix="gz-") as folder:
        inner = Path(folder) / path.stem
        try:
            with gzip.open(path, "rb") as source, inner.open("wb") as target:
                copied = 0
                while chunk := source.read(1 << 20):
                    copied += len(chunk)
                    if copied > READ_LIMIT:
                        raise UnreadableDocument(
                            f"it unpacks to more than {READ_LIMIT >> 20} MB; unpack it "
                            "into the folder to include it"
                        )
                    target.write(chunk)
        except (OSError, EOFError) as exc:
            raise UnreadableDocument("it is damaged or not really compressed") from exc
        shutil.copystat(path, inner)
        document: Document = getattr(importlib.import_module(module), name)(inner)
    title = path.name if document.title == inner.name else document.title
    return Document(text=document.text, title=title, headings=document.headings,
                    pages=document.pages)  # fmt: skip


def load_text(path: Path) -> Document:
    return Document(text=read_text(path), title=path.name)


_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)


def load_markdown(path: Path) -> Document:
    text = read_text(path)
    headings = tuple(
        Heading(m.start(2), len(m.group(1)), m.group(2).strip()) for m in _MD_HEADING.finditer(text)
    )
    title = headings[0].title if headings else path.name
    return Document(text=text, title=title, headings=headings)


_RST_UNDERLINE = re.compile(r"^([=\-~`#\"^+*:.'_])\1{2,}[ \t]*$")


def load_rst(path: Path) -> Document:
    text = read_text(path)
    headings: list[Heading] = []
    levels: list[str] = []  # rst levels are set by the order the underline styles appear
    offset = 0
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines[:-1]):
        nxt = lines[i + 1].rstrip()
        title = line.strip()
        if title and _RST_UNDERLINE.match(nxt) and len(nxt) >= len(title):
            if nxt[0] not in levels:
                levels.append(nxt[0])
            headings.append(Heading(offset + line.index(title), levels.index(nxt[0]) + 1, title))
        offset += len(line)
    return Document(
        text=text, title=headings[0].title if headings else path.name, headings=tuple(headings)
    )


def load_csv(path: Path) -> Document:
    raw = read_text(path)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(raw[:8192])
    except csv.Error:
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    rows = list(csv.reader(io.StringIO(raw), dialect))
    if not rows:
        return Document(text="", title=path.name)
    header = [h.strip() for h in rows[0]]
    # One row per paragraph, each value labelled by its column, so a passage stands alone.
    lines = [", ".join(header)]
    for row in rows[1:]:
        cells = [f"{h}: {v.strip()}" if h else v.strip() for h, v in zip(header, row, strict=False)]
        lines.append("; ".join(c for c in cells if c))
    return Document(text="\n\n".join(lines), title=path.name)


def load_html(path: Path) -> Document:
    from assistant_builder.core.knowledge.htmltext import html_to_document

    return html_to_document(read_text(path), fallback_title=path.name)


def load_pdf(path: Path) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError, PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument("it is protected by a password; save an unlocked copy")
        parts: list[str] = []
        pages: list[tuple[int, int]] = []
        offset = 0
        for number, page in enumerate(reader.pages, start=1):
            page_text = (page.extract_text() or "").strip()
            pages.append((offset, number))
            parts.append(page_text + "\n\n")
            offset += len(page_text) + 2
        metadata = reader.metadata
        title = str((metadata.get("/Title") if metadata else None) or path.name)
        headings = _pdf_outline(reader, pages, "".join(parts))
    except UnreadableDocument:
        raise
    except DependencyError as exc:
        raise UnreadableDocument(
            "it is encrypted in a way this app cannot read; save an unlocked copy"
        ) from exc
    except (PyPdfError, PdfReadError, ValueError, KeyError, TypeError, NotImplementedError) as exc:
        if "crypt" in str(exc).lower() or "password" in str(exc).lower():
            raise UnreadableDocument(
                "it is protected by a password; save an unlocked copy"
            ) from exc
        raise UnreadableDocument("it is damaged or not a real PDF") from exc
    text = "".join(parts)
    if not text.strip():
        raise UnreadableDocument("it has no text layer (a scan?); it needs OCR first")
    return Document(text=text, title=title, pages=tuple(pages), headings=headings)


def _pdf_outline(reader: Any, pages: list[tuple[int, int]], text: str) -> tuple[Heading, ...]:
    """The PDF's bookmarks as headings, each at its title on its page (or the page's start);
    a damaged outline only costs the headings, never the document."""
    found: list[tuple[int, int, str]] = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                number = reader.get_destination_page_number(item)
                name = " ".join(str(item.title).split())
            except Exception:  # pypdf raises many kinds on odd outlines
                continue
            if name and 0 <= number < len(pages):
                page_start = pages[number][0]
                page_end = pages[number + 1][0] if number + 1 < len(pages) else len(text)
                at = text.find(name, page_start, page_end)
                found.append((at if at >= 0 else page_start, level, name))

    try:
        walk(list(reader.outline), 1)
    except Exception:
        return ()
    return tuple(Heading(start, level, name) for start, level, name in sorted(found))


_DOCX_HEADING = re.compile(r"^(?:Heading|Überschrift|Titre)\s*(\d)$", re.I)


def load_docx(path: Path) -> Document:
    import zipfile

    import docx
    from docx.table import Table

    try:
        with zipfile.ZipFile(path) as archive:  # sizes as declared; reading stops at them
            members = archive.infolist()
        unpacked = sum(m.file_size for m in members if m.filename.endswith((".xml", ".rels")))
        if unpacked > READ_LIMIT:  # its pictures do not count: they are not read
            raise UnreadableDocument(
                f"its text unpacks to more than {READ_LIMIT >> 20} MB (a damaged or hostile file)"
            )
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocument("it is damaged or not a real Word document") from exc
    parts: list[str] = []
    headings: list[Heading] = []
    offset = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            rows = [" | ".join(cell.text.strip() for cell in row.cells) for row in block.rows]
            text = "\n".join(rows).strip()
        else:
            text = block.text.strip()
            style = block.style.name if block.style is not None else ""
            match = _DOCX_HEADING.match(style or "")
            level = 1 if style == "Title" else int(match.group(1)) if match else 0
            if text and level:
                headings.append(Heading(offset, level, text))
        if text:
            parts.append(text + "\n\n")
            offset += len(text) + 2
    core_title = document.core_properties.title or ""
    title = core_title or (headings[0].title if headings else path.name)
    return Document(text="".join(parts), title=title, headings=tuple(headings))
