"""What the person does with model servers through the app: add one by its address and key,
test it and see its models, remove it; and read the network log (every connection the app
opened, newest first). Each request goes through the app's network policy."""

from __future__ import annotations

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.network import NetworkEntry
from assistant_builder.core.servers.catalog import ServerModels
from assistant_builder.core.servers.store import ModelServer
from assistant_builder.core.services import Services


class ServerUseCases:
    """Mixed into App (core/app/app.py), which sets ``services``."""

    services: Services

    def model_servers(self) -> list[ModelServer]:
        return self.services.servers.added()

    def key_storage(self) -> str:
        """Where a server's API key is kept on this computer, in the app's words."""
        return self.services.servers.store.keys.where()

    def add_model_server(self, name: str, url: str, api_key: str = "") -> ModelServer:
        """Add a server (its address checked, not yet reached); its key never in settings."""
        return self.services.servers.add(name, url, api_key)

    def remove_model_server(self, name: str) -> ModelServer:
        """Forget the server and its key; assistants that use it keep their choice."""
        return self.services.servers.remove(name)

    def check_model_server(self, name: str, *, cancel: CancelToken = NEVER) -> ServerModels:
        """Reach the server and list its models (the Settings section's connection test)."""
        return self.services.servers.check(name, cancel=cancel)

    def server_models(self, *, cancel: CancelToken = NEVER) -> list[ServerModels]:
        """Every server with the models it offers now (the Models page, the editor)."""
        return self.services.servers.everything(cancel=cancel)

    def network_log(self, limit: int = 500) -> list[NetworkEntry]:
        """Every connection the app opened or was refused, newest first."""
        return self.services.network.newest_first(limit)
