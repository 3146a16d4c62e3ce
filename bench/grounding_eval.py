"""Sentence attribution measured on labelled (answer sentence, passage, label) pairs.

The pairs (bench/data/grounding_pairs.json) come from real answers of the real small model
(SmolLM2-135M through the app, bench/grounding_answers.py) over this machine's manual pages,
each labelled by reading the sentence and the passage: "supported" means the passage says what
the sentence says. A few sentences are written by the labeller on purpose (kind "paraphrase":
a passage's statement reworded; kind "wrong": a confident wrong statement about the same
topic). Each pair records the question, the model and the documents it was produced from.

Prints precision and recall of "supported" for the lexical-only, the embedding-only and the
combined method: at the thresholds this set chooses (highest recall with precision >= 0.90),
then held out (thresholds chosen on the other questions' pairs, for each question in turn),
then at the thresholds the app ships (core/assistants/attribution.py). Then the cost of
attributing a 10-sentence answer to 8 passages with the real MiniLM, next to the cost of
embedding those 8 passages once, measured in the same run.

    python bench/grounding_eval.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant_builder.core.assistants import attribution as shipped
from assistant_builder.core.assistants.attribution import (
    PairScore,
    Similarity,
    attribute,
    score_pairs,
)
from assistant_builder.core.assistants.prompt import Passage
from assistant_builder.core.knowledge.embedder import SentenceTransformerEmbedder, similarity

MINILM = Path.home() / ".cache" / "assistant-builder-tests" / "embedders" / "all-MiniLM-L6-v2"
DATA = Path(__file__).resolve().parent / "data" / "grounding_pairs.json"
PRECISION_TARGET = 0.90


@dataclass(frozen=True)
class Pair:
    group: str  # the question: held-out runs leave one out at a time
    kind: str
    label: bool
    score: PairScore


Rule = Callable[[PairScore], bool]


def embedder_similarity(embedder: SentenceTransformerEmbedder) -> Similarity:
    return lambda sentences, texts: similarity(embedder, sentences, texts)


def load_pairs(similarity: Similarity) -> list[Pair]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    answers = data["answers"]
    out: list[Pair] = []
    by_answer: dict[int, list[dict[str, object]]] = {}
    for pair in data["pairs"]:
        by_answer.setdefault(int(pair["answer"]), []).append(pair)
    for index, pairs in by_answer.items():
        answer = answers[index]
        texts = {p["n"]: p["text"] for p in answer["passages"]}
        sentences = sorted({str(p["sentence"]) for p in pairs})
        numbers = sorted(texts)
        rows = score_pairs(sentences, [texts[n] for n in numbers], similarity)
        for pair in pairs:
            row = rows[sentences.index(str(pair["sentence"]))]
            score = row[numbers.index(int(pair["passage"]))]  # type: ignore[call-overload]
            out.append(Pair(answer["question"], str(pair["kind"]), bool(pair["supported"]), score))
    return out


def measure(pairs: Sequence[Pair], rule: Rule) -> tuple[float, float]:
    tp = sum(1 for p in pairs if p.label and rule(p.score))
    fp = sum(1 for p in pairs if not p.label and rule(p.score))
    fn = sum(1 for p in pairs if p.label and not rule(p.score))
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


METHODS: dict[str, tuple[Callable[[tuple[float, ...]], Rule], list[tuple[float, ...]]]] = {
    "lexical only": (lexical, [(t,) for t in _grid(0.3, 1.0, 0.025)]),
    "embedding only": (meaning, [(t,) for t in _grid(0.2, 0.9, 0.01)]),
    "combined": (
        combined,
        [(w, t) for w in _grid(0.0, 1.0, 0.1) for t in _grid(0.3, 0.9, 0.01)],
    ),
    "combined, not": (
        combined_negation,
        [(w, t) for w in _grid(0.0, 1.0, 0.1) for t in _grid(0.3, 0.9, 0.01)],
    ),
}


def choose(pairs: Sequence[Pair], make: Callable[[tuple[float, ...]], Rule],
           grid: list[tuple[float, ...]]) -> tuple[float, ...]:  # fmt: skip
    """The thresholds with the highest recall at precision >= target (ties: higher precision,
    then the middle of the tied range, which generalises better than its edge)."""
    scored = [(measure(pairs, make(t)), t) for t in grid]
    ok = [(r, p, t) for (p, r), t in scored if p >= PRECISION_TARGET]
    if not ok:
        return max(scored, key=lambda x: 2 * x[0][0] * x[0][1] / (x[0][0] + x[0][1] or 1))[1]
    best = max((r, p) for r, p, _ in ok)
    tied = [t for r, p, t in ok if (r, p) == best]
    return tied[len(tied) // 2]


def held_out(pairs: Sequence[Pair], make: Callable[[tuple[float, ...]], Rule],
             grid: list[tuple[float, ...]]) -> tuple[float, float]:  # fmt: skip
    decided: list[tuple[bool, bool]] = []
    for group in sorted({p.group for p in pairs}):
        rule = make(choose([p for p in pairs if p.group != group], make, grid))
        decided += [(p.label, rule(p.score)) for p in pairs if p.group == group]
    tp = sum(1 for label, said in decided if label and said)
    fp = sum(1 for label, said in decided if not label and said)
    fn = sum(1 for label, said in decided if label and not said)
    return tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0


def cost(embedder: SentenceTransformerEmbedder) -> tuple[float, float]:
    """Median ms to attribute a 10-sentence answer to 8 passages, and to embed the 8 once."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    texts: list[str] = []
    for answer in data["answers"]:
        texts += [p["text"] for p in answer["passages"] if p["text"] not in texts]
    # Ten sentences of the set, each one claim as the splitter sees it, as one answer.
    candidates = [s if s.rstrip()[-1:] in ".!?" else s + "." for s in
                  dict.fromkeys(p["sentence"] for p in data["pairs"])]  # fmt: skip
    sentences = [s for s in candidates if len(attribute(s, []).sentences) == 1][:10]
    answer_text = "\n\n".join(sentences)  # one paragraph each: ten sentences as split
    passages = [Passage(i + 1, "doc", None, 0, 0, t, 1.0) for i, t in enumerate(texts[:8])]
    similarity = embedder_similarity(embedder)
    attribute(answer_text, passages, similarity=similarity)  # warm-up
    embedder.embed(texts[:8])
    runs, refs = [], []
    for _ in range(7):
        t0 = time.perf_counter()
        result = attribute(answer_text, passages, similarity=similarity)
        runs.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        embedder.embed(texts[:8])
        refs.append((time.perf_counter() - t0) * 1000)
    assert len(result.sentences) == 10, len(result.sentences)
    return statistics.median(runs), statistics.median(refs)


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    embedder = SentenceTransformerEmbedder(MINILM)
    pairs = load_pairs(embedder_similarity(embedder))
    positives = sum(p.label for p in pairs)
    kinds = {k: sum(1 for p in pairs if p.kind == k) for k in sorted({p.kind for p in pairs})}
    print(f"{len(pairs)} labelled pairs ({positives} supported) from "
          f"{len({p.group for p in pairs})} questions; kinds {kinds}")  # fmt: skip
    print(f"{'method':<15} {'thresholds':<14} {'precision':>9} {'recall':>7}"
          f"   held out: {'precision':>9} {'recall':>7}")  # fmt: skip
    for name, (make, grid) in METHODS.items():
        chosen = choose(pairs, make, grid)
        p, r = measure(pairs, make(chosen))
        hp, hr = held_out(pairs, make, grid)
        shown = ", ".join(f"{x:g}" for x in chosen)
        print(f"{name:<15} {shown:<14} {p:9.3f} {r:7.3f}   {'':>10}{hp:9.3f} {hr:7.3f}")
    p, r = measure(pairs, lambda s: s.supports())
    lp, lr = measure(pairs, lambda s: PairScore(s.containment, None,
                                                s.details_missing, False).supports())  # fmt: skip
    print(f"shipped: combined w={shipped.LEXICAL_WEIGHT:g} t={shipped.COMBINED_THRESHOLD:g}: "
          f"precision {p:.3f} recall {r:.3f}; without an embedder (containment >= "
          f"{shipped.LEXICAL_THRESHOLD:g}): precision {lp:.3f} recall {lr:.3f}")  # fmt: skip
    for kind in kinds:
        subset = [q for q in pairs if q.kind == kind]
        right = sum(1 for q in subset if q.score.supports() == q.label)
        print(f"  shipped, {kind}: {right}/{len(subset)} decided as labelled")
    spent, reference = cost(embedder)
    print(
        f"cost: {spent:.1f} ms per 10-sentence answer with 8 passages (MiniLM included); "
        f"embedding the 8 passages once: {reference:.1f} ms; ratio {spent / reference:.2f}"
    )


if __name__ == "__main__":
    main()
