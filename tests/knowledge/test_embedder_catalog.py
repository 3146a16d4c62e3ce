"""The embedders a collection can use: MiniLM as today, a multilingual one (fetched from the hub
at first use), an optional reranker; e5's "query: "/"passage: " prefixes; and the Library's
one-time suggestion when a collection's documents are mostly not English."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant_builder.core.knowledge.collection import CollectionConfig
from assistant_builder.core.knowledge.embedder import (
    embed_query,
    load_embedder,
)
from assistant_builder.core.knowledge.embedder_catalog import (
    EMBEDDERS,
    MULTILINGUAL,
    STARTER,
    find_embedder,
)
from assistant_builder.core.knowledge.language import (
    SUGGESTION_SHOWN,
    embedder_suggestion,
    is_english,
    mostly_not_english,
)
from tests.models.conftest import fake_hub  # noqa: F401  (the fake hub fixture)
from tests.models.fake_hub import FakeHub

ENGLISH = [
    "The tenant pays the rent on the first day of each month to the landlord's bank account.",
    "If the heating fails, tell the landlord in writing and keep a copy of the letter.",
]
FRENCH = [
    "Le locataire paie le loyer le premier jour de chaque mois sur le compte du propriétaire.",
    "Si le chauffage tombe en panne, prévenez le propriétaire par écrit et gardez une copie.",
    "Les animaux sont autorisés dans l'appartement à condition de ne pas gêner les voisins.",
]
GERMAN = ["Die Miete ist am ersten Tag jedes Monats auf das Konto des Vermieters zu zahlen."]


def test_the_catalog_offers_english_multilingual_and_a_reranker() -> None:
    assert find_embedder("all-MiniLM-L6-v2") is find_embedder(STARTER)
    kinds = {(e.kind, e.multilingual) for e in EMBEDDERS}
    assert {("embedder", False), ("embedder", True), ("reranker", False)} <= kinds
    for entry in EMBEDDERS:
        assert entry.size.startswith("about ") and entry.languages
        assert entry.description.endswith(".") and entry.description.count(". ") == 0
    e5 = find_embedder(MULTILINGUAL)
    assert e5 is not None and (e5.query_prefix, e5.passage_prefix) == ("query: ", "passage: ")


class _Recorder:
    """Stands in for a loaded sentence-transformers model: records what it is asked to read."""

    max_seq_length = 512

    def __init__(self) -> None:
        self.read: list[str] = []

    def encode(self, texts: list[str], **_: Any) -> np.ndarray:
        self.read.extend(texts)
        return np.ones((len(texts), 4), dtype=np.float32) / 2


def test_e5_reads_questions_and_passages_with_their_prefixes() -> None:
    e5 = load_embedder(MULTILINGUAL, paths=None)
    plain = load_embedder("some-owner/plain-embedder", paths=None)
    for embedder in (e5, plain):
        embedder._model = _Recorder()
    e5.embed(["Le loyer est dû le 1er."])
    embed_query(e5, "Quand payer le loyer ?")
    plain.embed(["Rent is due on the 1st."])
    embed_query(plain, "When is rent due?")
    assert e5._model.read == ["passage: Le loyer est dû le 1er.", "query: Quand payer le loyer ?"]
    assert plain._model.read == ["Rent is due on the 1st.", "When is rent due?"]


def test_a_collection_mostly_not_in_english_gets_the_suggestion_once() -> None:
    assert is_english(ENGLISH[0]) is True and is_english(FRENCH[0]) is False
    assert is_english("Table 3") is None  # too short to tell
    assert mostly_not_english(FRENCH + GERMAN + ENGLISH[:1])
    assert not mostly_not_english(ENGLISH + FRENCH[:1]) and not mostly_not_english(["Fig. 1"])
    lease = CollectionConfig("Bail", ("/docs",))
    sentence = embedder_suggestion(lease, FRENCH + GERMAN)
    assert "not in English" in sentence and "embeds the collection again" in sentence
    assert embedder_suggestion(lease, ENGLISH) == ""
    shown = replace(lease, extra={SUGGESTION_SHOWN: True})
    assert embedder_suggestion(shown, FRENCH) == ""  # once
    assert embedder_suggestion(replace(lease, embedder=MULTILINGUAL), FRENCH) == ""
    assert embedder_suggestion(replace(lease, embedder="/my/own/model"), FRENCH) == ""


@pytest.mark.integration
def test_the_multilingual_embedder_comes_from_the_hub_at_first_use(
    fake_hub: FakeHub,  # noqa: F811  (the models tests' fixture, imported above)
    minilm_dir: Path,
    tmp_path: Path,
) -> None:
    # The hub serves a small sentence-transformers model under the multilingual one's name.
    for file in sorted(minilm_dir.rglob("*")):
        if file.is_file():
            fake_hub.add_file(MULTILINGUAL, file.relative_to(minilm_dir).as_posix(), file)
    probe = (
        "import json, sys\n"
        "from assistant_builder.core.knowledge.embedder import load_embedder\n"
        f"e = load_embedder({MULTILINGUAL!r}, paths=None)\n"
        "v = e.embed_query('Quand payer le loyer ?')\n"
        "print(json.dumps([e.dimension, float((v * v).sum()), e.passage_prefix]))\n"
    )
    env = {**os.environ, "HF_ENDPOINT": fake_hub.url, "HF_HUB_OFFLINE": "0",
           "HF_HOME": str(tmp_path / "hf-home")}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dimension, norm, prefix = json.loads(done.stdout.strip().splitlines()[-1])
    assert dimension == 384 and abs(norm - 1.0) < 1e-4 and prefix == "passage: "
    assert fake_hub.gets("model.safetensors") or fake_hub.gets("pytorch_model.bin")
