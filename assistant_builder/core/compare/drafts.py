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
SAVED = "Saved"  # the name of the variant that is the assistant as saved


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
        return sorted(drafts, key=lambda d: d.name.casefold())

    def save(self, owner: str, name: str, assistant: Assistant) -> Draft:
        """Keep ``assistant`` as the draft ``name`` of ``owner`` (replacing a draft so named)."""
        name = name.strip() or "Draft"
        folder = self.folder_of(owner)
        key = _key(name)
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

    def unique_name(self, owner: str, name: str) -> str:
        """``name`` if no draft of ``owner`` has it (or its file name), else “name (2)”, …"""
        drafts = self.list(owner)
        taken = {d.name.casefold() for d in drafts} | {d.key for d in drafts}
        candidate, n = name, 2
        while candidate.casefold() in taken or _key(candidate) in taken:
            candidate, n = f"{name} ({n})", n + 1
        return candidate

    def keep(
        self, chosen: Variant, others: Sequence[Variant], *, owner: str, as_new: bool = False
    ) -> Assistant:
        """Save ``chosen`` into the assistant ``owner`` (or as a new assistant under a free
        name) and keep every other variant as a draft of ``owner``: under its own name, the
        saved assistant's as “Before <chosen>”; one already kept as it is is not kept twice,
        and no draft is ever overwritten (a changed one gets a name of its own)."""
        if as_new:
            name = self._assistants.unique_name(chosen.assistant.name)
            kept = self._assistants.create(replace(chosen.assistant, name=name))
        else:
            current = self._assistants.get(owner)
            kept = self._assistants.save(
                replace(chosen.assistant, id=owner, name=current.name,
                        created_at=current.created_at)
            )  # fmt: skip
        existing = {d.name.casefold(): d for d in self.list(owner)}
        for variant in others:
            if _same(variant.assistant, kept):
                continue
            name = f"Before {chosen.name}" if variant.name == SAVED else variant.name
            old = existing.get(name.casefold())
            if old is not None and _same(old.assistant, variant.assistant):
                continue
            self.save(owner, self.unique_name(owner, name), variant.assistant)
        return kept


def _key(name: str) -> str:
    return slugify(name).strip("._-") or "draft"


def _same(a: Assistant, b: Assistant) -> bool:
    """The same assistant but for its identity and dates."""

    def bare(x: Assistant) -> Assistant:
        return replace(x, id="", name="", created_at=0.0, updated_at=0.0)

    return bare(a) == bare(b)
