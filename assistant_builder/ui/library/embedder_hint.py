"""The Library's one-time suggestion of the multilingual embedder, for a collection whose
documents are mostly not in English (core/knowledge/language.py decides and words it)."""

from __future__ import annotations

from collections.abc import Callable

from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.embedder_catalog import MULTILINGUAL
from assistant_builder.core.knowledge.language import SUGGESTION_SHOWN
from assistant_builder.ui.widgets.banner import Banner

ACTION = "Use the multilingual embedder"


def offer_multilingual(
    banner: Banner,
    collections: Collections,
    name: str,
    suggestion: str,
    reindex: Callable[[str], None],
) -> None:
    """Show ``suggestion`` with its action; it is noted as shown, so it never comes again."""
    config = collections.get(name)
    collections.save(config.__class__.from_dict({**config.to_dict(), SUGGESTION_SHOWN: True}))

    def switch() -> None:
        collections.update(name, embedder=MULTILINGUAL)
        banner.dismiss()
        reindex(name)

    banner.show_message(suggestion, kind="info", action=ACTION, on_action=switch)
