"""Sentence attribution measured on labelled (answer sentence, passage, label) pairs.

The pairs (bench/data/grounding_pairs.json) come from real answers of the real small model
(SmolLM2-135M through the app, bench/grounding_answers.py) over this machine's manual pages,
each labelled by reading the sentence and the passage: "supported" means the passage says what
the sentence says. A few sentences are written by the labeller on purpose (kind "paraphrase":
a passage's statement reworded; kind "wrong": a confident wrong statement about the same
topic). Each pair records the question, the model and the documents it was produced from.

Every word of a sentence weighs by its rarity in the collection the answer was written from
("idf"): the documents of the pairs are indexed here by the app's own indexer, which keeps
the word counts (core/knowledge/word_counts), and attribution reads them as the knowledge
process does; "flat" weighs every word alike. Prints precision and recall of "supported"
for each method at the thresholds this set chooses (highest recall with precision >= 0.90;
else the highest F0.5), then held out twice: each half of the questions (alternating in the
order of the answers) at the thresholds chosen on the other half, and each set of documents
(man pages, Debian READMEs) at those chosen on the other; then at the thresholds the app
ships (core/assistants/attribution.py). Then the cost of attributing a 10-sentence answer to 8
passages with the real MiniLM, next to the cost of embedding those 8 passages once, measured
in the same run. --errors prints every pair the shipped rule decides against its label.

    python bench/grounding_eval.py [--cost] [--errors]     (--cost: only the cost)

Measured 2026-12-02 on 336 pairs (66 supported) from 15 real SmolLM2 answers, 6 over man pages
and 9 over the Debian READMEs of tests/data/real_docs (precision / recall; held out by half of
the questions, by documents); "vetoes": the "not" veto and the opposite veto (a word whose
opposite the passage says where it lacks the word itself: core/knowledge/wording.OPPOSITES):

    lexical only, flat               0.625       0.80 / 0.79   0.80 / 0.79   0.80 / 0.79
    lexical only, idf                0.575       0.78 / 0.80   0.77 / 0.73   0.77 / 0.77
    combined, idf, stored vector     0.7, 0.56   0.80 / 0.80   0.79 / 0.70   0.79 / 0.76
    lexical + vetoes, flat           0.625       0.91 / 0.79   0.91 / 0.79   0.88 / 0.80
    lexical + vetoes, idf            0.575       0.91 / 0.80   0.87 / 0.80   0.89 / 0.82   words
    combined + "not", flat (before)  0.9, 0.59   0.90 / 0.79   0.89 / 0.70   0.83 / 0.44
    combined + "not", idf            0.9, 0.56   0.89 / 0.82   0.86 / 0.80   0.87 / 0.80
    combined + vetoes, flat          0.8, 0.56   0.90 / 0.82   0.87 / 0.71   0.83 / 0.45
    combined + vetoes, idf, stored   0.8, 0.54   0.92 / 0.83   0.90 / 0.80   0.88 / 0.79   shipped
    combined + vetoes, idf, windows  0.9, 0.54   0.91 / 0.86   0.89 / 0.83   0.87 / 0.48
    combined + vetoes, idf, sentences  1, 0.57   0.92 / 0.82   0.87 / 0.82   0.84 / 0.58

On all pairs the shipped method meets both targets (0.90 / 0.80), and held out by half of the
questions just does (0.898 / 0.803); held out by documents it does not (0.88 / 0.79: the
thresholds chosen on 143 README pairs or on 193 man-page pairs alone). Weighting by the
collection's word counts buys recall (a sentence missing only common words), the opposite veto
and "instead of" as a negation buy the precision back. The pairs it still gets wrong: a number
or name next to the right one ("DIR_MODE defaults to 0755" where the passage gives
SYS_DIR_MODE 0755, "next allocation 64065" in a table of uids), a claim in other words ("skips
compression" where "compression is always performed"), and paraphrases in other words ("asked"
for "prompt", "leaves directories alone" for "does not remove directories"). The opposite
pairs are common opposites of manuals; four of them (newer/older, hard/symbolic,
preserve/discard, first/final) were among this set's errors, so the held-out figures do not
guard against that list having been written with the set in sight. The "before" row differs
from the last run's 0.86 / 0.77 because "before", "after", "more"... now count as words and
"non-zero" and "instead of" as negations. Weighing the document's file name as said in each
passage, idf to the power 0.5, 0.75 or 1.5, or capping the weight of numbers and options did no
better held out on both splits. The starter model's own answers hold almost no supported
sentence (2 of 181 pairs), so recall is measured mostly on the labeller's paraphrases.
Cost (2026-12-02, load 4-6 on the 2 cores), ratios to embedding the 8 passages once in the
same rounds: shipped 0.35-0.54x (466-1588 ms at those loads: embedding the ten sentences is
nearly all of it), words alone 0.01x (10-37 ms, the word counts read and both vetoes
included), sentences with the passages' windows 2.0-2.3x.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant_builder.core.assistants import attribution as shipped
from assistant_builder.core.assistants.attribution import (
    Frequencies,
    PairScore,
    attribute,
    score_pairs,
)
from assistant_builder.core.assistants.prompt import Passage
from assistant_builder.core.assistants.sentences import split_sentences
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.embedder import SentenceTransformerEmbedder, load_embedder
from assistant_builder.core.knowledge.indexer import index_collection
from assistant_builder.core.knowledge.word_counts import frequencies
from assistant_builder.core.paths import Paths
from bench.grounding_answers import PAGES, REAL_DOCS
from bench.knowledge_corpus import man_page

MINILM = Path.home() / ".cache" / "assistant-builder-tests" / "embedders" / "all-MiniLM-L6-v2"
DATA = Path(__file__).resolve().parent / "data" / "grounding_pairs.json"
# The collections the pairs' answers were written from, indexed here by the app's indexer
# (kept between runs: indexing again only checks that nothing changed).
HOME = Path.home() / ".cache" / "assistant-builder-bench" / "grounding-eval"
PRECISION_TARGET = 0.90
RECALL_TARGET = 0.80
# Ways to give a passage its meaning score, measured side by side. "stored vector" is what the
# app ships: the chunk's vector from the index (here: the passage embedded once, as indexing
# does), so only the answer's sentences are embedded. The others embed pieces of each passage.
# "flat words": every content word weighs the same (no word counts of the collection).
VARIANTS = ("idf+stored vector", "idf+windows", "idf+sentences", "flat+stored vector")
WINDOW_WORDS = 40


@dataclass(frozen=True)
class Pair:
    group: str  # the question: held-out runs leave one out at a time
    docs: str  # which documents ("man" or "real"): the other held-out split
    kind: str
    label: bool
    scores: dict[str, PairScore]  # by variant
    sentence: str
    passage: str

    @property
    def score(self) -> PairScore:
        return self.scores[VARIANTS[0]]


Rule = Callable[[PairScore], bool]


def passage_pieces(text: str, variant: str) -> list[str]:
    if "windows" in variant:
        tokens = text.split()
        return [" ".join(tokens[i : i + WINDOW_WORDS]) for i in
                range(0, max(1, len(tokens) - WINDOW_WORDS // 2), WINDOW_WORDS // 2)]  # fmt: skip
    pieces = [s.text for s in split_sentences(text) if len(s.text.split()) >= 3]
    return pieces or [text]


def passages_of(answer: dict, embedder: SentenceTransformerEmbedder) -> list[Passage]:  # type: ignore[type-arg]
    texts = [p["text"] for p in answer["passages"]]
    vectors = embedder.embed(texts)
    return [Passage(p["n"], p["source"], p["page"], p["start"], p["end"], p["text"], 1.0,
                    collection="bench", vector=v)
            for p, v in zip(answer["passages"], vectors, strict=True)]  # fmt: skip


def collection_frequencies(embedder: SentenceTransformerEmbedder) -> dict[str, Frequencies]:
    """The word counts of each document set ("man", "real") as the app keeps them: the
    documents indexed into a collection by the indexer, its counts read by word_counts."""
    paths = Paths(HOME / "data", HOME / "config", HOME / "cache", HOME / "logs")
    collections = Collections(paths)
    out: dict[str, Frequencies] = {}
    for docs in ("man", "real"):
        folder = HOME / "documents" / docs
        if not folder.is_dir():
            folder.mkdir(parents=True)
            if docs == "man":
                for name in PAGES:
                    (folder / f"{name}.txt").write_text(man_page(name), encoding="utf-8")
            else:
                for path in sorted(REAL_DOCS.glob("*.txt")):
                    (folder / path.name).write_bytes(path.read_bytes())
        if not collections.exists(docs):
            collections.create(docs, [folder], embedder=str(MINILM))
        for _ in index_collection(collections, docs, embedder=embedder):  # type: ignore[arg-type]
            pass
        words_file = collections.words_file(docs)
        out[docs] = lambda asked, f=words_file: frequencies(f, asked)  # type: ignore[misc]
    return out


def load_pairs(embedder: SentenceTransformerEmbedder) -> list[Pair]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    counted = collection_frequencies(embedder)
    answers = data["answers"]
    out: list[Pair] = []
    by_answer: dict[int, list[dict[str, object]]] = {}
    for pair in data["pairs"]:
        by_answer.setdefault(int(pair["answer"]), []).append(pair)  # type: ignore[call-overload]
    for index, pairs in by_answer.items():
        answer = answers[index]
        passages = passages_of(answer, embedder)
        numbers = [p.n for p in passages]
        sentences = sorted({str(p["sentence"]) for p in pairs})
        docs = "real" if "real_docs" in answer["collection"]["documents"] else "man"
        rows = score_pairs(sentences, passages, embedder.embed, counted[docs])
        flat = score_pairs(sentences, passages, embedder.embed)
        said = embedder.embed(sentences)
        others: dict[str, list[list[float]]] = {}
        for variant in VARIANTS[1:3]:
            pieces = [embedder.embed(passage_pieces(p.text, variant)) for p in passages]
            others[variant] = [[float(max(piece @ v)) for piece in pieces] for v in said]
        for pair in pairs:
            i = sentences.index(str(pair["sentence"]))
            j = numbers.index(int(pair["passage"]))  # type: ignore[call-overload]
            scores = {VARIANTS[0]: rows[i][j]}
            for variant, matrix in others.items():
                scores[variant] = replace(rows[i][j], meaning=matrix[i][j])
            scores[VARIANTS[3]] = flat[i][j]
            out.append(Pair(answer["question"], docs, str(pair["kind"]),
                            bool(pair["supported"]), scores, str(pair["sentence"]),
                            next(p.text for p in passages if p.n == int(pair["passage"]))))  # type: ignore[call-overload]  # fmt: skip
    return out


def measure(pairs: Sequence[Pair], rule: Rule, variant: str = VARIANTS[0]) -> tuple[float, float]:
    tp = sum(1 for p in pairs if p.label and rule(p.scores[variant]))
    fp = sum(1 for p in pairs if not p.label and rule(p.scores[variant]))
    fn = sum(1 for p in pairs if p.label and not rule(p.scores[variant]))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall


def _grid(start: float, stop: float, step: float) -> list[float]:
    return [round(start + i * step, 3) for i in range(round((stop - start) / step) + 1)]


# Each method: its candidate thresholds and the rule they make.
def lexical(t: tuple[float, ...]) -> Rule:
    return lambda s: not s.details_missing and s.containment >= t[0]


def meaning(t: tuple[float, ...]) -> Rule:
    return lambda s: s.meaning is not None and s.meaning >= t[0]


def combined(t: tuple[float, ...]) -> Rule:
    return lambda s: not s.details_missing and s.combined(t[0]) >= t[1]


def combined_negation(t: tuple[float, ...]) -> Rule:
    return lambda s: not s.negation_differs and combined(t)(s)


def vetoed(s: PairScore) -> bool:
    """The two vetoes the app ships: a "not" where the other has none, or an opposite."""
    return s.negation_differs or s.opposite


def combined_vetoes(t: tuple[float, ...]) -> Rule:
    return lambda s: not vetoed(s) and combined(t)(s)


Maker = Callable[[tuple[float, ...]], Rule]
_COMBINED: list[tuple[float, ...]] = [
    (w, t) for w in _grid(0.0, 1.0, 0.1) for t in _grid(0.3, 0.9, 0.01)
]
METHODS: dict[str, tuple[Maker, list[tuple[float, ...]], str]] = {
    **{
        f"lexical only, {v[:4]}": (lexical, [(t,) for t in _grid(0.3, 1.0, 0.025)], v)
        for v in (VARIANTS[3], VARIANTS[0])
    },
    **{f"meaning, {v}": (meaning, [(t,) for t in _grid(0.2, 0.9, 0.01)], v) for v in VARIANTS},
    **{f"combined, {v}": (combined, _COMBINED, v) for v in VARIANTS},
    **{
        f"lexical+vetoes, {v[:4]}": (
            lambda t: lambda s: not vetoed(s) and lexical(t)(s),
            [(t,) for t in _grid(0.3, 1.0, 0.025)],
            v,
        )
        for v in (VARIANTS[3], VARIANTS[0])
    },
    **{f"combined+not, {v}": (combined_negation, _COMBINED, v) for v in VARIANTS[::3]},
    **{f"combined+vetoes, {v}": (combined_vetoes, _COMBINED, v) for v in VARIANTS},
}


def choose(pairs: Sequence[Pair], make: Maker, grid: list[tuple[float, ...]],
           variant: str) -> tuple[float, ...]:  # fmt: skip
    """The thresholds with the highest recall among those meeting both targets; when none
    does, the highest F0.5 (precision weighs twice as much as recall: a wrong sentence shown as
    supported costs the reader more than a right one left unmarked). Ties: the higher
    precision, then the middle of the tied range, which generalises better than its edge."""
    scored = [(measure(pairs, make(t), variant), t) for t in grid]
    ok = [(r, p, t) for (p, r), t in scored if p >= PRECISION_TARGET and r >= RECALL_TARGET]
    if not ok:
        ok = [(_f_half(p, r), p, t) for (p, r), t in scored]
    best = max((r, p) for r, p, _ in ok)
    tied = [t for r, p, t in ok if (r, p) == best]
    return tied[len(tied) // 2]


def _f_half(precision: float, recall: float) -> float:
    return 1.25 * precision * recall / (0.25 * precision + recall) if precision + recall else 0.0


def held_out(pairs: Sequence[Pair], make: Maker, grid: list[tuple[float, ...]], variant: str,
             split: Callable[[Pair], str]) -> tuple[float, float]:  # fmt: skip
    """Each part of ``split`` scored at the thresholds chosen on all the other parts."""
    decided: list[tuple[bool, bool]] = []
    for part in sorted({split(p) for p in pairs}):
        rule = make(choose([p for p in pairs if split(p) != part], make, grid, variant))
        decided += [(p.label, rule(p.scores[variant])) for p in pairs if split(p) == part]
    tp = sum(1 for label, said in decided if label and said)
    fp = sum(1 for label, said in decided if not label and said)
    fn = sum(1 for label, said in decided if label and not said)
    return tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0


def _timed(runs: dict[str, Callable[[], object]], rounds: int = 7) -> dict[str, float]:
    """The median ms of each run over ``rounds`` rounds after a warm-up; each round times every
    run in turn, so a busy machine slows all of them alike and the ratios stay fair."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for round_ in range(rounds + 1):
        for name, run in runs.items():
            t0 = time.perf_counter()
            run()
            if round_:
                times[name].append((time.perf_counter() - t0) * 1000)
    return {name: statistics.median(ms) for name, ms in times.items()}


