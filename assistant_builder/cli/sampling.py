"""The command-line options that set sampling, one per setting of the table (``--temperature``,
``--max-tokens``, ``--stop`` …), and the settings they give."""

from __future__ import annotations

import argparse
from typing import Any

from assistant_builder.core.engine.sampling import SETTINGS, SamplingOptions, adjusted


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def add_sampling_options(parser: argparse.ArgumentParser, *, default: str) -> None:
    """``default`` says what an option left out means (“the assistant's setting”)."""
    group = parser.add_argument_group("how the answer is written")
    for s in SETTINGS:
        flag, dest = "--" + s.name.replace("_", "-"), f"sampling_{s.name}"
        if s.kind == "texts":
            group.add_argument(
                flag, action="append", dest=dest, metavar="TEXT",
                help=f"{s.help} Give it once per text (at most {_number(s.maximum)}; "
                f"default: {default}).",
            )  # fmt: skip
            continue
        group.add_argument(
            flag, dest=dest, type=int if s.kind == "whole" else float,
            metavar="N" if s.kind == "whole" else "X",
            help=f"{s.help} From {_number(s.minimum)} to {_number(s.maximum)} "
            f"(default: {default}).",
        )  # fmt: skip


def chosen(args: argparse.Namespace, base: SamplingOptions) -> SamplingOptions:
    """``base`` with the options given on the command line, checked against the table."""
    changes: dict[str, Any] = {s.name: getattr(args, f"sampling_{s.name}") for s in SETTINGS}
    if changes.get("stop") is not None:
        changes["stop"] = tuple(changes["stop"])
    return adjusted(base, **changes)
