"""Sentence attribution by the app: which passages support each sentence of an answer, the
model's own [n] marks checked, and the sentences no passage supports."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant_builder.core.assistants.answering import attributor
from assistant_builder.core.assistants.attribution import attribute
from assistant_builder.core.assistants.prompt import Passage
from assistant_builder.core.assistants.sentences import split_sentences
from assistant_builder.core.knowledge.word_counts import WordFrequencies
from assistant_builder.core.knowledge.wording import stem

# Passages as the man pages of this machine word them.
HEAD = (
    "head - output the first part of files SYNOPSIS head [OPTION]... [FILE]... DESCRIPTION "
    "Print the first 10 lines of each FILE to standard output. With more than one FILE, "
    "precede each with a header giving the file name."
)
MV = (
    "-f, --force do not prompt before overwriting -i, --interactive prompt before overwrite "
    "-n, --no-clobber do not overwrite an existing file"
)
TAR = "-z, --gzip, --gunzip filter the archive through gzip"


def _passages(*texts: str) -> list[Passage]:
    return [Passage(i, f"doc{i}.txt", None, 0, len(t), t, 1.0) for i, t in enumerate(texts, 1)]


def _said(answer: str, spans) -> list[str]:
    return [answer[a:b] for a, b in spans]


def test_sentences_follow_markdown_lists_code_and_abbreviations() -> None:
    answer = (
        "Sure! Here is how:\n\n"
        "1. Use `tar -z` to compress, e.g. with gzip [1].\n"
        "2. Add -v to see the files. [2]\n\n"
        "```\ntar -czf out.tgz dir\n```\n"
        "# Notes\n"
        "The file.txt stays 3.5 MB. It is kept. Rent is due on the 1st. Ask Dr. Who."
    )
    said = [(answer[s.start : s.end], s.marks) for s in split_sentences(answer)]
    assert said == [
        ("Sure!", ()),
        ("Here is how:", ()),
        ("Use `tar -z` to compress, e.g. with gzip [1].", (1,)),
        ("Add -v to see the files. [2]", (2,)),
        ("The file.txt stays 3.5 MB.", ()),
        ("It is kept.", ()),
        ("Rent is due on the 1st.", ()),  # an ordinal's "st" is no abbreviation
        ("Ask Dr. Who.", ()),
    ]


def test_a_sentence_the_passage_states_is_attributed_to_it_with_its_span() -> None:
    answer = "head prints the first 10 lines of each file. Bananas grow in Peru."
    result = attribute(answer, _passages(TAR, HEAD))
    assert [s.passages for s in result.sentences] == [(2,), ()]
    assert _said(answer, result.spans_of(2)) == ["head prints the first 10 lines of each file."]
    assert result.spans_of(1) == ()
    assert _said(answer, result.unsupported) == ["Bananas grow in Peru."]


def test_a_changed_number_is_not_supported() -> None:
    answer = "head prints the first 20 lines of each file."
    result = attribute(answer, _passages(HEAD))
    assert not result.sentences[0].supported
    assert _said(answer, result.unsupported) == [answer]


def test_the_models_own_marks_are_kept_when_right_and_doubtful_when_wrong() -> None:
    answer = (
        "With -n, mv does not overwrite an existing file [1]. "
        "Tar filters the archive through gzip with -z [1][3]."
    )
    first, second = attribute(answer, _passages(MV, TAR)).sentences
    assert (first.marks, first.kept, first.doubtful) == ((1,), (1,), ())
    assert second.passages == (2,)
    assert (second.marks, second.kept, second.doubtful) == ((1, 3), (), (1, 3))


def test_short_sentences_making_no_claim_are_neither_supported_nor_unsupported() -> None:
    result = attribute("Sure! Here it is.", _passages(HEAD))
    assert result.sentences == () and result.unsupported == ()


# As `man mv` and `man ls` lay out their options: a head line, then its entry.
MV_OPTIONS = (
    "       -f, --force\n              do not prompt before overwriting\n\n"
    "       -i, --interactive\n              prompt before overwrite\n\n"
    "       -n, --no-clobber\n              do not overwrite an existing file\n"
)
LS_OPTIONS = (
    "       -t     sort by time, newest first; see --time\n\n"
    "       -T, --tabsize=COLS\n              assume tab stops at each COLS instead of 8\n"
)
BASE_PASSWD = (
    "You *may not* use any uids or gids in the 60000-64999 range without *first* "
    "requesting an allocation from base-passwd@packages.debian.org and waiting for "
    "confirmation that the allocation has been granted."
)


def test_an_option_is_checked_against_its_own_entry_not_its_neighbours() -> None:
    answer = "With -i, mv prompts before overwriting. With -f, mv prompts before overwriting."
    result = attribute(answer, _passages(MV_OPTIONS))
    assert [s.supported for s in result.sentences] == [True, False]
    assert _said(answer, result.unsupported) == ["With -f, mv prompts before overwriting."]


def test_an_option_in_capitals_is_another_option() -> None:
    answer = "ls -t sorts by time, newest first. ls -T sorts by time, newest first."
    result = attribute(answer, _passages(LS_OPTIONS))
    assert [s.supported for s in result.sentences] == [True, False]


def test_a_claim_the_passage_negates_is_not_supported_but_a_double_negation_is() -> None:
    answer = (
        "You should delete your users when your package is purged. "
        "Using a uid in the 60000-64999 range requires asking base-passwd@packages.debian.org "
        "first."
    )
    purge = "It might be advisable to not delete your users on purge of your package."
    result = attribute(answer, _passages(purge, BASE_PASSWD))
    assert [s.passages for s in result.sentences] == [(), (2,)]
    directory = (
        "       -d, --directory\n              list directories themselves, not their contents\n"
    )
    said = "The -d option lists directories themselves instead of their contents."
    assert attribute(said, _passages(directory)).sentences[0].passages == (1,)


def test_with_the_collections_word_counts_a_missing_rare_word_weighs_more_than_a_common_one() -> (
    None
):
    answer = "gzip keeps the mode of the file."
    common = "gzip keeps the mode of the archive."  # "file" missing: in most passages
    rare = "tar keeps the mode of the file."  # "gzip" missing: in one passage of 1000
    counts = {stem("gzip"): 1, stem("keeps"): 300, stem("mode"): 300, stem("file"): 900}

    def counted(words) -> WordFrequencies:
        return WordFrequencies(1000, {w: counts.get(w, 0) for w in words})

    without = attribute(answer, _passages(common, rare))
    weighed = attribute(answer, _passages(common, rare), frequencies=counted)

    assert without.sentences[0].passages == (1, 2)  # three words of four, either way
    assert weighed.sentences[0].passages == (1,)


def test_answering_weighs_words_by_the_counts_of_the_collection_the_passages_came_from() -> None:
    asked: list[str] = []

    def counted(collection: str, words) -> WordFrequencies:
        asked.append(collection)
        counts = {stem("gzip"): 1, stem("keeps"): 300, stem("mode"): 300, stem("file"): 900}
        return WordFrequencies(1000, {w: counts.get(w, 0) for w in words})

    passages = [
        replace(p, collection="manuals")
        for p in _passages("gzip keeps the mode of the archive.", "tar keeps the mode of the file.")
    ]
    run = attributor(None, passages, counted)

    assert run is not None
    assert run("gzip keeps the mode of the file.", passages).sentences[0].passages == (1,)
    assert asked == ["manuals"]


MV_UPDATE = (
    "       -u, --update\n              move only when the SOURCE file is newer than the "
    "destination file or when the destination file is missing\n"
)


def test_a_claim_with_the_opposite_of_the_passages_word_is_not_supported() -> None:
    wrong = "With -u, mv moves only when the source file is older than the destination."
    right = "With -u, mv moves only when the source file is newer than the destination."
    result = attribute(f"{wrong} {right}", _passages(MV_UPDATE))
    assert [s.supported for s in result.sentences] == [False, True]


MV_PAGE = "NAME\n       mv - move (rename) files\n\nOPTIONS\n" + MV_OPTIONS


def _real(minilm):
    return minilm.embed


@pytest.mark.integration
def test_with_the_real_embedder_a_reworded_claim_is_supported(minilm) -> None:
    answer = "Before it overwrites a file, mv -i prompts. Bananas grow in Peru."
    result = attribute(answer, _passages(MV_PAGE, TAR), embed=_real(minilm))
    assert [s.passages for s in result.sentences] == [(1,), ()]
    assert _said(answer, result.unsupported) == ["Bananas grow in Peru."]


@pytest.mark.integration
def test_with_the_real_embedder_a_wrong_option_or_number_is_not_supported(minilm) -> None:
    answer = "mv -x prompts before it overwrites a file. head prints the first 20 lines."
    result = attribute(answer, _passages(MV_PAGE, HEAD), embed=_real(minilm))
    assert [s.passages for s in result.sentences] == [(), ()]


@pytest.mark.integration
def test_with_the_real_embedder_a_wrong_claim_in_the_passages_words_is_not_supported(
    minilm,
) -> None:
    answer = "The -f option makes mv prompt before overwriting a file."
    result = attribute(answer, _passages(MV_PAGE, TAR), embed=_real(minilm))
    assert result.sentences[0].passages == ()


@pytest.mark.integration
@pytest.mark.xfail(
    strict=True,
    reason="'asked' for the passage's 'prompt': words in other words, which the embedder's"
    " cosine (weight 0.2 on the bench's set) does not make up for; recall 0.79-0.83 in the bench",
)
def test_with_the_real_embedder_a_paraphrase_in_other_words_is_supported(minilm) -> None:
    answer = "Use mv -i to be asked before a file gets overwritten."
    result = attribute(answer, _passages(MV_PAGE, TAR), embed=_real(minilm))
    assert [s.passages for s in result.sentences] == [(1,)]
