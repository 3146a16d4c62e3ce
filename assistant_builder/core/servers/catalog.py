"""The model servers as the app uses them: each one's models (asked over the network, through
the app's network policy), a connection test in one sentence, and the remote engine that
answers with one of its models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.engine.server_facts import listed_context
from assistant_builder.core.errors import AppError, Cancelled
from assistant_builder.core.network import NetworkPolicy
from assistant_builder.core.paths import Paths
from assistant_builder.core.servers.keys import KeyStore

if TYPE_CHECKING:  # its HTTP library is imported only when a server is used
    from assistant_builder.core.engine.remote import RemoteEngine
from assistant_builder.core.servers.store import ModelServer, ServerStore


@dataclass(frozen=True)
class ServerModel:
    """A model a server offers, by the id it lists it under."""

    server: str
    id: str
    context_size: int | None = None  # None: the server does not say in its list

    @property
    def label(self) -> str:
        return f"{self.id} — on {self.server}"


@dataclass(frozen=True)
class ServerModels:
    """What one server offers now, or why it could not be asked (``problem``)."""

    server: ModelServer
    models: tuple[ServerModel, ...] = ()
    problem: str = ""

    @property
    def sentence(self) -> str:
        """The connection test's answer, one sentence either way."""
        name = self.server.name
        if self.problem:
            return self.problem
        if not self.models:
            return f"“{name}” answers, but lists no models; load one on the server first."
        ids = [m.id for m in self.models]
        shown = ", ".join(ids[:5]) + (" …" if len(ids) > 5 else "")
        return f"“{name}” answers and offers {len(ids)} model(s): {shown}."


class Servers:
    """The servers the person added, reached through ``policy`` (offline mode, network log)."""

    def __init__(self, paths: Paths, policy: NetworkPolicy, keys: KeyStore | None = None) -> None:
        self.store = ServerStore(paths.servers_file, keys or KeyStore(paths.server_keys_file))
        self.policy = policy

    def added(self) -> list[ModelServer]:
        return self.store.list()

    def add(self, name: str, url: str, api_key: str = "") -> ModelServer:
        return self.store.add(name, url, api_key)

    def remove(self, name: str) -> ModelServer:
        return self.store.remove(name)

    def engine(self, name: str, model: str = "") -> RemoteEngine:
        """A remote engine for ``model`` on the server named ``name`` (not yet loaded)."""
        server = self.store.get(name)
        key = self.store.keys.get(server.name) if server.has_key else ""
        from assistant_builder.core.engine.remote import RemoteEngine

        return RemoteEngine(
            server.url, model, api_key=key or None,
            policy=self.policy, label=server.name,
        )  # fmt: skip

    def models(self, name: str, *, cancel: CancelToken = NEVER) -> list[ServerModel]:
        """The models the server lists now; an unreachable server raises its plain sentence."""
        engine = self.engine(name)
        try:
            cancel.raise_if_cancelled()
            listing = engine.served_models()
        finally:
            engine.unload()
        server = engine.label
        return [
            ServerModel(server, str(m["id"]), listed_context(listing, str(m["id"])))
            for m in listing
        ]

    def check(self, name: str, *, cancel: CancelToken = NEVER) -> ServerModels:
        """Ask the server what it offers now; a server that cannot be asked has its sentence."""
        server = self.store.get(name)
        try:
            return ServerModels(server, tuple(self.models(server.name, cancel=cancel)))
        except AppError as exc:
            if isinstance(exc, Cancelled):
                raise
            return ServerModels(server, problem=str(exc))

    def everything(self, *, cancel: CancelToken = NEVER) -> list[ServerModels]:
        """Every server with its models, a server that cannot be asked with its sentence."""
        out: list[ServerModels] = []
        for server in self.added():
            cancel.raise_if_cancelled()
            out.append(self.check(server.name, cancel=cancel))
        return out
