"""Attribution by the app, whatever model wrote the answer: which passages support each
sentence, which of the model's own "[n]" marks hold, and which sentences no passage supports.

A passage supports a sentence when it holds every number and command-line option the sentence
states, and a weighted sum of two scores passes a threshold: the share of the sentence's content
words found together in one stretch of the passage, and the sentence's cosine with the
passage's vector by the collection's own embedder (the vector stored in the index, carried
with the search hit: only the answer's sentences are embedded, in one call). The method and the
thresholds below are the ones bench/grounding_eval.py chose on its labelled set
(bench/data/grounding_pairs.json); change them only with a new run of it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant_builder.core.assistants.prompt import Passage
from assistant_builder.core.assistants.sentences import Sentence, split_sentences
from assistant_builder.core.assistants.wording import NOT, Words, words

Span = tuple[int, int]
if TYPE_CHECKING:  # numpy is imported when an answer is scored, not on the way to the window
    import numpy as np
    import numpy.typing as npt

Embed = Callable[[Sequence[str]], "npt.NDArray[np.float32]"]
"""Unit-length vectors of texts (rows) by the collection's embedder, run where it is loaded:
the answer's sentences, in one call (a passage found by search carries its stored vector)."""

# Chosen by bench/grounding_eval.py (see the module docstring).
# 2026-12-01 on 253 pairs from 12 real answers: no thresholds meet both targets (0.90 / 0.80),
# so the bench takes the highest F0.5: precision 0.79, recall 0.62; held out by question
# 0.68 / 0.51, by documents (man pages vs Debian READMEs) 0.67 / 0.49. The passages' sentences
# or windows as the meaning score do no better and cost embedding the passages again.
LEXICAL_WEIGHT = 0.6  # combined = w * containment + (1 - w) * meaning
COMBINED_THRESHOLD = 0.63
LEXICAL_THRESHOLD = 0.625  # without an embedder: containment alone (0.69 / 0.73 on the set)
MIN_CONTENT_WORDS = 2  # shorter sentences ("Sure!", "Here is how:") make no claim to check
# "Not" where the words were found and none in the sentence (or the reverse): unsupported.
# Off: on the set it gives 0.74 / 0.78 (held out 0.70 / 0.70), but in an option list the "not"
# of the option before counts too, so "Before it overwrites a file, mv -i prompts." next to
# "-f ... do not prompt" goes unsupported; a "not" needs its scope before it can veto.
NEGATION_VETO = False
STRETCH = 1.5  # containment counts words found within this many times the sentence's length
MIN_STRETCH = 6


@dataclass(frozen=True)
class PairScore:
    """How well one passage supports one sentence."""

    containment: float  # share of the sentence's content words found together in the passage
    meaning: float | None  # cosine with the passage's vector; None: no embedder
    details_missing: bool  # a number or option of the sentence is not where its words are
    negation_differs: bool  # one says "not" where the other, at the words found, does not

    def combined(self, weight: float = LEXICAL_WEIGHT) -> float:
        if self.meaning is None:
            return self.containment
        return weight * self.containment + (1 - weight) * self.meaning

    def supports(self) -> bool:
        if self.details_missing or (NEGATION_VETO and self.negation_differs):
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
    answer: str, passages: Sequence[Passage], *, embed: Embed | None = None
) -> Attribution:
    """The attribution of ``answer`` to the ``passages`` it was written from."""
    sentences = [s for s in split_sentences(answer) if _claims(s)]
    scores = score_pairs([s.text for s in sentences], passages, embed)
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
    sentences: Sequence[str], passages: Sequence[Passage], embed: Embed | None
) -> list[list[PairScore]]:
    """Every (sentence, passage) score; one call of ``embed`` for the whole answer."""
    if not sentences or not passages:
        return [[] for _ in sentences]
    said = [words(s) for s in sentences]
    found = [words(p.text) for p in passages]
    matrix = None if embed is None else meaning_matrix(sentences, passages, embed)
    rows: list[list[PairScore]] = []
    for i, sentence in enumerate(said):
        row = []
        for j, passage in enumerate(found):
            meaning = None if matrix is None else float(matrix[i, j])
            containment, details_found, negation_differs = _containment(sentence, passage)
            row.append(
                PairScore(
                    containment=containment,
                    meaning=meaning,
                    details_missing=not details_found,
                    negation_differs=negation_differs,
                )
            )
        rows.append(row)
    return rows


def _containment(sentence: Words, passage: Words) -> tuple[float, bool, bool]:
    """The largest share of the sentence's content words found together in one stretch of the
    passage 1.5 times the sentence's length (words scattered over a long passage, an option
    here and another option's description there, do not make its claim); whether one such
    stretch holds all the sentence's numbers and options ("-t sorts by size" is not made by
    "-t ... sort by time" next to "-S sort by file size"); and whether every such stretch
    says "not" where the sentence does not, or the reverse."""
    mine = set(sentence.stems) - {NOT}
    if not mine:
        return 0.0, not sentence.details, False
    width = max(MIN_STRETCH, int(len(mine) * STRETCH))
    stems = passage.stems
    inside: dict[str, int] = {}
    best, ends = 0, [0]
    for i, word in enumerate(stems):
        if word in mine:
            inside[word] = inside.get(word, 0) + 1
        if i >= width and stems[i - width] in mine:
            gone = stems[i - width]
            inside[gone] -= 1
            if not inside[gone]:
                del inside[gone]
        if len(inside) > best:
            best, ends = len(inside), [i + 1]
        elif best and len(inside) == best:
            ends.append(i + 1)
    stretches = [set(stems[max(0, end - width) : end]) for end in ends]
    details = any(sentence.details <= found for found in stretches)
    differs = all((NOT in found) != sentence.negated for found in stretches)
    return best / len(mine), details, differs


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
