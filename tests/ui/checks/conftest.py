"""The checks panel's fixtures: those of the final-prompt tests (the real SmolLM2 registered,
the "pets" collection indexed with the real MiniLM, the app on the shared knowledge process)."""

from tests.ui.prompt.conftest import app, make_page, paths, pets, registry, store

__all__ = ["app", "make_page", "paths", "pets", "registry", "store"]
