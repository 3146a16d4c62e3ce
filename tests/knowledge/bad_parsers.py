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
