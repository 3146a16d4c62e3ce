"""Where in a passage a sentence's claim is to be found: an option's own entry in a list of
options (a manual page's "-f, --force  do not prompt…"), not the option before or after it.

A passage that lists options gives each its entry: from the line that begins with the option
(its head: "-t     sort by time", "-T, --tabsize=COLS") to the line where the next option's
head begins. A sentence naming options is checked against their entries when the passage has
them, so "mv -f prompts" is measured against "-f ... do not prompt", and "-l makes symbolic
links" against "-l, --link  hard link files", whatever the neighbouring entries say."""

from __future__ import annotations

import re
from collections.abc import Iterable

# A head line: the option(s) first, then at least two spaces (or the line's end) before the
# description; options later in the line ("see --time") are references, not heads.
_HEAD = re.compile(r"^[ \t]*(-{1,2}[A-Za-z0-9][^\n]*?)(?:[ \t]{2,}|$)", re.MULTILINE)
_OPTION = re.compile(r"(?<![\w-])--?[A-Za-z0-9][\w-]*")


def option_entries(text: str) -> dict[str, str]:
    """Each option headed in ``text`` (as written, e.g. "-f", "--force") with its entry."""
    heads = [m for m in _HEAD.finditer(text) if _is_head(m.group(1))]
    entries: dict[str, str] = {}
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        entry = text[head.start() : end]
        for option in _OPTION.findall(head.group(1)):
            entries[option] = f"{entries[option]}\n{entry}" if option in entries else entry
    return entries


def _is_head(head: str) -> bool:
    # "-f, --force", "--sort=WORD", "-T, --tabsize=COLS": options, commas, "=VALUE" or
    # "[=WHEN]"; a line of prose that begins with a dash ("- see below") is no head.
    rest = _OPTION.sub("", head)
    return not re.sub(r"[\s,]|=\S*|\[=?[^\]]*\]|[A-Z_]+", "", rest)


def scope(text: str, options: Iterable[str], entries: dict[str, str] | None = None) -> str:
    """The part of ``text`` where a sentence naming ``options`` must find its claim: their
    entries when the passage heads any of them, else the whole passage."""
    entries = option_entries(text) if entries is None else entries
    found = [entries[o] for o in sorted(options) if o in entries]
    return "\n".join(dict.fromkeys(found)) if found else text
