"""The façade the adapters reach core through. The rule (an import-linter contract in
pyproject.toml): ``assistant_builder.ui`` imports nothing of core but this package and the record
types of ``core/records.py``.

- ``App`` (app.py) owns what the pages share and offers what the person does, one plainly named
  method each (``app.index_collection(name)``, ``app.download_model(ref)``,
  ``app.import_assistant(path)``…), grouped by part of the app in models.py, library.py and
  assistants.py. Long ones take a keyword ``cancel`` token and report by yielding or calling
  ``on_progress``, so ui/workers.py can run them off the GUI thread.
- The handles it gives pages (``app.session``, ``app.assistants``, ``app.conversations``,
  ``app.previewer``) are exported here by type, so a page can say what it was given.
- rules.py: plain functions over records that need no resource (presets, template check,
  answer marks, wording)."""

from __future__ import annotations

from assistant_builder.core.app.app import App
from assistant_builder.core.app.rules import (
    answer_marks,
    assistant_problem,
    canonical_embedder_id,
    default_threads,
    estimate_fit,
    export_conversation,
    export_file_name,
    find_embedder,
    find_in_page,
    marked,
    model_ref,
    preset_name,
    quantization_name,
    removed_sentence,
    sampling_preset,
    sentinel,
    sentinel_places,
    template_problem,
)
from assistant_builder.core.assistants.preview import PromptPreviewer
from assistant_builder.core.assistants.session import AnswerSession
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.conversations.scratch import ScratchConversations
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.onboarding import FirstRun

__all__ = [
    "AnswerSession",
    "App",
    "AssistantStore",
    "ConversationStore",
    "FirstRun",
    "PromptPreviewer",
    "ScratchConversations",
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
