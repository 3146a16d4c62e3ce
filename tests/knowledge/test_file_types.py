"""Every file in a collection's folders is either read or reported with a reason: compressed
text, files without an extension, generated HTML manuals (without their navigation bars), and
what the app does not read at all; the last report survives a restart."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.filetypes import ARCHIVE, NOT_READ
from assistant_builder.core.knowledge.htmltext import html_to_document
from assistant_builder.core.knowledge.loaders import DEFAULT_PARSERS
from assistant_builder.core.knowledge.parsing import parse_file
from assistant_builder.core.knowledge.store import ChunkStore
from tests.fakes import DeterministicEmbedder
from tests.knowledge.conftest import run_index

MANUAL = Path(__file__).parent.parent / "data" / "real_html"
NOTES = "Water the tomatoes every morning before the sun is high.\n"


def test_a_texinfo_manual_page_keeps_its_text_and_headings_but_not_its_navigation() -> None:
    page = html_to_document((MANUAL / "The-Basics.html").read_text(encoding="utf-8"))
    assert "Next:" not in page.text and "Up:" not in page.text and "[Index]" not in page.text
    assert "libffi assumes that you have a pointer to the function" in page.text
    heading = next(h for h in page.headings if h.title == "2.1 The Basics")
    assert page.text[heading.start :].startswith("2.1 The Basics")  # offsets still right


def test_navigation_elements_of_other_generators_are_left_out() -> None:
    html = (
        "<html><body><nav><a href='a'>Home</a> › <a href='b'>Guide</a></nav>"
        "<div class='related' role='navigation'><ul><li>previous</li><li>next</li></ul></div>"
        "<div class='navheader'><table><tr><td>Prev</td><td>Chapter 2</td></tr></table></div>"
        "<h1>Filters</h1><p>Rinse the filter <b>monthly</b>.</p>"
        "<div class='navfooter'><div>Up</div></div><p>Replace it yearly.</p></body></html>"
    )
    page = html_to_document(html)
    assert " ".join(page.text.split()) == "Filters Rinse the filter monthly. Replace it yearly."


def test_compressed_and_extensionless_text_is_read(tmp_path: Path) -> None:
    (tmp_path / "notes.txt.gz").write_bytes(gzip.compress(NOTES.encode()))
    (tmp_path / "guide.md.gz").write_bytes(gzip.compress(b"# Soil\n\nAdd compost in spring.\n"))
    (tmp_path / "README").write_text("Read me: the shed key is under the pot.\n")
    for name, expected in (("notes.txt.gz", NOTES), ("README", "shed key")):
        document = parse_file(DEFAULT_PARSERS, tmp_path / name)
        assert not isinstance(document, str) and expected in document.text
    guide = parse_file(DEFAULT_PARSERS, tmp_path / "guide.md.gz")
    assert not isinstance(guide, str) and [h.title for h in guide.headings] == ["Soil"]


def test_what_is_not_read_is_reported_and_the_report_is_kept(
    collections: Collections, tmp_path: Path
) -> None:
    folder = tmp_path / "shared"
    for sub in ("a", "b"):  # two index.html, told apart by their folders
        (folder / sub).mkdir(parents=True)
        shutil.copy(MANUAL / "index.html", folder / sub / "index.html")
    (folder / "notes.txt.gz").write_bytes(gzip.compress(NOTES.encode()))
    (folder / "LICENSE").write_text("Permission is granted to share these notes.\n")
    # An extension no parser knows: read as text when it is text (Debian's README.Debian).
    (folder / "README.Debian").write_text("Notes for Debian: the shed key is blue.\n")
    (folder / "archive.dat").write_bytes(bytes(range(256)) * 8)
    (folder / "program").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(4096))
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(2048))
    (folder / "backup.tar.gz").write_bytes(gzip.compress(bytes(1024)))
    collections.create("shared", [folder], embedder="fake-hash-64")

    report, _ = run_index(collections, "shared", embedder=DeterministicEmbedder(64))

    read = {str(Path(p).relative_to(folder)) for p in report.indexed}
    assert read == {"a/index.html", "b/index.html", "notes.txt.gz", "LICENSE", "README.Debian"}
    skipped = {str(Path(p).relative_to(folder)): reason for p, reason in report.skipped}
    assert skipped == {"program": NOT_READ, "photo.jpg": NOT_READ, "archive.dat": NOT_READ,
                       "backup.tar.gz": ARCHIVE}  # fmt: skip
    assert report.to_json()["files_skipped"] == [
        {"path": p, "reason": r} for p, r in report.skipped
    ]
    # No stored passage is a navigation bar.
    store = ChunkStore(collections.store_uri(collections.get("shared")))
    texts = [row["text"] for row in store.rows(["text"])]
    assert texts and not any("Next:" in t or "[Index]" in t for t in texts)

    # A restart (a new Collections over the same folder) still has the report.
    kept = Collections(collections.paths).last_report("shared")
    assert kept is not None
    assert kept.indexed == report.indexed and kept.skipped == report.skipped
    assert kept.failed == report.failed and kept.chunks == report.chunks

    # A run that finds nothing new keeps a report that still lists what was left out.
    again, _ = run_index(collections, "shared", embedder=DeterministicEmbedder(64))
    assert again.chunks == 0 and again.skipped == report.skipped
    assert Collections(collections.paths).last_report("shared").skipped == report.skipped
