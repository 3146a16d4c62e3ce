"""The int8 ONNX embedder: a sentence-transformers model (transformer, mean or first-token
pooling, unit length) run by onnxruntime with its own fast tokenizer, without torch. The same
class embeds a collection's passages and its questions."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.knowledge.embedder import SHORT_CALL, Vectors

VARIANT = "onnx-int8"
_LAYERS = ("sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling")
_NORMALIZE = "sentence_transformers.models.Normalize"


def pooling_of(folder: Path) -> str | None:
    """ "mean" or "cls" where the folder is a plain sentence-transformers model this class
    reproduces (the layers above, a tokenizer.json), else None (the float32 encoder is kept)."""
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        kinds = tuple(m["type"] for m in modules)
        if (
            kinds not in (_LAYERS, (*_LAYERS, _NORMALIZE))
            or not (folder / "tokenizer.json").is_file()
        ):
            return None
        pool = json.loads((folder / modules[1]["path"] / "config.json").read_text("utf-8"))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    modes = {k for k, v in pool.items() if k.startswith("pooling_mode") and v is True}
    return {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls"}.get(
        modes.pop() if len(modes) == 1 else ""
    )


class OnnxEmbedder:
    """Passages and questions through one int8 model; questions on one thread (a query is
    tiny, and a thread pool waiting for cores on a busy machine costs more than it gives)."""

    variant = VARIANT

    def __init__(
        self, folder: Path, model_file: Path, *, pooling: str, batch_size: int = 32,
        query_prefix: str = "", passage_prefix: str = "",
    ) -> None:  # fmt: skip
        from tokenizers import Tokenizer

        self._folder, self._model_file, self._pooling = folder, model_file, pooling
        self._batch_size = batch_size
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix
        self._counter = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._counter.no_truncation()
        self._counter.no_padding()
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._max_tokens = _max_seq_length(folder)
        self._tokenizer.enable_truncation(self._max_tokens)
        self._tokenizer.enable_padding(pad_id=_pad_id(folder, self._tokenizer))
        self._sessions: dict[int, Any] = {}
        self._lock = threading.Lock()
        with open(folder / "config.json", encoding="utf-8") as handle:
            self._dimension = int(json.load(handle)["hidden_size"])

    @property
    def model_id(self) -> str:
        return self._folder.name

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    def count_tokens(self, text: str) -> int:
        return len(self._counter.encode(text, add_special_tokens=False).ids)

    def session(self, threads: int = 0) -> Any:
        """The onnxruntime session (0: its own thread count); loading it raises on a damaged
        file, which is how the loader learns to export again."""
        with self._lock:
            if threads not in self._sessions:
                import onnxruntime as ort

                options = ort.SessionOptions()
                options.intra_op_num_threads = threads
                # Waiting threads sleep instead of spinning: the cores are shared.
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                self._sessions[threads] = ort.InferenceSession(
                    str(self._model_file), options, providers=["CPUExecutionProvider"]
                )
            return self._sessions[threads]

    def embed_query(self, query: str) -> Vectors:
        vectors = self._run([self.query_prefix + query], self.session(1))
        return np.asarray(vectors[0], dtype=np.float32)

    def embed(self, texts: Sequence[str], *, cancel: CancelToken = NEVER) -> Vectors:
        texts = [self.passage_prefix + t for t in texts]
        if len(texts) <= SHORT_CALL:
            return self._run(texts, self.session(1))
        session = self.session()
        # Batches of similar lengths pad less (as SentenceTransformer.encode sorts too).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for start in range(0, len(order), self._batch_size):
            cancel.raise_if_cancelled()
            picked = order[start : start + self._batch_size]
            out[picked] = self._run([texts[i] for i in picked], session)
        return out

    def _run(self, texts: Sequence[str], session: Any) -> Vectors:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        encoded = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = session.run(None, feed)[0]
        if self._pooling == "cls":
            pooled = hidden[:, 0]
        else:
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.clip(norms, 1e-12, None), dtype=np.float32)


def _max_seq_length(folder: Path) -> int:
    try:
        config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return int(config["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError):
        return 512


def _pad_id(folder: Path, tokenizer: Any) -> int:
    try:
        special = json.loads((folder / "special_tokens_map.json").read_text(encoding="utf-8"))
        pad = special["pad_token"]
        pad = pad["content"] if isinstance(pad, dict) else pad
    except (OSError, ValueError, KeyError, TypeError):
        return 0
    found = tokenizer.token_to_id(str(pad))
    return int(found) if found is not None else 0
