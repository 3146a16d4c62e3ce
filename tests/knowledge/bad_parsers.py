"""Parsers that misbehave on purpose, registered for test extensions by the isolation tests."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from assistant_builder.core.knowledge.document import Document


def hang(path: Path) -> Document:
    time.sleep(3600)
    raise AssertionError("unreachable")


def exit_process(path: Path) -> Document:
    os._exit(3)


def segfault(path: Path) -> Document:
    os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(10)
    raise AssertionError("unreachable")


def wait_for_go(path: Path) -> Document:
    """Says it has started (a ``.started`` file beside ``path``), then reads ``path`` once a
    ``.go`` file appears: the test decides what happens around it meanwhile."""
    path.with_suffix(".started").touch()
    while not path.with_suffix(".go").exists():
        time.sleep(0.05)
    return Document(text=path.read_text(encoding="utf-8"), title=path.name)
