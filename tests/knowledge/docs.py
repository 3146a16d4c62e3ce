"""Builders of real document files for the knowledge tests (PDF written by hand, DOCX with
python-docx), so loaders are tested on the formats they will meet."""

from __future__ import annotations

from pathlib import Path


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def write_pdf(path: Path, pages: list[str] | list[list[str]]) -> Path:
    """A minimal valid PDF, each page one line of Helvetica text or a list of lines from the
    top down ("" gives a page without any text layer, like a scan)."""
    objects: list[bytes] = []
    n_pages = len(pages)
    # 1: catalog, 2: pages, 3: font, then per page: page object, content stream.
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, text in enumerate(pages):
        lines = [text] if isinstance(text, str) else text
        shown = " ".join(f"({_pdf_escape(line)}) Tj 0 -16 Td" for line in lines if line)
        content = f"BT /F1 12 Tf 72 720 Td {shown} ET".encode() if shown else b""
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path.write_bytes(bytes(out))
    return path


def write_encrypted_pdf(
    path: Path, source: Path, password: str = "secret", algorithm: str = "RC4-128"
) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=source)
    writer.encrypt(user_password=password, owner_password="owner-secret", algorithm=algorithm)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def write_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("Travel policy", level=1)
    document.add_paragraph("Employees book trains for trips under four hours.")
    document.add_heading("Allowances", level=2)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "City"
    table.cell(0, 1).text = "Daily allowance"
    table.cell(1, 0).text = "Lisbon"
    table.cell(1, 1).text = "85 euros"
    document.add_paragraph("Receipts are kept for seven years.")
    document.save(str(path))
    return path
