"""A guard against a reference-counting bug of PySide6 6.12 on Python 3.11.

Every void Qt method called from Python (``label.setText``, ``painter.save`` …) hands back
None without taking a reference to it, and getters that return a null pointer do the same,
so each call drops None's reference count by one. On Python 3.12+ None is immortal and
nothing happens; on 3.11 the count reaches zero after some tens of thousands of calls and the
interpreter aborts ("Fatal Python error: none_dealloc"). Scrolling a list painted by a Python
delegate makes hundreds of such calls a second. The guard does what Python 3.12 does (PEP
683): it gives None a reference count so high that no session can use it up."""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 40  # a trillion calls; CPython 3.12 uses a similar "immortal" count


def protect_none() -> None:
    """Make None effectively immortal on Python < 3.12 (a no-op after the first call)."""
    if sys.version_info >= (3, 12) or sys.getrefcount(None) > _HEADROOM // 2:
        return
    ctypes.c_ssize_t.from_address(id(None)).value += _HEADROOM
