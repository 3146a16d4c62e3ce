"""The app's log file, and what stays out of the terminal: llama.cpp's own messages (context
sizes, tokenizer details) are for the log file and --debug, never for someone reading an answer."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler

from assistant_builder.core.paths import Paths

LLAMA_LOGGER = "assistant_builder.llama"  # llama.cpp's log callback writes here


def log_to_file(paths: Paths) -> None:
    """Send the app's records (INFO and up) to its rotating log file."""
    paths.log_dir.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(paths.log_file, maxBytes=2_000_000, backupCount=3)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def not_from_llama(record: logging.LogRecord) -> bool:
    """A handler filter that keeps llama.cpp's records out (of the terminal)."""
    return not record.name.startswith(LLAMA_LOGGER)
