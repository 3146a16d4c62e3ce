"""What the person does with assistants through the app beyond editing one: start a new one from
a starting point, see which model each uses, share one as a file and add one someone shared."""

from __future__ import annotations

from pathlib import Path

from assistant_builder.core.assistants.bundle import ExportSummary, OnProgress, export_bundle
from assistant_builder.core.assistants.bundle_import import ImportResult, import_bundle
from assistant_builder.core.assistants.model import Assistant, ModelRef
from assistant_builder.core.assistants.presets import StartingPoint, from_starting_point
from assistant_builder.core.assistants.store import AssistantStore, model_ref
from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.errors import AppError
from assistant_builder.core.services import Services


class AssistantUseCases:
    """Mixed into App (core/app/app.py), which sets these two."""

    services: Services
    assistants: AssistantStore

    def new_assistant(self, point: StartingPoint) -> Assistant:
        """A new (unsaved) assistant from ``point``, with a name no other assistant has and the
        first installed model; with none, the editor's Model section says how to get one."""
        try:
            models = self.services.models.list(kind="model")
        except AppError:
            models = []
        model = model_ref(models[0]) if models else ModelRef(id="")
        name = self.assistants.unique_name(point.assistant.name)
        return from_starting_point(point, name=name, model=model)

    def model_names(self) -> dict[str, str]:
        """The installed models' names by id (none when the registry cannot be read)."""
        try:
            return {m.id: m.name for m in self.services.models.list()}
        except AppError:
            return {}

    def export_assistant(
        self,
        assistant: Assistant,
        dest: Path,
        *,
        cancel: CancelToken = NEVER,
        on_progress: OnProgress | None = None,
    ) -> ExportSummary:
        """Write the assistant, with its documents, to one file someone else can import."""
        return export_bundle(
            assistant, dest, registry=self.services.models, cancel=cancel, on_progress=on_progress
        )

    def import_assistant(
        self,
        source: Path,
        *,
        cancel: CancelToken = NEVER,
        on_progress: OnProgress | None = None,
    ) -> ImportResult:
        """Add the assistant in ``source`` (a shared file), its documents and model choices."""
        return import_bundle(
            source,
            store=self.assistants,
            registry=self.services.models,
            documents_dir=self.services.paths.imported_documents_dir,
            cancel=cancel,
            on_progress=on_progress,
        )
