"""Suggested first questions from the headings of real documents: Markdown, Word heading
styles, PDF bookmarks, underlined plain text and the Debian READMEs in tests/data."""

from __future__ import annotations

from pathlib import Path

from assistant_builder.core.knowledge import loaders
from assistant_builder.core.knowledge.chunker import chunk_document
from assistant_builder.core.knowledge.document import Document
from assistant_builder.core.knowledge.suggestions import (
    Section,
    clean_heading,
    suggest_questions,
)
from tests.knowledge.docs import write_docx, write_pdf

REAL_DOCS = Path(__file__).resolve().parent.parent / "data" / "real_docs"
LOADERS = {
    ".txt": loaders.load_text,
    ".md": loaders.load_markdown,
    ".pdf": loaders.load_pdf,
    ".docx": loaders.load_docx,
}


def sections_of(*files: Path) -> list[Section]:
    """The passages the indexer would store for ``files`` (same loaders, same chunker)."""
    sections = []
    for path in files:
        document: Document = LOADERS[path.suffix](path)
        for chunk in chunk_document(document, lambda t: len(t.split()), max_tokens=120):
            sections.append(Section(str(path), chunk.start, " › ".join(chunk.heading), chunk.text))
    return sections


def test_markdown_headings_become_questions_about_their_section(tmp_path: Path) -> None:
    manual = tmp_path / "dishwasher-manual.md"
    manual.write_text(
        "# Dishwasher manual\n\nThe model DW-40 washes twelve place settings quietly.\n\n"
        "## Cleaning the filter\n\nTwist the filter anticlockwise, lift it out and rinse it "
        "under warm water once a month.\n\n## Contents of the box\n\nThe dishwasher, a "
        "cutlery basket, a salt funnel and this manual.\n",
        encoding="utf-8",
    )
    questions = suggest_questions(sections_of(manual))
    assert questions[0] == "What does “Dishwasher manual” say about Cleaning the filter?"
    assert "What does “Dishwasher manual” say about Contents of the box?" in questions
    assert "What is “Dishwasher manual” about?" in questions


def test_word_heading_styles_and_pdf_bookmarks_are_used(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    plain = write_pdf(
        tmp_path / "plain.pdf",
        [["Warranty", "The warranty lasts two years from the day of purchase, parts included."],
         ["Returns", "Unused goods may be returned within thirty days with the receipt."]],
    )  # fmt: skip
    writer = PdfWriter(clone_from=plain)
    writer.add_outline_item("Warranty", 0)
    writer.add_outline_item("Returns", 1)
    with (tmp_path / "shop-terms.pdf").open("wb") as handle:
        writer.write(handle)
    questions = suggest_questions(
        sections_of(write_docx(tmp_path / "travel.docx"), tmp_path / "shop-terms.pdf"), count=4
    )
    # Both documents are asked about before either is asked about twice; two headings of
    # the same level make no title, so the file's name stands for the PDF.
    assert questions[:2] == [
        "What does “shop terms” say about Warranty?",
        "What does “Travel policy” say about Allowances?",
    ]
    assert "What does “shop terms” say about Returns?" in questions


def test_the_real_debian_readmes_give_three_questions_from_three_documents() -> None:
    files = sorted(REAL_DOCS.glob("*.txt"))
    questions = suggest_questions(sections_of(*files))
    assert questions == [
        "What does “adduser in Debian” say about Documentation?",
        "What is “Frequently Asked Questions about base-files” about?",
        "What is “base-passwd for Debian” about?",
    ]


def test_no_question_about_nothing(tmp_path: Path) -> None:
    """Headings with no text under them, generic ones and bare numbers are never asked."""
    notes = tmp_path / "notes.md"
    notes.write_text(
        "# Contents\n\n1. Intro\n2. End\n\n## 3.1\n\nSome text here that is long enough "
        "to be a passage of its own, surely.\n\n## Empty heading\n",
        encoding="utf-8",
    )
    loose = tmp_path / "loose.txt"
    loose.write_text("just a line without a body\n", encoding="utf-8")
    assert suggest_questions(sections_of(notes, loose)) == []
    assert suggest_questions([]) == []


def test_headings_are_cleaned_into_subjects() -> None:
    assert clean_heading("2. Rent:") == "Rent"
    assert clean_heading("  1.2   Cleaning   the filter ") == "Cleaning the filter"
    assert clean_heading("WATER DAMAGE") == "Water damage"
    assert clean_heading("Table of contents") == ""
    assert clean_heading("- item") == ""
    assert clean_heading("x" * 90) == ""
