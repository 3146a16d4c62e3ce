"""What an exported conversation says about itself: whose it is, how each answer ended, and a
file name every system accepts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant_builder.core.conversations.export import export_conversation, export_file_name
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.paths import Paths

# Characters at least one of Windows, macOS and Linux refuses in a file name.
REFUSED = set('<>:"/\\|?*') | {chr(c) for c in range(32)}
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10))}


@pytest.mark.parametrize(
    "title",
    [
        "Rent: 2024/25 — what is due?",
        'A "quoted" <b>bold</b> | pipe * star',
        "CON",
        "nul.txt",
        "trailing dots...",
        "   ",
        "tab\tand\nnew line",
        "x" * 400,
        "Überweisung für März, 東京",
    ],
)
def test_export_file_names_are_valid_everywhere(title: str) -> None:
    name = export_file_name(title)
    stem = name.removesuffix(".md")
    assert name.endswith(".md") and stem
    assert not REFUSED & set(name), name
    assert stem.split(".")[0].upper() not in WINDOWS_RESERVED
    assert not stem.endswith((".", " ")) and not stem.startswith(" ")
    assert len(name.encode("utf-8")) <= 255
    # What can be kept of the title is kept.
    if title == "Überweisung für März, 東京":
        assert stem == title


def test_the_header_names_the_assistant_as_the_user_named_it_and_endings_are_told(
    app_home: Paths, tmp_path: Path
) -> None:
    with ConversationStore(app_home.conversations_db) as store:
        conv = store.create("lease-helper-2", "Rent")
        store.add_message(conv.id, "user", "When is rent due?")
        stopped = store.start_answer(conv.id)
        stopped.append("Rent is due on the")
        stopped.finish(stop_reason="cancelled")
        store.add_message(conv.id, "user", "And the deposit?")
        full = store.start_answer(conv.id)
        full.append("Two months of rent.")
        full.finish()
        md_path = export_conversation(
            store, conv.id, tmp_path / "rent.md", assistant_name="Lease helper (Ada's)"
        )
        json_path = export_conversation(
            store, conv.id, tmp_path / "rent.json", assistant_name="Lease helper (Ada's)"
        )
    md = md_path.read_text(encoding="utf-8")
    assert "Assistant: Lease helper (Ada's) · started" in md
    assert "lease-helper-2" not in md
    assert "Rent is due on the\n\n*(Stopped before it finished" in md
    # The answer that ended by itself carries no note.
    assert md.count("*(Stopped") == 1 and "interrupted" not in md
    assert json.loads(json_path.read_text())["assistant_name"] == "Lease helper (Ada's)"
