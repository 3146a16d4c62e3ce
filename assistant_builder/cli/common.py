"""What every command shares: the one place errors become a plain sentence and an exit code."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import traceback
from typing import Any

from assistant_builder.core.errors import AppError, Cancelled
from assistant_builder.core.services import Services

log = logging.getLogger("assistant_builder")


def services() -> Services:
    made = Services.create()
    for sentence in made.repair_damaged():
        progress(sentence)
    return made


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def sentence(exc: AppError) -> str:
    """The error's sentence with the command that does what it asks, when there is one."""
    text = str(exc)
    if exc.command:
        text = f"{text.rstrip('.')} (run “assistant-builder {exc.command}”)."
    return text


def run_command(args: argparse.Namespace) -> int:
    debug = bool(getattr(args, "debug", False))
    try:
        result = args.handler(args)
        return int(result or 0)
    except (Cancelled, KeyboardInterrupt):
        print("Stopped.", file=sys.stderr)
        return 130
    except AppError as exc:
        if debug:
            traceback.print_exc()
        print(sentence(exc), file=sys.stderr)
        return 1
    except Exception as exc:
        if debug:
            traceback.print_exc()
        else:
            log.debug("unexpected error", exc_info=True)
        print(
            f"Something unexpected went wrong ({type(exc).__name__}: {exc}); "
            "run the command again with --debug for details.",
            file=sys.stderr,
        )
        return 1
