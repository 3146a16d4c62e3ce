"""The word counts attribution weighs rare words by: counted at indexing from the passages as
stored, and kept right as files are added, changed and removed, or counts are lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.word_counts import WordFrequencies, frequencies
from assistant_builder.core.knowledge.wording import stem
from tests.fakes import DeterministicEmbedder
from tests.knowledge.conftest import run_index

pytestmark = pytest.mark.integration  # LanceDB

WORDS = {stem(w): w for w in ("tomatoes", "aphids", "sourdough", "water")}


def _counts(collections: Collections) -> tuple[int, dict[str, int]]:
    """Passages in all, and how many hold each of WORDS (as words, not stems)."""
    counted = frequencies(collections.words_file("garden"), WORDS)
    return counted.passages, {WORDS[s]: n for s, n in counted.counts.items()}


def test_counts_follow_the_files_as_they_are_added_changed_and_removed(
    collections: Collections, tmp_path: Path
) -> None:
    folder = tmp_path / "garden"
    folder.mkdir()
    (folder / "tomatoes.txt").write_text("Tomatoes need sun and water.\n", encoding="utf-8")
    (folder / "pests.txt").write_text("Wash aphids off with soapy water.\n", encoding="utf-8")
    collections.create("garden", [folder], embedder="fake")
    embedder = DeterministicEmbedder()

    run_index(collections, "garden", embedder=embedder)
    assert _counts(collections) == (2, {"tomatoes": 1, "aphids": 1, "water": 2})

    (folder / "bread.txt").write_text("Feed the sourdough starter water.\n", encoding="utf-8")
    (folder / "pests.txt").write_text("Aphids hate garlic.\n", encoding="utf-8")
    run_index(collections, "garden", embedder=embedder)
    assert _counts(collections) == (3, {"tomatoes": 1, "aphids": 1, "sourdough": 1, "water": 2})

    (folder / "tomatoes.txt").unlink()
    run_index(collections, "garden", embedder=embedder)
    assert _counts(collections) == (2, {"aphids": 1, "sourdough": 1, "water": 1})


def test_lost_counts_are_made_again_from_the_index_without_embedding_anything(
    collections: Collections, tmp_path: Path
) -> None:
    folder = tmp_path / "garden"
    folder.mkdir()
    (folder / "tomatoes.txt").write_text("Tomatoes need sun and water.\n", encoding="utf-8")
    collections.create("garden", [folder], embedder="fake")
    run_index(collections, "garden", embedder=DeterministicEmbedder())
    collections.words_file("garden").write_text("{not json", encoding="utf-8")
    assert frequencies(collections.words_file("garden"), WORDS) == WordFrequencies(0)

    report, _ = run_index(collections, "garden", embedder=DeterministicEmbedder())

    assert report.indexed == () and report.chunks == 0
    assert _counts(collections) == (1, {"tomatoes": 1, "water": 1})


def test_a_run_killed_before_it_saved_its_counts_is_made_good_by_the_next(
    collections: Collections, tmp_path: Path
) -> None:
    folder = tmp_path / "garden"
    folder.mkdir()
    (folder / "tomatoes.txt").write_text("Tomatoes need sun and water.\n", encoding="utf-8")
    collections.create("garden", [folder], embedder="fake")
    run_index(collections, "garden", embedder=DeterministicEmbedder())
    before = collections.words_file("garden").read_bytes()
    (folder / "tomatoes.txt").write_text("Tomatoes need sun.\n", encoding="utf-8")
    run_index(collections, "garden", embedder=DeterministicEmbedder())
    collections.words_file("garden").write_bytes(before)  # as if it died before saving them

    report, _ = run_index(collections, "garden", embedder=DeterministicEmbedder())

    assert report.indexed == ()  # the manifest vouches for the file: nothing embedded again
    assert _counts(collections) == (1, {"tomatoes": 1})


def test_counts_made_by_another_way_of_splitting_words_are_made_again(
    collections: Collections, tmp_path: Path
) -> None:
    folder = tmp_path / "garden"
    folder.mkdir()
    (folder / "tomatoes.txt").write_text("Tomatoes need sun and water.\n", encoding="utf-8")
    collections.create("garden", [folder], embedder="fake")
    run_index(collections, "garden", embedder=DeterministicEmbedder())
    kept = json.loads(collections.words_file("garden").read_text(encoding="utf-8"))
    kept["wording"] -= 1
    collections.words_file("garden").write_text(json.dumps(kept), encoding="utf-8")
    assert frequencies(collections.words_file("garden"), WORDS) == WordFrequencies(0)

    run_index(collections, "garden", embedder=DeterministicEmbedder())

    assert _counts(collections) == (1, {"tomatoes": 1, "water": 1})


def test_a_rare_word_weighs_more_and_no_counts_weigh_every_word_alike() -> None:
    counted = WordFrequencies(1000, {"gzip": 1, "file": 900})
    assert counted.weight("gzip") > 2 * counted.weight("file")
    assert counted.weight("never-seen") > counted.weight("gzip")
    assert WordFrequencies(0).weight("gzip") == WordFrequencies(0).weight("file") == 1.0
