"""A cited document's text is read in the knowledge process by the isolated parsers: a file
whose parser crashes or hangs costs one plain sentence, and the process goes on serving."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant_builder.core.errors import KnowledgeError
from assistant_builder.core.knowledge.loaders import load_markdown
from assistant_builder.core.knowledge.process import KnowledgeProcess
from assistant_builder.core.knowledge.source_text import locate

pytestmark = pytest.mark.integration

BAD = "tests.knowledge.bad_parsers"


def test_the_text_and_the_passage_are_those_the_indexer_read(
    knowledge: KnowledgeProcess, tmp_path: Path
) -> None:
    path = tmp_path / "garden.md"
    path.write_text(
        "# Garden 🌱\n\nTomatoes like sun.\n\n## Pests\n\nAphids wash off with water.\n"
    )
    text = load_markdown(path).text
    start = text.index("Aphids")
    end = start + len("Aphids wash off with water.")
    source = knowledge.read_source(path, start, end, text[start:end])
    assert source.text == text and source.span == (start, end)
    # Recorded offsets that no longer fit: found again, or said to be gone.
    assert knowledge.read_source(path, 0, 27, text[start:end]).span == (start, end)
    assert knowledge.read_source(path, 0, 5, "Slugs love beer.").span is None


@pytest.mark.parametrize(
    ("parser", "why"),
    [
        ("segfault", "it crashed the program reading it, so it was skipped"),
        ("hang", "reading it took longer than 1 s, so it was skipped"),
    ],
)
def test_a_file_that_crashes_or_hangs_its_parser_costs_a_sentence(
    knowledge: KnowledgeProcess, tmp_path: Path, parser: str, why: str
) -> None:
    path = tmp_path / "hostile.txt"
    path.write_text("Looks harmless.\n")
    parsers = {".txt": f"{BAD}:{parser}"}
    with pytest.raises(KnowledgeError) as raised:
        knowledge.read_source(path, 0, 5, "Looks", parsers=parsers, time_limit_s=1.0)
    assert str(raised.value) == f"“hostile.txt” cannot be shown because {why}."
    pid = knowledge.process_id
    assert pid is not None
    assert knowledge.read_source(path, 0, 5, "Looks").span == (0, 5)
    assert knowledge.process_id == pid  # only the parser process was lost


def test_a_kind_of_file_the_app_does_not_read_is_said_so(
    knowledge: KnowledgeProcess, tmp_path: Path
) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(2048))  # a JPEG's start
    with pytest.raises(KnowledgeError) as raised:
        knowledge.read_source(path, 0, 1, "x")
    assert str(raised.value) == "“photo.jpg” is not a kind of document the app can show."


def test_locating_a_passage() -> None:
    text = "New text. The passage moved here: cats sleep a lot."
    assert locate(text, 0, 0, "") == (0, 0)
    assert locate(text, 34, 51, "cats sleep a lot.") == (34, 51)
    assert locate(text, 0, 17, "cats sleep a lot.") == (34, 51)
    assert locate(text, 0, 5, "dogs") is None
