"""Attribution by the app, whatever model wrote the answer: which passages support each
sentence, which of the model's own "[n]" marks hold, and which sentences no passage supports.

A passage supports a sentence when it holds every number, command-line option, path and name
the sentence states, does not negate what the sentence says (or the reverse), does not say the
opposite of one of its words ("newer" for "older"), and a weighted sum of two scores passes a
threshold: the share of the sentence's content words (each weighed by how rare it is in the
collection, from the word counts kept at indexing: core/knowledge/word_counts) found together in
one stretch of the passage (of the named options' own entries, where the passage lists
options: see attribution_scope), and the sentence's cosine with the passage's vector by the
collection's own embedder (the vector stored in the index, carried
with the search hit: only the answer's sentences are embedded, in one call). The method and the
thresholds below are the ones bench/grounding_eval.py chose on its labelled set
(bench/data/grounding_pairs.json); change them only with a new run of it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant_builder.core.assistants.attribution_scope import option_entries, scope
from assistant_builder.core.assistants.prompt import Passage
from assistant_builder.core.assistants.sentences import Sentence, split_sentences
from assistant_builder.core.knowledge.word_counts import WordFrequencies
from assistant_builder.core.knowledge.wording import NOT, OPPOSITES, Words, words

Span = tuple[int, int]
if TYPE_CHECKING:  # numpy is imported when an answer is scored, not on the way to the window
    import numpy as np
    import numpy.typing as npt

Embed = Callable[[Sequence[str]], "npt.NDArray[np.float32]"]
"""Unit-length vectors of texts (rows) by the collection's embedder, run where it is loaded:
the answer's sentences, in one call (a passage found by search carries its stored vector)."""
Frequencies = Callable[[Sequence[str]], WordFrequencies]
"""How many of the collection's passages hold each of these words, counted where it lives
(core/knowledge/word_counts): a rare word of the sentence weighs more than a common one."""

# Chosen by bench/grounding_eval.py (see the module docstring).
# 2026-12-02 on 336 pairs from 15 real answers (66 supported), each word of a sentence weighed
# by its rarity in the collection (word_counts) and both vetoes on: precision 0.92, recall
# 0.83 on the set; thresholds chosen on half of the questions give the other half 0.90 /
# 0.80, chosen on one set of documents the other 0.88 / 0.79. What is left: a number or name
# next to the right one ("DIR_MODE defaults to 0755" where SYS_DIR_MODE's is) and paraphrases
# in other words ("asked" for "prompt").
LEXICAL_WEIGHT = 0.8  # combined = w * containment + (1 - w) * meaning
COMBINED_THRESHOLD = 0.54
LEXICAL_THRESHOLD = 0.575  # without an embedder: containment alone (0.91 / 0.80 on the set)
MIN_CONTENT_WORDS = 2  # shorter sentences ("Sure!", "Here is how:") make no claim to check
# A word the passage only says negated ("-f ... do not prompt") and the sentence does not
# ("mv -f prompts"), or the reverse: unsupported. Checked where the words were found, in an
# option's own entry (attribution_scope), and only when the negations there are odd where
# the sentence's are even or the reverse ("may not use ... without first asking" is "using
# requires asking first"). On the set: 0.86 / 0.77 with it, 0.83 / 0.68 without.
NEGATION_VETO = True
STRETCH = 1.5  # containment counts words found within this many times the sentence's length
MIN_STRETCH = 6


@dataclass(frozen=True)
class PairScore:
    """How well one passage supports one sentence."""

    containment: float  # share of the sentence's content words found together in the passage
    meaning: float | None  # cosine with the passage's vector; None: no embedder
    details_missing: bool  # a number or option of the sentence is not where its words are
    negation_differs: bool  # one says "not" where the other, at the words found, does not
    opposite: bool = False  # where its words are, the passage has the opposite of one of them

    def combined(self, weight: float = LEXICAL_WEIGHT) -> float:
        if self.meaning is None:
            return self.containment
        return weight * self.containment + (1 - weight) * self.meaning

    def supports(self) -> bool:
        if self.details_missing or self.opposite or (NEGATION_VETO and self.negation_differs):
            return False
        if self.meaning is None:
            return self.containment >= LEXICAL_THRESHOLD
        return self.combined() >= COMBINED_THRESHOLD


