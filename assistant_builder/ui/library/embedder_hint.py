"""The Library's one-time suggestion of the multilingual embedder, for a collection whose
documents are mostly not in English (core/knowledge/language.py decides and words it)."""

from __future__ import annotations

from collections.abc import Callable

from assistant_builder.core.app import App
from assistant_builder.ui.widgets.banner import Banner

ACTION = "Use the multilingual embedder"


def offer_multilingual(
    banner: Banner,
    app: App,
    name: str,
    suggestion: str,
    reindex: Callable[[str], None],
) -> None:
    """Show ``suggestion`` with its action; it is noted as shown, so it never comes again."""
    app.suggestion_shown(name)

    def switch() -> None:
        app.use_multilingual_embedder(name)
        banner.dismiss()
        reindex(name)

    banner.show_message(suggestion, kind="info", action=ACTION, on_action=switch)
