"""Loaders on real files of every supported format, and the plain reasons for bad ones."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant_builder.core.knowledge.loaders import DEFAULT_PARSERS
from assistant_builder.core.knowledge.parsing import parse_file
from assistant_builder.core.knowledge.scan import scan_folders
from tests.knowledge.docs import write_docx, write_encrypted_pdf, write_pdf


def load(path: Path):
    result = parse_file(DEFAULT_PARSERS, path)
    assert not isinstance(result, str), result
    return result


def reason(path: Path) -> str:
    result = parse_file(DEFAULT_PARSERS, path)
    assert isinstance(result, str), f"{path.name} should have failed"
    return result


def test_pdf_text_is_read_per_page_with_page_offsets(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "a.pdf", ["Llamas live in the Andes.", "Alpacas (smaller) too."])
    doc = load(pdf)
    first = doc.text.index("Llamas")
    second = doc.text.index("Alpacas (smaller)")
    assert doc.page_at(first) == 1 and doc.page_at(second) == 2


def test_pdf_without_text_layer_needs_ocr_and_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    scan = write_pdf(tmp_path / "scan.pdf", ["", ""])
    assert "needs OCR" in reason(scan)
    plain = write_pdf(tmp_path / "plain.pdf", ["Secret plans."])
    locked = write_encrypted_pdf(tmp_path / "locked.pdf", plain)
    assert "password" in reason(locked)
    aes = write_encrypted_pdf(tmp_path / "aes.pdf", plain, algorithm="AES-256")
    assert "password" in reason(aes)
    # Encrypted only against editing (empty user password), as many PDFs are: readable.
    open_pdf = write_encrypted_pdf(tmp_path / "open.pdf", plain, password="", algorithm="AES-256")
    assert "Secret plans." in load(open_pdf).text
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nthis is not a pdf at all")
    assert "damaged" in reason(broken) or "not a real PDF" in reason(broken)


def test_docx_paragraphs_tables_and_headings(tmp_path: Path) -> None:
    doc = load(write_docx(tmp_path / "policy.docx"))
    assert "Employees book trains" in doc.text
    assert "Lisbon | 85 euros" in doc.text
    assert "Receipts are kept for seven years." in doc.text
    assert doc.heading_path(doc.text.index("Lisbon")) == ("Travel policy", "Allowances")


def test_html_visible_text_and_title_without_script_or_style(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Bread  baking</title><style>body{color:red}</style>"
        "<script>var secret = 'do not index';</script></head><body>"
        "<h1>Sourdough</h1><p>Feed the <b>starter</b> daily.</p>"
        "<noscript>enable js</noscript><p>Bake at 230&deg;C.</p></body></html>",
        encoding="utf-8",
    )
    doc = load(page)
    assert doc.title == "Bread baking"
    assert "Feed the starter daily." in doc.text
    assert "Bake at 230°C." in doc.text
    for hidden in ("secret", "color:red", "enable js"):
        assert hidden not in doc.text
    assert doc.heading_path(doc.text.index("Feed")) == ("Sourdough",)


def test_markdown_rst_csv_and_source_code(tmp_path: Path) -> None:
    md = tmp_path / "notes.md"
    md.write_text("# Garden\n\nIntro.\n\n## Pests\n\nAphids hate soap.\n", encoding="utf-8")
    doc = load(md)
    assert doc.heading_path(doc.text.index("Aphids")) == ("Garden", "Pests")
    rst = tmp_path / "guide.rst"
    rst.write_text("Guide\n=====\n\nIntro.\n\nInstall\n-------\n\nRun pip.\n", encoding="utf-8")
    doc = load(rst)
    assert doc.heading_path(doc.text.index("Run pip")) == ("Guide", "Install")
    table = tmp_path / "prices.csv"
    table.write_text("fruit,price\napple,1.20\npear,0.90\n", encoding="utf-8")
    doc = load(table)
    assert "fruit: pear; price: 0.90" in doc.text
    code = tmp_path / "tool.py"
    code.write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    assert "return a + b" in load(code).text


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("cp1252", "Le café crème brûlée est un dessert français servi froid. Où est l'été?"),
        ("latin-1", "Der Bär läuft über die Straße und isst Käse zum Frühstück."),
        ("utf-16", "Ελληνικά κείμενα και русский текст в одном файле."),
        ("shift_jis", "日本語のテキストファイルです。文字コードを自動で判別します。"),
    ],
)
def test_non_utf8_text_is_decoded_correctly(tmp_path: Path, encoding: str, text: str) -> None:
    file = tmp_path / "legacy.txt"
    file.write_bytes(((text + "\n") * 3).encode(encoding))
    assert load(file).text.strip().splitlines()[0] == text


def test_binary_file_with_a_text_extension_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "photo.txt"
    fake.write_bytes(bytes(range(256)) * 40)
    assert reason(fake) == "it is a binary file, not text"


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text("private")
    locked.chmod(0)
    if os.geteuid() != 0:
        assert "permission denied" in reason(locked)
        return
    # Root reads any file; without the capabilities that let it, it is refused like anyone.
    import subprocess
    import sys

    probe = (
        "import sys; from pathlib import Path;"
        "from assistant_builder.core.knowledge.loaders import DEFAULT_PARSERS;"
        "from assistant_builder.core.knowledge.parsing import parse_file;"
        "print(parse_file(DEFAULT_PARSERS, Path(sys.argv[1])))"
    )
    result = subprocess.run(
        ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
         "--bounding-set=-dac_override,-dac_read_search",
         sys.executable, "-c", probe, str(locked)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "permission denied" in result.stdout


def test_symlink_loops_and_dangling_links_are_reported_by_the_scan(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.txt").write_text("hello")
    (root / "sub" / "back").symlink_to(root, target_is_directory=True)
    (root / "self.txt").symlink_to(root / "self.txt")
    (root / "gone.txt").symlink_to(root / "missing.txt")
    result = scan_folders([str(root)], include=(), exclude=(), extensions=DEFAULT_PARSERS)
    assert [f.path for f in result.files] == [str(root / "sub" / "a.txt")]
    reasons = dict(result.failed)
    assert "loops back" in reasons[str(root / "sub" / "back")]
    assert "loops back" in reasons[str(root / "self.txt")]
    assert "no longer exists" in reasons[str(root / "gone.txt")]


def test_include_and_exclude_patterns(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    (root / "drafts").mkdir(parents=True)
    (root / "keep.md").write_text("a")
    (root / "skip.txt").write_text("b")
    (root / "drafts" / "wip.md").write_text("c")
    (root / ".hidden.md").write_text("d")
    result = scan_folders(
        [str(root)], include=("*.md",), exclude=("drafts", ".*"), extensions=DEFAULT_PARSERS
    )
    assert [Path(f.path).name for f in result.files] == ["keep.md"]


def test_a_file_too_large_to_take_in_whole_is_skipped_before_it_is_read(tmp_path: Path) -> None:
    """Issue 19: a 2 GB text file or a CSV with one 500 MB line would take a parser past its
    memory; it is skipped at once, by its size, with what to do."""
    from assistant_builder.core.knowledge.loaders import READ_LIMIT

    for name in ("huge.txt", "huge.md", "one-line.csv", "page.html"):
        big = tmp_path / name
        with big.open("wb") as handle:  # sparse past its first lines: nothing else written
            handle.write(b"name,notes\n" + b"Cats sleep. " * 400)
            handle.truncate(READ_LIMIT + 1)
        assert reason(big) == (
            "it holds more than 256 MB of text; split it into smaller files to include it"
        ), name
    exactly = tmp_path / "exactly.txt"
    exactly.write_bytes(b"Cats sleep. " * 1000)
    assert "Cats sleep" in load(exactly).text


def test_a_docx_whose_text_unpacks_past_the_limit_is_skipped_but_pictures_do_not_count(
    tmp_path: Path,
) -> None:
    import zipfile

    from assistant_builder.core.knowledge.loaders import READ_LIMIT

    good = tmp_path / "good.docx"
    write_docx(good)
    bomb, photos = tmp_path / "bomb.docx", tmp_path / "photos.docx"
    for target, name in ((bomb, "word/padding.xml"), (photos, "word/media/photo.png")):
        with (
            zipfile.ZipFile(good) as source,
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out,
        ):
            for member in source.infolist():
                out.writestr(member, source.read(member))
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED  # a few hundred KB on disk
            with out.open(info, "w", force_zip64=True) as part:
                block = b"\0" * (1 << 20)
                for _ in range((READ_LIMIT >> 20) + 1):
                    part.write(block)
    assert reason(bomb) == ("its text unpacks to more than 256 MB (a damaged or hostile file)")
    assert "Employees book trains" in load(photos).text
