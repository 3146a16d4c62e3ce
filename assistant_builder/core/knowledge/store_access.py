"""Where a collection's passages are kept and how the app may reach them: a local LanceDB
folder, or a LanceDB URI on an object store that a team shares (s3://, gs://, az://). Opening
a store on another computer obeys the offline switch (a server on this computer is allowed)
and is written in the network log."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from assistant_builder.core.errors import KnowledgeError, SettingsError
from assistant_builder.core.network import NetworkPolicy, offline_from_env
from assistant_builder.core.paths import Paths
from assistant_builder.core.settings import load_settings

if TYPE_CHECKING:
    from assistant_builder.core.knowledge.collection import CollectionConfig, Collections
    from assistant_builder.core.knowledge.store import ChunkStore

log = logging.getLogger(__name__)
OBJECT_STORES = ("s3", "gs", "az")
PURPOSE = "shared document store"


def is_remote(uri: str) -> bool:
    """Whether ``uri`` is on an object store rather than a folder of this computer."""
    return urlsplit(uri).scheme in OBJECT_STORES


def check_store_uri(uri: str, endpoint: str = "") -> None:
    """Refuses, in one sentence, an address LanceDB could not keep a collection at."""
    scheme = urlsplit(uri).scheme
    if "://" in uri and scheme not in (*OBJECT_STORES, "file"):
        raise KnowledgeError(
            f"“{uri}” is not a place a collection can be kept; give a folder or an "
            "s3://, gs:// or az:// address."
        )
    if is_remote(uri) and not urlsplit(uri).netloc:
        raise KnowledgeError(f"“{uri}” names no bucket; write it as {scheme}://bucket/folder.")
    if endpoint and urlsplit(endpoint).scheme not in ("http", "https"):
        raise KnowledgeError(
            f"“{endpoint}” is not a server address; write it as https://host:port."
        )


def _endpoint(config: CollectionConfig) -> str:
    return (
        config.store_endpoint
        or os.environ.get("AWS_ENDPOINT_URL", "")
        or os.environ.get("AWS_ENDPOINT", "")
    )


def store_options(config: CollectionConfig) -> dict[str, str]:
    """LanceDB's storage_options for the collection's store: the endpoint and what it needs.
    Keys and secrets stay in the environment (AWS_ACCESS_KEY_ID…), which the store reads."""
    if urlsplit(config.store_uri).scheme != "s3":
        return {}
    endpoint = _endpoint(config)
    if not endpoint:
        return {}
    # An S3-compatible server needs a region although it ignores it.
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    options = {"endpoint": endpoint, "region": region}
    if urlsplit(endpoint).scheme == "http":
        options["allow_http"] = "true"
    return options


def store_address(config: CollectionConfig) -> str:
    """What the app connects to for a remote store: its server, or the bucket's own address."""
    endpoint = _endpoint(config)
    if endpoint:
        return endpoint
    parts = urlsplit(config.store_uri)
    return f"{parts.scheme}://{parts.netloc}"


def unreachable_store(uri: str, exc: BaseException) -> str:
    """The sentence for a store that could not be opened, from the object store's error (a
    dump of its request, kept in the log file, not shown)."""
    log.warning("could not open the store %s: %s", uri, exc)
    text = str(exc)
    if "NoSuchBucket" in text:
        why = "its bucket does not exist; check the address"
    elif any(code in text for code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "403")):
        why = (
            "its keys were refused; check this computer's AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY"
        )
    elif "onnect" in text or "dns" in text.lower():
        why = "its server did not answer; check the server's address and this computer's network"
    else:
        why = "check its address, its server's, and this computer's keys to it"
    return f"The store {uri} could not be opened: {why}."


def offline_for(paths: Paths) -> bool:
    try:
        setting = load_settings(paths.settings_file).offline
    except SettingsError:
        setting = False
    return offline_from_env(setting)


def open_store(collections: Collections, config: CollectionConfig) -> ChunkStore:
    """The collection's chunk store, after the network rules allowed reaching it."""
    from assistant_builder.core.knowledge.store import ChunkStore

    uri = collections.store_uri(config)
    if is_remote(uri):
        paths = collections.paths
        policy = NetworkPolicy(paths.network_log, offline=offline_for(paths))
        policy.check("CONNECT", store_address(config), PURPOSE)
    return ChunkStore(uri, options=store_options(config))
