"""Words as attribution compares them: lower-cased, number words as digits, a light English
stemmer (so "compressed", "compresses" and "compressing" meet), stop words out. Command-line
options ("-p", "--recursive"; "-t" is not "-T") and numbers are kept as they are written: they
are the details a small model gets wrong, so they must match exactly."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A path ("/etc/issue", "~/.bashrc") or a name with an underscore ("DIR_MODE") is a detail too.
_NAME = r"(?<![\w/.~])(?:~|\.{1,2})?/[\w.+-]*[\w+-](?:/[\w.+-]*[\w+-])*|[A-Za-z]\w*_\w+"
_TOKEN = re.compile(
    _NAME + r"|(?<![\w-])--?[A-Za-z0-9][\w-]*|\d+(?:[.,]\d+)*|[^\W\d_]+(?:'[a-z]+)?"
)
_NUMBERS = {"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
            "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
            "eleven": "11", "twelve": "12", "hundred": "100"}  # fmt: skip
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just let me more most my myself of off on once only or other our
    ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up us very was we
    were what when where which while who whom why will with would you your yours yourself
    yourselves use used using uses may might must shall etc e g ie eg example following
    one's s t""".split()  # noqa: SIM905
)
# Words that flip a claim: a sentence and its passage must agree on them (see attribution).
# "non-zero" is "not zero"; "themselves instead of their contents" is "not their contents".
NEGATIONS = frozenset(
    "not no non never cannot can't don't doesn't isn't won't without instead".split()  # noqa: SIM905
)
# Bumped whenever words() splits or stems otherwise: word counts kept by an older one are
# counted again (core/knowledge/word_counts.py).
VERSION = 2
NOT = "¬"  # a negation's place among the stems
_SUFFIXES = (
    ("itten", "it"), ("ational", "ate"), ("ization", "ize"), ("fulness", "ful"), ("ousness", "ous"),
    ("iveness", "ive"), ("ations", "ate"), ("ation", "ate"), ("ments", ""), ("ment", ""),
    ("ingly", ""), ("edly", ""), ("ness", ""), ("ies", "y"), ("ied", "y"), ("ing", ""),
    ("ers", ""), ("er", ""), ("ed", ""), ("ly", ""), ("es", ""), ("s", ""),
)  # fmt: skip


@dataclass(frozen=True)
class Words:
    """A text as attribution sees it: content stems in order, and its exact details."""

    stems: tuple[str, ...]  # content words, stemmed, in order; NOT where a negation stood
    details: frozenset[str]  # numbers and command-line options, as written
    negated: bool  # says "not", "never", "cannot"…


# Words whose opposite in the passage, where the sentence's own word is missing, contradicts
# it ("-u moves when the source is older" against "-u ... is newer"): common opposites of
# manuals and READMEs, taken whole, not from the labelled set's errors alone.
_OPPOSITE_PAIRS = """newer older, new old, before after, more less, more fewer, larger smaller,
    bigger smaller, higher lower, greater less, longer shorter, earlier later, faster slower,
    first last, first final, enable disable, enabled disabled, allow deny, allow forbid,
    include exclude, keep discard, preserve discard, hard symbolic, hard soft,
    succeed fail, success failure, true false, increase decrease, maximum minimum,
    upper lower, uppercase lowercase, above below, inside outside,
    show hide, accept reject, lock unlock, absolute relative, local remote, public private,
    ascending descending, compress decompress, install uninstall, mount unmount, always
    sometimes, ignore respect, ignore honor, append overwrite"""
STOP_WORDS = STOP_WORDS - {w for pair in _OPPOSITE_PAIRS.split(",") for w in pair.split()}


def words(text: str) -> Words:
    stems: list[str] = []
    details: set[str] = set()
    negated = False
    for raw in _TOKEN.findall(text):
        token = raw.lower()
        if token in NEGATIONS or token.endswith("n't"):
            negated = True
            stems.append(NOT)  # kept in place: attribution looks where the words were found
            continue
        token = raw if raw[0] in "-/~." or "_" in raw else _NUMBERS.get(token, token)
        if token[0] in "-/~." or token[0].isdigit() or "_" in token:  # "-t" is not "-T"
            token = token.replace(",", "")
            details.add(token)
            stems.append(token)
            continue
        if token in STOP_WORDS or len(token) < 2:
            continue
        stems.append(stem(token))
    return Words(tuple(stems), frozenset(details), negated)


def _opposites() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for pair in _OPPOSITE_PAIRS.split(","):
        a, b = (stem(w) for w in pair.split())
        out.setdefault(a, set()).add(b)
        out.setdefault(b, set()).add(a)
    return {w: frozenset(o) for w, o in out.items()}


def stem(word: str) -> str:
    """A light suffix-stripping stemmer: enough for inflections, cheap, no dictionary."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 3:
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word[-2] in "su":  # "process", "status"
                return word
            word = word[: -len(suffix)] + replacement
            break
    if len(word) > 3 and word[-1] == "e":  # "file", "files" and "filed" all become "fil"
        word = word[:-1]
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # "stopped" -> "stopp" -> "stop"
    return word


OPPOSITES = _opposites()
"""Each stem with the stems of its opposites (see _OPPOSITE_PAIRS)."""
