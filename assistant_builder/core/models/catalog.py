"""The curated catalog of models shipped with the app (resources/catalog.json).

A file's size and sha256 are known only together with the revision they were read at (publishers
re-upload files); what the catalog leaves empty is taken from the hub at download time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from assistant_builder.core.errors import ModelError
from assistant_builder.core.models.fit import ModelShape

# Bits per weight of common llama.cpp quantizations, for sizing a file before the hub says.
_BITS_PER_WEIGHT = {
    "Q2_K": 3.0, "Q3_K_M": 3.9, "Q4_0": 4.55, "Q4_1": 5.0, "Q4_K_S": 4.6, "Q4_K_M": 4.85,
    "Q5_K_S": 5.55, "Q5_K_M": 5.7, "Q6_K": 6.6, "Q8_0": 8.5, "F16": 16.0, "BF16": 16.0,
}  # fmt: skip


# Where a card's numbers were not read, the estimate assumes the high end of 2025-26 models
# under 9 B (wide embeddings, 8 KV heads of 128, a 256k vocabulary), so "will it run?" errs
# towards "needs more"; after download the GGUF's own metadata replaces these.
_ASSUMED_SHAPE = {
    "embedding_length": 4096, "head_count": 32, "head_count_kv": 8, "vocab_size": 262144,
}  # fmt: skip


IMAGES_NOTE = (
    "It can also read images: its image reader is downloaded with it when you ask; attaching "
    "images in the chat comes in a later version."
)
WITH_IMAGES = "+images"  # a pull reference's ending that asks for the image reader too


@dataclass(frozen=True)
class CatalogFile:
    quantization: str
    filename: str
    size: int | None
    sha256: str
    source: str = "hub"  # "hub", or "pypi:package==version" for the offline starter
    revision: str = ""  # the commit size and sha256 were read at, downloaded from; "": main
    repo: str = ""  # when the file lives in another repository than the entry's


# The catalog's licence ids, by the name a person knows them and where to read them; a
# model's own licence (no fixed text) is read on its page on Hugging Face.
LICENCES: dict[str, tuple[str, str]] = {
    "apache-2.0": ("Apache 2.0", "https://www.apache.org/licenses/LICENSE-2.0"),
    "mit": ("MIT", "https://opensource.org/license/mit"),
    "gemma": ("Gemma Terms of Use", "https://ai.google.dev/gemma/terms"),
    "llama3.1": ("Llama 3.1 Community License", "https://www.llama.com/llama3_1/license/"),
    "llama3.2": ("Llama 3.2 Community License", "https://www.llama.com/llama3_2/license/"),
    "qwen-research": ("Qwen Research License", ""),
}


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    name: str
    family: str
    repo: str
    parameters: int
    license: str
    context_length: int
    description: str
    default_quantization: str
    files: tuple[CatalogFile, ...]
    shape: dict[str, int]
    mmproj: CatalogFile | None = None  # the image reader (vision projector), when it has one

    @property
    def licence_name(self) -> str:
        return LICENCES.get(self.license, (self.license, ""))[0]

    @property
    def licence_url(self) -> str:
        return LICENCES.get(self.license, ("", ""))[1] or f"https://huggingface.co/{self.repo}"

    @property
    def reads_images(self) -> bool:
        return self.mmproj is not None

    def repo_of(self, item: CatalogFile) -> str:
        return item.repo or self.repo

    def file(self, quantization: str | None = None) -> CatalogFile:
        wanted = (quantization or self.default_quantization).upper()
        for item in self.files:
            if item.quantization.upper() == wanted or item.filename == quantization:
                return item
        offered = ", ".join(f.quantization for f in self.files)
        raise ModelError(
            f"{self.name} is offered as {offered}, not {quantization}; choose one of those."
        )

    def estimated_size(self, item: CatalogFile) -> int:
        if item.size:
            return item.size
        bits = _BITS_PER_WEIGHT.get(item.quantization.upper(), 5.0)
        return int(self.parameters * bits / 8)

    def model_shape(self, item: CatalogFile | None = None) -> ModelShape:
        chosen = item or self.file()
        shape = {**_ASSUMED_SHAPE, **self.shape}
        return ModelShape(
            weights_bytes=self.estimated_size(chosen),
            block_count=shape["block_count"],
            embedding_length=shape["embedding_length"],
            head_count=shape["head_count"],
            head_count_kv=shape["head_count_kv"],
            key_length=self.shape.get("key_length", 0),
            value_length=self.shape.get("value_length", 0),
            vocab_size=shape["vocab_size"],
            context_length=self.context_length,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "family": self.family,
            "repo": self.repo,
            "parameters": self.parameters,
            "license": self.license,
            "context_length": self.context_length,
            "description": self.description,
            "default_quantization": self.default_quantization,
            "files": [{**f.__dict__, "repo": self.repo_of(f)} for f in self.files],
            "reads_images": self.reads_images,
        }


def load_catalog(text: str | None = None) -> list[CatalogEntry]:
    """The shipped catalog (or ``text`` in the same format, for tests)."""
    if text is None:
        text = (
            resources.files("assistant_builder")
            .joinpath("resources/catalog.json")
            .read_text(encoding="utf-8")
        )
    raw = json.loads(text)
    entries = []
    for item in raw["models"]:
        files = tuple(CatalogFile(**f) for f in item["files"])
        mmproj = CatalogFile(**item["mmproj"]) if item.get("mmproj") else None
        entries.append(CatalogEntry(**{**item, "files": files, "mmproj": mmproj}))
    return entries


def find_entry(ref: str, catalog: list[CatalogEntry] | None = None) -> tuple[CatalogEntry, str]:
    """``id`` or ``id:QUANT`` -> (entry, quantization or ""); ModelError when not in the catalog."""
    entry_id, _, quant = ref.partition(":")
    for entry in catalog if catalog is not None else load_catalog():
        if entry.id == entry_id.lower():
            return entry, quant
    raise ModelError(
        f"“{ref}” is not in the catalog; choose one of its models, or give a Hugging Face "
        "repository as owner/repo.",
        command="models catalog",
    )