@dataclass(frozen=True)
class SentenceAttribution:
    start: int  # the sentence is answer[start:end], its marks included
    end: int
    passages: tuple[int, ...]  # numbers of the passages that support it, best first
    marks: tuple[int, ...]  # the model's own [n] in it
    kept: tuple[int, ...]  # its marks whose passage supports it
    doubtful: tuple[int, ...]  # its marks whose passage does not (or that name none)

    @property
    def supported(self) -> bool:
        return bool(self.passages)


@dataclass(frozen=True)
class PassageSpans:
    n: int
    spans: tuple[Span, ...]  # character ranges of the answer this passage supports


@dataclass(frozen=True)
class Attribution:
    sentences: tuple[SentenceAttribution, ...]  # the sentences that make a claim
    passages: tuple[PassageSpans, ...]  # passages supporting something, in order of first use
    unsupported: tuple[Span, ...]  # sentences no passage supports

    def spans_of(self, n: int) -> tuple[Span, ...]:
        return next((p.spans for p in self.passages if p.n == n), ())


def attribute(
    answer: str,
    passages: Sequence[Passage],
    *,
    embed: Embed | None = None,
    frequencies: Frequencies | None = None,
) -> Attribution:
    """The attribution of ``answer`` to the ``passages`` it was written from."""
    sentences = [s for s in split_sentences(answer) if _claims(s)]
    scores = score_pairs([s.text for s in sentences], passages, embed, frequencies)
    numbers = [p.n for p in passages]
    out: list[SentenceAttribution] = []
    used: dict[int, list[Span]] = {}
    unsupported: list[Span] = []
    for sentence, row in zip(sentences, scores, strict=True):
        ranked = sorted(
            (i for i, pair in enumerate(row) if pair.supports()), key=lambda i: -row[i].combined()
        )
        support = tuple(numbers[i] for i in ranked)
        for n in support:
            used.setdefault(n, []).append((sentence.start, sentence.end))
        if not support:
            unsupported.append((sentence.start, sentence.end))
        kept = tuple(n for n in sentence.marks if n in support)
        doubtful = tuple(n for n in sentence.marks if n not in support)
        span = (sentence.start, sentence.end)
        out.append(SentenceAttribution(*span, support, sentence.marks, kept, doubtful))
    cited = tuple(PassageSpans(n, tuple(spans)) for n, spans in used.items())
    return Attribution(tuple(out), cited, tuple(unsupported))


def _claims(sentence: Sentence) -> bool:
    return len(words(sentence.text).stems) >= MIN_CONTENT_WORDS


def score_pairs(
    sentences: Sequence[str],
    passages: Sequence[Passage],
    embed: Embed | None,
    frequencies: Frequencies | None = None,
) -> list[list[PairScore]]:
    """Every (sentence, passage) score; one call of ``embed`` (and of ``frequencies``) for the
    whole answer. A sentence naming options is measured against their entries where the
    passage lists them."""
    if not sentences or not passages:
        return [[] for _ in sentences]
    said = [words(s) for s in sentences]
    asked = sorted({w for s in said for w in s.stems if w != NOT})
    counted = WordFrequencies(0) if frequencies is None else frequencies(asked)
    weight = {w: counted.weight(w) for w in asked}
    entries = [option_entries(p.text) for p in passages]
    scoped: dict[str, Words] = {}
    matrix = None if embed is None else meaning_matrix(sentences, passages, embed)
    rows: list[list[PairScore]] = []
    for i, sentence in enumerate(said):
        options = {d for d in sentence.details if d.startswith("-")}
        row = []
        for j, passage in enumerate(passages):
            text = scope(passage.text, options, entries[j])
            found = scoped.get(text) or scoped.setdefault(text, words(text))
            meaning = None if matrix is None else float(matrix[i, j])
            containment, details_found, negation_differs, opposite = _containment(
                sentence, found, weight
            )
            row.append(
                PairScore(
                    containment=containment,
                    meaning=meaning,
                    details_missing=not details_found,
                    negation_differs=negation_differs,
                    opposite=opposite,
                )
            )
        rows.append(row)
    return rows


