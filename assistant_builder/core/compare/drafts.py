"""The variants of an assistant not (yet) kept: named drafts in a folder beside the assistant's
own file (``assistants/<id>.drafts/``), one readable JSON file each, written atomically, until
the person deletes them. "Keep this one" saves the chosen variant into the assistant or as a
new assistant, and the other variants become drafts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.compare.run import Variant
from assistant_builder.core.errors import AssistantError, plain_disk_full
from assistant_builder.core.fileio import write_json_atomic
from assistant_builder.core.models.registry import slugify

SUFFIX = ".drafts"


@dataclass(frozen=True)
class Draft:
    """A named variant of the assistant ``owner`` (its id), kept until deleted."""

    owner: str
    name: str
    assistant: Assistant
    key: str  # the file's stem


class DraftStore:
    """Reads the folder on every call, as the assistant store does."""

    def __init__(self, assistants: AssistantStore) -> None:
        self._assistants = assistants

    def folder_of(self, owner: str) -> Path:
        path = self._assistants.path_of(owner)
        return path.with_name(path.stem + SUFFIX)

    def list(self, owner: str) -> list[Draft]:
        folder = self.folder_of(owner)
        drafts = []
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            where = f"The draft {path}"
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                name = raw["name"]
                if not isinstance(name, str):
                    raise TypeError("the name is not text")
                assistant = Assistant.from_dict(raw["assistant"], where=where)
            except (OSError, ValueError, KeyError, TypeError, AssistantError):
                continue  # a damaged draft is left where it is, never deleted
            drafts.append(Draft(owner, name, replace(assistant, id=owner), path.stem))
        return drafts

    def save(self, owner: str, name: str, assistant: Assistant) -> Draft:
        """Keep ``assistant`` as the draft ``name`` of ``owner`` (replacing a draft so named)."""
        name = name.strip() or "Draft"
        folder = self.folder_of(owner)
        key = slugify(name).strip("._-") or "draft"
        path = folder / f"{key}.json"
        with plain_disk_full(path, f"the draft “{name}”", "keep it again"):
            write_json_atomic(path, {"name": name, "assistant": assistant.to_dict()})
        return Draft(owner, name, replace(assistant, id=owner), key)

    def delete(self, draft: Draft) -> None:
        path = self.folder_of(draft.owner) / f"{draft.key}.json"
        path.unlink(missing_ok=True)
        folder = path.parent
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()

    def keep(
        self, chosen: Variant, others: Sequence[Variant], *, owner: str, as_new: bool = False
    ) -> Assistant:
        """Save ``chosen`` into the assistant ``owner`` (or as a new assistant under a free
        name) and keep every other variant that differs from the saved assistant as a draft of
        ``owner`` under its name."""
        current = self._assistants.get(owner)
        if as_new:
            name = self._assistants.unique_name(chosen.assistant.name)
            kept = self._assistants.create(replace(chosen.assistant, name=name))
        else:
            kept = self._assistants.save(
                replace(chosen.assistant, id=owner, name=current.name,
                        created_at=current.created_at)
            )  # fmt: skip
        for variant in others:
            if variant.assistant == current:
                continue  # the assistant as saved: nothing to keep apart
            self.save(owner, variant.name, variant.assistant)
        return kept
