"""Shared by the knowledge benchmarks: real text nobody here wrote, from the machine's man pages."""

from __future__ import annotations

import os
import subprocess


def man_page(name: str) -> str:
    """The rendered manual page of ``name`` as plain text ("" when it is not installed)."""
    env = {**os.environ, "MANWIDTH": "100", "MAN_KEEP_FORMATTING": ""}
    try:
        result = subprocess.run(
            ["man", "-P", "cat", name], capture_output=True, text=True, env=env, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout if result.returncode == 0 else ""