def _containment(
    sentence: Words, passage: Words, weight: dict[str, float]
) -> tuple[float, bool, bool, bool]:
    """The largest share of the sentence's content words (each weighted by its rarity in the
    collection, ``weight``) found together in one stretch of the
    passage 1.5 times the sentence's length (words scattered over a long passage, an option
    here and another option's description there, do not make its claim); whether one such
    stretch holds all the sentence's numbers and options ("-t sorts by size" is not made by
    "-t ... sort by time" next to "-S sort by file size"); and whether every such stretch
    negates a word the sentence does not, or the reverse (see _polarity_differs), with an odd
    number of negations where the sentence has an even one or the reverse: "you may not use
    them without first asking" is what "using them requires asking first" says; and whether
    every such stretch has the opposite of a word of the sentence but not the word itself
    ("older" where the passage says "newer")."""
    mine = set(sentence.stems) - {NOT}
    if not mine:
        return 0.0, not sentence.details, False, False
    width = max(MIN_STRETCH, int(len(mine) * STRETCH))
    stems = passage.stems
    inside: dict[str, int] = {}
    best, ends, mass = 0.0, [0], 0.0
    for i, word in enumerate(stems):
        if word in mine:
            inside[word] = inside.get(word, 0) + 1
            mass += weight[word] if inside[word] == 1 else 0.0
        if i >= width and stems[i - width] in mine:
            gone = stems[i - width]
            inside[gone] -= 1
            if not inside[gone]:
                del inside[gone]
                mass -= weight[gone]
        if mass > best + 1e-9:
            best, ends = mass, [i + 1]
        elif best and abs(mass - best) <= 1e-9:
            ends.append(i + 1)
    stretches = [set(stems[max(0, end - width) : end]) for end in ends]
    details = any(sentence.details <= found for found in stretches)
    said = _negated(sentence.stems, 0, len(sentence.stems))
    nots = sentence.stems.count(NOT) % 2
    differs = all(_negation_differs(stems, max(0, end - width), end, said, nots) for end in ends)
    opposite = all(_opposes(mine, found) for found in stretches)
    return best / sum(weight[w] for w in mine), details, differs, opposite


def _opposes(mine: set[str], found: set[str]) -> bool:
    return any(
        word not in found and OPPOSITES[word] & found and not OPPOSITES[word] & mine
        for word in mine
        if word in OPPOSITES
    )


def _negation_differs(
    stems: Sequence[str], start: int, end: int, said: dict[str, set[bool]], nots: int
) -> bool:
    """Whether the words found in stems[start:end], from the first to the last of them (and
    the "not" just before the first), are negated otherwise than the sentence says them."""
    where = [k for k in range(start, end) if stems[k] in said]
    if not where:
        return False
    first, last = where[0], where[-1] + 1
    if stems[max(0, first - 1) : last].count(NOT) % 2 == nots:
        return False
    return _polarity_differs(set(said), said, _negated(stems, first, last))


def _negated(stems: Sequence[str], start: int, end: int) -> dict[str, set[bool]]:
    """Each word of stems[start:end] with how it is said there: True right after a "not"."""
    out: dict[str, set[bool]] = {}
    for k in range(start, end):
        if stems[k] != NOT:
            out.setdefault(stems[k], set()).add(k > 0 and stems[k - 1] == NOT)
    return out


def _polarity_differs(
    mine: set[str], said: dict[str, set[bool]], found: dict[str, set[bool]]
) -> bool:
    """A word both use, that one only negates ("not" right before it) and the other never:
    "mv -f prompts" against "-f ... do not prompt", "delete your users" against "not delete
    your users". Only the word right after the "not" counts, so "will not overwrite a file"
    and "do not overwrite an existing file" agree."""
    return any(
        word in found and (True in said[word]) != (True in found[word])
        and (said[word] == {True} or found[word] == {True})
        for word in mine
    )  # fmt: skip


def meaning_matrix(
    sentences: Sequence[str], passages: Sequence[Passage], embed: Embed
) -> npt.NDArray[np.float32]:
    """Cosine of each sentence (rows) with each passage (columns): against the passage's
    stored vector when the search carried one, so only the sentences (and a passage that
    came without, such as a pinned one) are embedded, in one call."""
    import numpy as np

    missing = [p.text for p in passages if p.vector is None]
    vectors = np.asarray(embed([*sentences, *missing]), dtype=np.float32)
    fresh = iter(vectors[len(sentences) :])
    columns = [next(fresh) if p.vector is None else p.vector for p in passages]
    matrix: npt.NDArray[np.float32] = vectors[: len(sentences)] @ np.stack(columns).T
    return matrix
