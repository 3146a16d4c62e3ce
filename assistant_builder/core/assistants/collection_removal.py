"""Removing a collection that assistants read: who reads it (the confirmation names them), and
the removal, which then takes the collection out of each of them through the assistant store,
so nothing else of an assistant changes. The Library page and ``collections remove`` call it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.errors import AppError


@dataclass(frozen=True)
class CollectionRemoved:
    name: str
    changed: tuple[str, ...]  # the assistants that no longer read it, by name
    # Assistants that could not be saved without it, with why; they say so when asked.
    unchanged: tuple[tuple[str, str], ...] = ()


def in_words(names: Sequence[str]) -> str:
    """“Helpdesk”, “Helpdesk and Recipes”, “A, B and C”."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def readers(store: AssistantStore, collection: str) -> list[Assistant]:
    """The assistants that read this collection, by name."""
    return [a for a in store.list() if any(ref.name == collection for ref in a.collections)]


def removal_question(collection: str, reading: Sequence[Assistant]) -> str:
    """What the confirmation asks before the collection goes."""
    who = (
        f"“{collection}” is used by {in_words([a.name for a in reading])}; removing it also "
        "removes it from them. "
        if reading
        else ""
    )
    return (
        f"{who}Remove the collection “{collection}” and its index? Your documents stay where "
        "they are: nothing in your folders is ever deleted."
    )


def remove_collection(
    store: AssistantStore, name: str, *, remove: Callable[[str], None]
) -> CollectionRemoved:
    """``remove`` forgets the collection and its index (in the knowledge process for the app,
    here for the command line). It goes first: if it fails, every assistant still reads it."""
    remove(name)
    changed: list[str] = []
    unchanged: list[tuple[str, str]] = []
    for assistant in readers(store, name):
        kept = tuple(ref for ref in assistant.collections if ref.name != name)
        try:
            store.save(replace(assistant, collections=kept))
        except AppError as exc:
            unchanged.append((assistant.name, str(exc)))
        else:
            changed.append(assistant.name)
    return CollectionRemoved(name, tuple(changed), tuple(unchanged))


def removed_sentence(removed: CollectionRemoved) -> str:
    text = f"Removed the collection “{removed.name}” (your files were not touched)"
    if removed.changed:
        verb = "reads" if len(removed.changed) == 1 else "read"
        text += f"; {in_words(removed.changed)} no longer {verb} it"
    if removed.unchanged:
        text += (
            f"; {in_words([n for n, _ in removed.unchanged])} could not be changed and will "
            "say so when asked"
        )
    return text + "."
