"""Talking to the Hugging Face hub: search GGUF repositories, list a repo's GGUF files with
their sizes and LFS sha256, and turn every hub failure into one plain sentence.

Everything goes through huggingface_hub (HfApi) with an explicit ``endpoint`` (HF_ENDPOINT,
read when called, so tests and users can point it at another server) and ``token``
(HF_TOKEN, then the token saved by ``hf auth login``, both via huggingface_hub.get_token)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from assistant_builder.core.errors import DownloadError
from assistant_builder.core.models.gguf_info import quantization_name
from assistant_builder.core.network import (
    NetworkPolicy,
    install_hub_policy,
    unreachable_sentence,
)

DEFAULT_ENDPOINT = "https://huggingface.co"


@dataclass(frozen=True)
class HubRepo:
    repo: str
    downloads: int
    likes: int
    gated: bool


@dataclass(frozen=True)
class HubFile:
    repo: str
    filename: str
    size: int
    sha256: str  # LFS sha256 published by the hub; "" when the file is not in LFS
    quantization: str
    revision: str  # the commit the listing was taken at


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def token() -> str | None:
    from huggingface_hub import get_token

    return get_token()


def _api() -> Any:
    from huggingface_hub import HfApi

    return HfApi(endpoint=endpoint(), token=token())


@contextlib.contextmanager
def plain_hub_errors(repo: str = "", filename: str = "") -> Iterator[None]:
    """Map huggingface_hub/httpx failures to DownloadError with a sentence a person can act on."""
    import httpx2
    from huggingface_hub import errors as hf

    what = f"“{repo}”" if repo else "the model"
    try:
        yield
    except (httpx2.InvalidURL, httpx2.UnsupportedProtocol) as exc:
        raise DownloadError(
            f"The Hugging Face address “{endpoint()}” is not a valid web address; "
            "fix or unset HF_ENDPOINT."
        ) from exc
    except hf.OfflineModeIsEnabled as exc:
        raise DownloadError(
            "The app started in offline mode, so it does not connect to Hugging Face until it "
            "is restarted; restart it to use the internet."
        ) from exc
    except (httpx2.TransportError, hf.LocalEntryNotFoundError) as exc:
        raise DownloadError(unreachable_sentence("Hugging Face", endpoint())) from exc
    except hf.HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else 0
        if isinstance(exc, hf.GatedRepoError) or status in (401, 403):
            raise DownloadError(
                f"{what} needs you to accept its licence on huggingface.co and a token: accept "
                "it on the model's page, then set HF_TOKEN to an access token and try again."
            ) from exc
        if isinstance(exc, hf.RemoteEntryNotFoundError):
            raise DownloadError(
                f"{what} has no file “{filename}”; search the repository to see its files.",
                command=f"models search {repo}",
            ) from exc
        if isinstance(exc, hf.RepositoryNotFoundError | hf.RevisionNotFoundError) or status == 404:
            raise DownloadError(
                f"No model {what} exists on Hugging Face; check the name (owner/repo)."
            ) from exc
        raise DownloadError(
            f"Hugging Face answered with an error ({status or exc}); try again later."
        ) from exc
    except hf.HFValidationError as exc:
        raise DownloadError(
            f"“{repo}” is not a valid Hugging Face repository name; write it as owner/repo."
        ) from exc


def use_network_policy(policy: NetworkPolicy) -> None:
    """Send every hub request through the app's policy: refused (and logged) when offline,
    logged otherwise, before anything opens a connection."""
    install_hub_policy(policy)
    if policy.offline:
        # raises OfflineError; the hub is the internet even at a mirror on this computer
        policy.check("GET", endpoint(), "Hugging Face Hub", this_computer_ok=False)


def search_repos(query: str, *, limit: int = 20) -> list[HubRepo]:
    """GGUF repositories matching ``query``, most downloaded first."""
    from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

    # One page of HfApi.list_models' own request: list_models paginates through http_backoff,
    # which retries a refused connection five times over ~23 s before failing; offline, a
    # person should hear so at once.
    params: dict[str, str | int] = {
        "search": query,
        "filter": "gguf",
        "sort": "downloads",
        "limit": limit,
    }
    with plain_hub_errors():
        response = get_session().get(
            f"{endpoint()}/api/models",
            params=params,
            headers=build_hf_headers(token=token()),
            timeout=30,
        )
        hf_raise_for_status(response)
        found = response.json()
    return [
        HubRepo(
            str(m["id"]), int(m.get("downloads") or 0), int(m.get("likes") or 0),
            bool(m.get("gated")),
        )
        for m in found
        if isinstance(m, dict) and m.get("id")
    ]  # fmt: skip


def repo_files(repo: str, revision: str | None = None) -> list[HubFile]:
    """The GGUF files of ``repo`` with size, LFS sha256 and quantization, largest last."""
    with plain_hub_errors(repo):
        info = _api().model_info(repo, revision=revision, files_metadata=True)
    files = []
    for sibling in info.siblings or []:
        name = sibling.rfilename
        if not name.lower().endswith(".gguf"):
            continue
        lfs = sibling.lfs
        sha = (lfs.sha256 if lfs is not None else "") or ""
        size = (lfs.size if lfs is not None else None) or sibling.size or 0
        quant = quantization_name(None, name.rsplit("/", 1)[-1])
        files.append(HubFile(repo, name, int(size), sha, quant, info.sha or revision or "main"))
    return sorted(files, key=lambda f: (f.size, f.filename))


def repo_file(repo: str, filename: str, revision: str | None = None) -> HubFile:
    for item in repo_files(repo, revision):
        if item.filename == filename:
            return item
    raise DownloadError(
        f"“{repo}” has no file “{filename}”; search the repository to see its files.",
        command=f"models search {repo}",
    )
