"""Bytes to text: UTF-8 when it is, otherwise the encoding charset-normalizer detects; binary
data wearing a text extension is refused with a plain reason."""

from __future__ import annotations

from assistant_builder.core.knowledge.document import UnreadableDocument

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
BINARY_REASON = "it is a binary file, not text"


def looks_binary(sample: bytes) -> bool:
    if sample.startswith(_BOMS):
        return False
    if b"\x00" in sample:
        return True
    # Control bytes other than tab/newline/form feed/escape are rare in any text encoding.
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(4, len(sample) // 50)


def decode_text(data: bytes) -> str:
    if not data:
        return ""
    if looks_binary(data[:8192]):
        raise UnreadableDocument(BINARY_REASON)
    if not data.startswith(_BOMS[1:]):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    results = from_bytes(data)
    best = results.best()
    if best is None:
        raise UnreadableDocument(BINARY_REASON)
    # Short texts fit several code pages equally well; among equals, the one most text in the
    # wild was written in (Windows-1252, a superset of Latin-1) is the likeliest.
    for match in results:
        if (match.chaos, match.coherence) == (best.chaos, best.coherence) and match.encoding in (
            "cp1252",
            "latin_1",
        ):
            best = match
            break
    return str(best).replace("\r\n", "\n")
