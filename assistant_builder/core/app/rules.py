"""The plain rules the pages apply to the records they hold (no resource of the app is needed):
whether a model will run on a machine, which preset a set of sampling values is, what is wrong
with a template, how a removal or an answer's marks read, where a passage is on a page. Defined
where core keeps them; the ui reaches them here, with the façade."""

from __future__ import annotations

from assistant_builder.core.assistants.collection_removal import removed_sentence
from assistant_builder.core.assistants.model import Assistant, validate
from assistant_builder.core.assistants.presets import preset_name, sampling_preset
from assistant_builder.core.assistants.store import model_ref
from assistant_builder.core.assistants.template_check import template_problem
from assistant_builder.core.conversations.export import export_conversation, export_file_name
from assistant_builder.core.conversations.marks import (
    answer_marks,
    marked,
    sentinel,
    sentinel_places,
)
from assistant_builder.core.engine.backends import default_threads
from assistant_builder.core.errors import AppError
from assistant_builder.core.knowledge.embedder import canonical_embedder_id
from assistant_builder.core.knowledge.embedder_catalog import find_embedder
from assistant_builder.core.knowledge.page_match import find_in_page
from assistant_builder.core.models.fit import estimate_fit
from assistant_builder.core.models.gguf_info import quantization_name


def assistant_problem(assistant: Assistant) -> str:
    """What keeps the assistant from being saved (core's own check), or "" when nothing."""
    try:
        validate(assistant)
    except AppError as exc:
        return str(exc)
    return ""


__all__ = [
    "answer_marks",
    "assistant_problem",
    "canonical_embedder_id",
    "default_threads",
    "estimate_fit",
    "export_conversation",
    "export_file_name",
    "find_embedder",
    "find_in_page",
    "marked",
    "model_ref",
    "preset_name",
    "quantization_name",
    "removed_sentence",
    "sampling_preset",
    "sentinel",
    "sentinel_places",
    "template_problem",
]
