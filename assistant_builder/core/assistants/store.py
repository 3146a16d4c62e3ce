"""The saved assistants: one human-readable JSON file each, written atomically, migrated on
load. The file name is the assistant's id; its display name lives inside."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path

from assistant_builder.core.assistants.choices import PassageChoices
from assistant_builder.core.assistants.model import Assistant, ModelRef, validate
from assistant_builder.core.errors import AssistantError, plain_disk_full
from assistant_builder.core.fileio import write_bytes_atomic, write_json_atomic
from assistant_builder.core.models.registry import InstalledModel, slugify

SUFFIX = ".json"


@dataclass(frozen=True)
class Removed:
    """A deleted assistant's file, byte for byte, so an undo can put back exactly what was."""

    assistant: Assistant
    content: bytes


@dataclass(frozen=True)
class Unreadable:
    """An assistant file that could not be loaded, and the sentence saying why."""

    path: Path
    reason: str


def model_ref(model: InstalledModel) -> ModelRef:
    return ModelRef(id=model.id, repo=model.repo, filename=model.filename, sha256=model.sha256)


class AssistantStore:
    """Reads the folder on every call, so two processes (app and command line) agree."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    @property
    def folder(self) -> Path:
        return self._folder

    def path_of(self, assistant_id: str) -> Path:
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", assistant_id):
            raise AssistantError(f"“{assistant_id}” is not a valid assistant id.")
        return self._folder / f"{assistant_id}{SUFFIX}"

    def _load(self, path: Path) -> Assistant:
        where = f"The assistant file {path}"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise AssistantError(f"{where} could not be read; fix or delete it.") from exc
        assistant = Assistant.from_dict(raw, where=where)
        if assistant.id != path.stem:
            # A copied or renamed file: the file name wins so saving it again cannot clobber.
            assistant = replace(assistant, id=path.stem)
        return assistant

    def scan(self) -> tuple[list[Assistant], list[Unreadable]]:
        """Every assistant by name, and the files that could not be read (listed, never lost)."""
        found: list[Assistant] = []
        bad: list[Unreadable] = []
        if not self._folder.is_dir():
            return found, bad
        for path in sorted(self._folder.glob(f"*{SUFFIX}")):
            try:
                found.append(self._load(path))
            except AssistantError as exc:
                bad.append(Unreadable(path, str(exc)))
        found.sort(key=lambda a: a.name.casefold())
        return found, bad

    def list(self) -> list[Assistant]:
        return self.scan()[0]

    def get(self, ref: str) -> Assistant:
        """By id or by name (names are matched without regard to case)."""
        candidate = self._folder / f"{ref}{SUFFIX}"
        if re.fullmatch(r"[a-z0-9][a-z0-9._-]*", ref) and candidate.is_file():
            return self._load(candidate)
        for assistant in self.list():
            if assistant.name.casefold() == ref.casefold():
                return assistant
        raise AssistantError(
            f"No assistant is called “{ref}”; check its name among your assistants.",
            command="assistants list",
        )

    def exists(self, name: str) -> bool:
        return any(a.name.casefold() == name.casefold() for a in self.list())

    def unique_name(self, name: str) -> str:
        """The name itself if free, else “name (2)”, “name (3)”, …"""
        taken = {a.name.casefold() for a in self.list()}
        base = re.sub(r" \(\d+\)$", "", name) if name.casefold() in taken else name
        candidate, n = name, 2
        while candidate.casefold() in taken:
            candidate, n = f"{base} ({n})", n + 1
        return candidate

    def _unique_id(self, name: str) -> str:
        base = slugify(name).lstrip("._-") or "assistant"
        candidate, n = base, 2
        while (self._folder / f"{candidate}{SUFFIX}").exists():
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def create(self, assistant: Assistant) -> Assistant:
        """Save a new assistant; its id is chosen here, and a taken name is refused."""
        if self.exists(assistant.name):
            raise AssistantError(
                f"An assistant called “{assistant.name}” already exists; choose another name."
            )
        now = time.time()
        assistant = replace(
            assistant, id=self._unique_id(assistant.name), created_at=now, updated_at=now
        )
        validate(assistant)
        path = self.path_of(assistant.id)
        with plain_disk_full(path, f"the assistant “{assistant.name}”", "save it again"):
            write_json_atomic(path, assistant.to_dict())
        return assistant

    def save(self, assistant: Assistant) -> Assistant:
        """Replace an existing assistant's file with new content."""
        path = self.path_of(assistant.id)
        if not path.is_file():
            raise AssistantError(f"The assistant “{assistant.name}” no longer exists.")
        others = [a for a in self.list() if a.id != assistant.id]
        if any(a.name.casefold() == assistant.name.casefold() for a in others):
            raise AssistantError(
                f"An assistant called “{assistant.name}” already exists; choose another name."
            )
        assistant = replace(assistant, updated_at=time.time())
        validate(assistant)
        with plain_disk_full(path, f"the assistant “{assistant.name}”", "save it again"):
            write_json_atomic(path, assistant.to_dict())
        return assistant

    def save_choices(self, assistant_id: str, choices: PassageChoices) -> Assistant:
        """Keep new passage choices ("Why this answer") at once, on the file as it is now, so
        nothing else of the assistant is replaced by an older copy."""
        return self.save(replace(self.get(assistant_id), passage_choices=choices))

    def remove(self, ref: str) -> Assistant:
        assistant = self.get(ref)
        self.path_of(assistant.id).unlink()
        return assistant

    def remove_for_undo(self, ref: str) -> Removed:
        """Delete an assistant and hand back its file's exact bytes for :meth:`restore`."""
        assistant = self.get(ref)
        path = self.path_of(assistant.id)
        content = path.read_bytes()
        path.unlink()
        return Removed(assistant, content)

    def restore(self, removed: Removed) -> Assistant:
        """Undo a removal: the same file, same id, same bytes."""
        path = self.path_of(removed.assistant.id)
        if path.exists() or self.exists(removed.assistant.name):
            raise AssistantError(
                f"Another assistant now uses the name “{removed.assistant.name}”; "
                "rename it, then undo again."
            )
        write_bytes_atomic(path, removed.content)
        return self._load(path)

    def duplicate(self, ref: str) -> Assistant:
        """A copy under a free name (“Name (2)”), saved as a new assistant."""
        original = self.get(ref)
        return self.create(replace(original, name=self.unique_name(original.name)))
