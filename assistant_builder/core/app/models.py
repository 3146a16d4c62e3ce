"""What the person does with models through the app: look at the catalog and whether a model will
run here, search Hugging Face, download, import a file, read a model's details, remove one.
Every request to the hub goes through the app's network policy, so offline mode and the
network log apply to each of them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.engine import state_cache
from assistant_builder.core.engine.state_cache import StateCacheSize
from assistant_builder.core.errors import AppError
from assistant_builder.core.models import hub, library
from assistant_builder.core.models.catalog import CatalogEntry, load_catalog
from assistant_builder.core.models.download import OnProgress, PendingDownload, pending_downloads
from assistant_builder.core.models.fit import Machine, detect_machine
from assistant_builder.core.models.gguf_info import GgufInfo
from assistant_builder.core.models.hub import HubFile, HubRepo
from assistant_builder.core.models.registry import InstalledModel
from assistant_builder.core.services import Services


class ModelUseCases:
    """Mixed into App (core/app/app.py), which sets ``services``."""

    services: Services

    def installed_models(self) -> list[InstalledModel]:
        return self.services.models.list()

    def has_models(self) -> bool:
        """Whether any model is installed (a registry that cannot be read counts as none)."""
        try:
            return bool(self.services.models.list())
        except AppError:
            return False

    def catalog(self) -> list[CatalogEntry]:
        """The models chosen for this app, with their files, sizes and licences."""
        return load_catalog()

    def this_machine(self, *, cancel: CancelToken = NEVER) -> Machine:
        """This computer's memory, cores and graphics card, for “will it run?”."""
        return detect_machine()

    def search_hub(self, query: str, *, cancel: CancelToken = NEVER) -> list[HubRepo]:
        """GGUF repositories on Hugging Face matching ``query``."""
        self._use_network()
        return hub.search_repos(query)

    def hub_files(self, repo: str, *, cancel: CancelToken = NEVER) -> list[HubFile]:
        """The GGUF files of ``repo`` (one per quantization) with their sizes."""
        self._use_network()
        cancel.raise_if_cancelled()
        return hub.repo_files(repo)

    def download_model(
        self, ref: str, *, cancel: CancelToken = NEVER, on_progress: OnProgress | None = None
    ) -> InstalledModel:
        """Download and install ``ref`` (owner/repo:file.gguf), continuing a stopped download."""
        self._use_network()
        network = self.services.network
        return library.pull(
            self.services.paths, ref, cancel=cancel, on_progress=on_progress, network=network
        )

    def stopped_downloads(self) -> list[PendingDownload]:
        """Downloads stopped before the end (in this run or an earlier one), to continue."""
        return pending_downloads(self.services.paths)

    def import_model_file(self, path: Path, *, cancel: CancelToken = NEVER) -> InstalledModel:
        """Add a GGUF file from this computer after checking it."""
        return library.add_local(self.services.paths, path, cancel=cancel)

    def model_details(self, ref: str, *, cancel: CancelToken = NEVER) -> GgufInfo:
        """Everything an installed model's file says about itself."""
        return library.inspect(self.services.paths, ref)

    def model_summaries(
        self, model_ids: list[str], *, cancel: CancelToken = NEVER
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """What each file says about itself, for models registered without that summary;
        a file that cannot be read is left out (its details say what is wrong with it)."""
        for model_id in model_ids:
            cancel.raise_if_cancelled()
            try:
                yield model_id, self.model_details(model_id).summary()
            except AppError:
                continue

    def assistants_using_model(self, model_id: str) -> list[str]:
        """The names of the assistants whose model or adapters are ``model_id``."""
        return library.default_users_of(self.services.paths)(model_id)

    def remove_model(self, model_id: str) -> InstalledModel:
        """Forget the model and delete its file if the app downloaded it (imports stay put);
        the person has confirmed it, even if assistants use it."""
        return library.remove(self.services.paths, model_id, force=True)

    def saved_prompt_states(self) -> StateCacheSize:
        """The disk space the saved states of assistants' fixed prompts take."""
        return state_cache.size_of(self.services.paths.state_cache_dir)

    def clear_saved_prompt_states(self) -> StateCacheSize:
        """Remove them all (each is made again when its assistant next answers)."""
        state_cache.clear(self.services.paths.state_cache_dir)
        return self.saved_prompt_states()

    def _use_network(self) -> None:
        hub.use_network_policy(self.services.network)
