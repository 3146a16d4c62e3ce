"""Whether a collection's documents are mostly not in English, from a sample of its passages,
so that the Library can suggest the multilingual embedder once (the English starter finds
little in other languages). English prose is about a third function words; other languages,
even those written in Latin letters, have few of these."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant_builder.core.knowledge.collection import CollectionConfig
from assistant_builder.core.knowledge.embedder_catalog import MULTILINGUAL, find_embedder

_ENGLISH = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "a",
        "in",
        "is",
        "it",
        "that",
        "for",
        "was",
        "on",
        "are",
        "as",
        "with",
        "be",
        "by",
        "this",
        "at",
        "or",
        "from",
        "an",
        "have",
        "not",
        "which",
        "but",
        "they",
        "you",
        "he",
        "she",
        "we",
        "his",
        "her",
        "their",
        "its",
        "were",
        "been",
        "has",
        "had",
        "will",
        "would",
        "can",
        "all",
        "there",
        "what",
        "if",
        "so",
        "do",
        "no",
        "my",
        "your",
        "our",
        "about",
        "more",
        "when",
        "who",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")
SAMPLE = 40  # passages looked at
ENGLISH_SHARE = 0.12  # a passage with at least this share of English function words is English
MIN_WORDS = 8  # shorter passages (titles, tables) say nothing


def is_english(text: str) -> bool | None:
    """True/False for a passage of prose; None when it is too short to tell."""
    words = _WORD.findall(text.lower())
    if len(words) < MIN_WORDS:
        return None
    return sum(w in _ENGLISH for w in words) / len(words) >= ENGLISH_SHARE


def mostly_not_english(passages: Sequence[str]) -> bool:
    verdicts = [v for v in (is_english(p) for p in passages[:SAMPLE]) if v is not None]
    return bool(verdicts) and sum(verdicts) < len(verdicts) / 2


SUGGESTION_SHOWN = "multilingual_suggested"  # kept in the collection's settings (extra)


def embedder_suggestion(config: CollectionConfig, passages: Sequence[str]) -> str:
    """The sentence suggesting the multilingual embedder, once per collection, when its
    passages are mostly not English and its embedder is an English one; "" otherwise."""
    entry = find_embedder(config.embedder)
    if config.extra.get(SUGGESTION_SHOWN) or (entry is not None and entry.multilingual):
        return ""
    if entry is None or not mostly_not_english(passages):
        return ""  # a model the person chose themselves is left alone
    chosen = find_embedder(MULTILINGUAL)
    assert chosen is not None
    return (
        f"Most documents in “{config.name}” are not in English; the {chosen.name} embedder "
        f"({chosen.size}) finds passages in them far better. Switching embeds the collection "
        "again, which takes a while."
    )
