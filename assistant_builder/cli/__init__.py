"""Command-line adapter over core. Each command group lives in its own module, named as its
command in ``GROUPS``, and registers itself; every command it lists works (nothing here is a
placeholder). A command line imports only the module of the command it names: what the
other modules import was most of the start time of a `search` (bench/cli_start.py)."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import signal
import sys
import threading
from collections.abc import Sequence

from assistant_builder import APP_NAME, __version__
from assistant_builder.core.logs import log_to_file, not_from_llama
from assistant_builder.core.paths import Paths

GROUPS = ["setup", "models", "collections", "search", "assistants", "preview", "ask", "chat"]
GROUPS += ["serve", "servers", "network", "compare", "checks"]


def named_command(args: Sequence[str]) -> str | None:
    """The command group a command line names (None: none, or help asked before it)."""
    for arg in args:
        if arg in ("-h", "--help"):
            return None
        if not arg.startswith("-"):
            return arg if arg in GROUPS else None
    return None


def groups_needed(args: Sequence[str]) -> list[str]:
    """The command groups a command line needs: the one it names; none for ``--version``
    alone (it answers without importing a command); all of them for help."""
    named = named_command(args)
    if named is not None:
        return [named]
    if "--version" in args and not any(a in ("-h", "--help") for a in args):
        return []
    return list(GROUPS)


def build_parser(groups: Sequence[str] = GROUPS) -> argparse.ArgumentParser:
    """The parser of the command groups named (all of them unless told)."""
    parser = argparse.ArgumentParser(
        prog="assistant-builder",
        description=f"{APP_NAME}: personal AI assistants that run on your own computer. "
        "Run without a command to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full error details (tracebacks)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in groups:
        importlib.import_module(f"assistant_builder.cli.{name}").register(commands)
    return parser


def ctrl_c_stops() -> None:
    """Ctrl+C stops a command even when it was started with SIGINT ignored: a background job,
    ``nohup`` or a service manager hands that on, and Python then installs no handler of its
    own, so KeyboardInterrupt would never come. Its children inherit the restored default."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)


def main(argv: Sequence[str] | None = None) -> int:
    ctrl_c_stops()
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(groups_needed(args_list))
    args = parser.parse_args(args_list)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 1
    _setup_logging(debug=args.debug)
    from assistant_builder.cli.common import run_command

    return run_command(args)


def _setup_logging(*, debug: bool) -> None:
    """Warnings on stderr as one line each; llama.cpp's own only with --debug, and all of them
    in the app's log file, as the desktop app keeps them."""
    terminal = logging.StreamHandler()
    terminal.setLevel(logging.DEBUG if debug else logging.WARNING)
    if not debug:
        terminal.addFilter(not_from_llama)
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, handlers=[terminal])
    with contextlib.suppress(OSError):  # a log folder that cannot be written stops nothing
        log_to_file(Paths.from_env())
    if debug:
        logging.getLogger().setLevel(logging.DEBUG)
