"""Text that looks like HTML or XML, as models write it (copying their prompt's own markup)
and as people type it: each must be shown as the characters written, never interpreted.
Each entry is (what was written, a part that must be visible as written)."""

from __future__ import annotations

RAW_HTML = [
    ('<passage n="1" source="lease.pdf, page 3">The rent is due on the first.',
     '<passage n="1" source="lease.pdf, page 3">The rent is due on the first.'),
    ("use #include <stdio.h> and the <b>bold</b> tag",
     "use #include <stdio.h> and the <b>bold</b> tag"),
    ("<script>alert('hi')</script> Then pay the rent.",
     "<script>alert('hi')</script> Then pay the rent."),
    ("<style>p { color: white }</style> The deposit is returned.",
     "<style>p { color: white }</style> The deposit is returned."),
    ("Before <!-- a comment that is never closed. The deposit is two months' rent.",
     "<!-- a comment that is never closed. The deposit is two months' rent."),
    ('<div class="note">An unclosed tag **with markdown** after it', '<div class="note">'),
    ("The answer ends here.</passage>", "The answer ends here.</passage>"),
]  # fmt: skip