def cost(embedder: SentenceTransformerEmbedder, counted: Frequencies) -> dict[str, float]:
    """Median ms to attribute a 10-sentence answer to 8 passages as shipped (the passages'
    stored vectors given), and references measured in the same run: embedding the 8 passages
    once, and embedding the sentences with the passages' windows (the previous method)."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    texts: list[str] = []
    for answer in data["answers"]:
        texts += [p["text"] for p in answer["passages"] if p["text"] not in texts]
    # Ten sentences of the set, each one claim as the splitter sees it, as one answer.
    candidates = [s if s.rstrip()[-1:] in ".!?" else s + "." for s in
                  dict.fromkeys(p["sentence"] for p in data["pairs"])]  # fmt: skip
    sentences = [s for s in candidates if len(attribute(s, []).sentences) == 1][:10]
    answer_text = "\n\n".join(sentences)  # one paragraph each: ten sentences as split
    vectors = embedder.embed(texts[:8])
    passages = [Passage(i + 1, "doc", None, 0, 0, t, 1.0, vector=v)
                for i, (t, v) in enumerate(zip(texts[:8], vectors, strict=True))]  # fmt: skip
    assert len(attribute(answer_text, passages, embed=embedder.embed).sentences) == 10
    windows = [w for t in texts[:8] for w in passage_pieces(t, "windows")]
    return _timed({
        "shipped": lambda: attribute(answer_text, passages, embed=embedder.embed,
                                     frequencies=counted),
        "words only": lambda: attribute(answer_text, passages, frequencies=counted),
        "embed 8 passages": lambda: embedder.embed(texts[:8]),
        "embed sentences + windows": lambda: embedder.embed([*sentences, *windows]),
    })  # fmt: skip


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # The embedder as the app runs it (its int8 export where it can be made); --float32 for
    # the model as it is.
    paths = Paths(HOME / "data", HOME / "config", HOME / "cache", HOME / "logs")
    embedder: Any = (
        SentenceTransformerEmbedder(MINILM) if "--float32" in sys.argv[1:]
        else load_embedder(str(MINILM), paths)
    )  # fmt: skip
    print(f"embedder: {getattr(embedder, 'variant', 'float32')}")
    if "--cost" in sys.argv[1:]:
        return print_cost(embedder)
    pairs = load_pairs(embedder)
    positives = sum(p.label for p in pairs)
    kinds = {k: sum(1 for p in pairs if p.kind == k) for k in sorted({p.kind for p in pairs})}
    docs = {d: sum(1 for p in pairs if p.docs == d) for d in sorted({p.docs for p in pairs})}
    questions = len({p.group for p in pairs})
    # Two halves of the questions, alternating in the order the answers were written.
    halves = {q: i % 2 for i, q in enumerate(dict.fromkeys(p.group for p in pairs))}
    print(f"{len(pairs)} labelled pairs ({positives} supported) from {questions} questions; "
          f"kinds {kinds}; documents {docs}")  # fmt: skip
    print(f"{'method':<26} {'thresholds':<11} {'prec':>5} {'recall':>6}   half of the questions:"
          f" {'prec':>5} {'recall':>6}   by documents: {'prec':>5} {'recall':>6}")  # fmt: skip
    for name, (make, grid, variant) in METHODS.items():
        chosen = choose(pairs, make, grid, variant)
        p, r = measure(pairs, make(chosen), variant)
        qp, qr = held_out(pairs, make, grid, variant, lambda q: str(halves[q.group]))
        dp, dr = held_out(pairs, make, grid, variant, lambda q: q.docs)
        shown = ", ".join(f"{x:g}" for x in chosen)
        print(f"{name:<26} {shown:<11} {p:5.3f} {r:6.3f}   {'':>21}{qp:5.3f} {qr:6.3f}"
              f"   {'':>13}{dp:5.3f} {dr:6.3f}")  # fmt: skip
    p, r = measure(pairs, lambda s: s.supports())
    lp, lr = measure(pairs, lambda s: replace(s, meaning=None).supports())
    print(f"shipped: combined w={shipped.LEXICAL_WEIGHT:g} t={shipped.COMBINED_THRESHOLD:g}: "
          f"precision {p:.3f} recall {r:.3f}; without an embedder (containment >= "
          f"{shipped.LEXICAL_THRESHOLD:g}): precision {lp:.3f} recall {lr:.3f}")  # fmt: skip
    for kind in kinds:
        subset = [q for q in pairs if q.kind == kind]
        right = sum(1 for q in subset if q.score.supports() == q.label)
        print(f"  shipped, {kind}: {right}/{len(subset)} decided as labelled")
    if "--errors" in sys.argv[1:]:
        print_errors(pairs)
    print_cost(embedder)


def print_errors(pairs: Sequence[Pair]) -> None:
    """Each pair the shipped rule decides otherwise than its label, with its scores and the
    stretch of the passage where the sentence's words are."""
    for p in pairs:
        said = p.score.supports()
        if said == p.label:
            continue
        s = p.score
        print(f"\n{'FALSE SUPPORT' if said else 'MISSED'} [{p.kind}, {p.group}] "
              f"containment {s.containment:.2f} meaning {s.meaning or 0:.2f} "
              f"combined {s.combined():.2f} details_missing {s.details_missing} "
              f"negation {s.negation_differs}\n  S: {p.sentence}\n  P: "
              + " ".join(p.passage.split())[:600])  # fmt: skip


def print_cost(embedder: SentenceTransformerEmbedder) -> None:
    spent = cost(embedder, collection_frequencies(embedder)["man"])
    reference = spent["embed 8 passages"]
    print("cost of a 10-sentence answer with 8 passages (median ms; ratio to embedding the "
          "8 passages once, measured in the same rounds):")  # fmt: skip
    for name, ms in spent.items():
        print(f"  {name:<26} {ms:7.1f} ms  {ms / reference:5.2f}x")


if __name__ == "__main__":
    main()
