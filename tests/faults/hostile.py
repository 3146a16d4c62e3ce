"""Hostile documents that are valid files (issue 19 point 6), made at a chosen scale, then
indexed by the app's indexer in a child process (tests/faults/hostile_child.py) whose peak
resident memory, and that of its parser processes, is measured: each file is indexed or
skipped with a plain reason, the ordinary files beside them are indexed, and nothing grows
past 2 GB. The test runs a small scale, bench/faults_report.py the sizes the issue names."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LIMIT_MB = 2048

_DOCX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
    'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
    'org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>",
}
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx(path: Path, body_chunks: object, doctype: str = "") -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as docx:
        for name, text in _DOCX_PARTS.items():
            docx.writestr(name, text)
        with docx.open("word/document.xml", "w", force_zip64=True) as out:
            out.write(f'<?xml version="1.0"?>{doctype}<w:document xmlns:w="{_W}"><w:body>'.encode())
            for chunk in body_chunks:  # type: ignore[attr-defined]
                out.write(chunk)
            out.write(b"</w:body></w:document>")


def make_folder(folder: Path, *, scale: float) -> dict[str, str]:
    """The hostile files (and three ordinary ones) at ``scale`` (1.0: the issue's sizes);
    returns file name -> what it is."""
    folder.mkdir(parents=True, exist_ok=True)
    made: dict[str, str] = {}
    paragraph = b"<w:p><w:r><w:t>cats sleep</w:t></w:r></w:p>" * 2000
    bomb_mb = int(1024 * scale)  # 1 GB of XML in a file of a few MB
    pieces = bomb_mb * 1024 * 1024 // len(paragraph)
    _docx(folder / "bomb.docx", (paragraph for _ in range(pieces)))
    made["bomb.docx"] = f"a DOCX zip bomb ({bomb_mb} MB of XML)"
    laughs = "".join(f'<!ENTITY l{n} "' + f"&l{n - 1};" * 10 + '">' for n in range(1, 10))
    doctype = f'<!DOCTYPE w:document [<!ENTITY l0 "lol">{laughs}]>'
    _docx(folder / "laughs.docx", [b"<w:p><w:r><w:t>&l9;</w:t></w:r></w:p>"], doctype)
    made["laughs.docx"] = "a DOCX with an XML entity expansion (a billion laughs)"
    depth = 100_000  # cheap at any scale: 1 MB
    (folder / "deep.html").write_text("<div>" * depth + "cats" + "</div>" * depth)
    made["deep.html"] = f"HTML nested {depth:,} deep"
    from pypdf import PdfWriter

    writer, pages = PdfWriter(), max(100, int(20_000 * scale))
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    with open(folder / "blank.pdf", "wb") as handle:
        writer.write(handle)
    made["blank.pdf"] = f"a PDF of {pages:,} blank pages"
    line_mb = max(1, int(500 * scale))
    with open(folder / "oneline.csv", "wb") as handle:
        handle.write(b"name,notes\ncat,")
        block = b"purr " * 200_000
        for _ in range(line_mb):
            handle.write(block)
        handle.write(b"\n")
    made["oneline.csv"] = f"a CSV with one {line_mb} MB line"
    text_mb = int(2048 * scale)
    if text_mb >= 1:
        with open(folder / "huge.txt", "wb") as handle:
            block = b"Cats sleep for about fifteen hours a day. " * 25_000
            for _ in range(text_mb):
                handle.write(block)
        made["huge.txt"] = f"a {text_mb} MB text file"
    empty = folder / "empties"
    empty.mkdir()
    count = max(1000, int(100_000 * scale))
    for n in range(count):
        (empty / f"e{n}.txt").touch()
    made["empties"] = f"a folder of {count:,} empty files"
    (folder / "changing.txt").write_text("Cats sleep.\n" * 1000, encoding="utf-8")
    made["changing.txt"] = "a file that changes while it is read"
    for n in range(3):
        (folder / f"note{n}.md").write_text(f"# Note {n}\n\nCats sleep {n + 14} hours a day.\n")
        made[f"note{n}.md"] = "an ordinary note"
    return made


@dataclass
class HostileResult:
    tried: int = 0
    survived: int = 0
    problems: list[str] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)
    peak_mb: float = 0.0
    seconds: float = 0.0


def index_hostile(
    folder: Path, made: dict[str, str], *, parse_limit_s: float = 120, timeout_s: float = 3600
) -> HostileResult:
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    command = [sys.executable, "-m", "tests.faults.hostile_child", str(folder), str(parse_limit_s)]
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": path},
                          capture_output=True, text=True, timeout=timeout_s)  # fmt: skip
    result = HostileResult()
    if done.returncode != 0:
        result.problems.append(f"the indexing process failed: {done.stderr[-2000:]}")
        return result
    out = json.loads(done.stdout)
    result.peak_mb, result.seconds = out["peak_mb"], out["report"]["seconds"]
    indexed = {Path(p).name for p in out["indexed"]}
    reasons = {Path(f["path"]).name: f["reason"] for f in out["report"]["files_failed"]}
    for name, what in made.items():
        result.tried += 1
        if name == "empties":
            outcome = "ok" if all(f"e{n}.txt" not in reasons or reasons[f"e{n}.txt"]
                                  for n in range(3)) else "no reason given"  # fmt: skip
        elif name in indexed:
            outcome = "indexed"
        elif name in reasons:
            outcome = f"skipped: {reasons[name]}"
        else:
            outcome = "neither indexed nor skipped"
        result.outcomes[name] = outcome
        if outcome.startswith("neither") or (name.startswith("note") and outcome != "indexed"):
            result.problems.append(f"{what}: {outcome}")
        elif re.search(r"[A-Z][a-z]+[A-Z]\w*|\(\w+:", outcome):  # "XMLSyntaxError", "(Error:"
            result.problems.append(f"{what}: the reason is not in the user's words: {outcome}")
        else:
            result.survived += 1
    if result.peak_mb > LIMIT_MB:
        result.problems.append(f"the indexing used {result.peak_mb:.0f} MB at its peak")
    return result
