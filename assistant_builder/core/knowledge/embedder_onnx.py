"""The exported embedder: a sentence-transformers model (transformer, mean or first-token
pooling, unit length) run from its ONNX export with its own fast tokenizer, without torch, by
one of two runtimes (RUNNERS; which one is measured on each computer, see embedder_runner): the
int8 copy in onnxruntime, or the float32 copy in OpenVINO computing in bfloat16 (or float32)
where the processor does so natively. The same class embeds a collection's passages and its
questions."""

from __future__ import annotations

import functools
import json
import os
import queue
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.knowledge.embedder import SHORT_CALL, Vectors

INT8, BF16, FLOAT32 = "onnx-int8", "openvino-bf16", "openvino-float32"
RUNNERS = (INT8, BF16, FLOAT32)  # also what a collection's manifest records as its variant
INT8_FILE, FLOAT32_FILE = "model.onnx", "float32.onnx"  # the export's two copies
QUESTIONS_CACHE = "openvino-questions"  # OpenVINO's compiled question model, in the export
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


def copy_name(runner: str) -> str:
    """The file name of the export's copy ``runner`` reads."""
    return INT8_FILE if runner == INT8 else FLOAT32_FILE


def model_file(export: Path, runner: str) -> Path:
    return export / copy_name(runner)


class OnnxEmbedder:
    """Passages and questions through one exported model and runtime; questions on one thread
    (a query is tiny, and a thread pool waiting for cores on a busy machine costs more than it
    gives)."""

    def __init__(
        self, folder: Path, export: Path, *, pooling: str, runner: str = INT8,
        batch_size: int = 8, query_prefix: str = "", passage_prefix: str = "",
    ) -> None:  # fmt: skip
        from tokenizers import Tokenizer

        if runner not in RUNNERS:
            raise ValueError(f"unknown runner {runner!r}")
        self.variant = runner
        self._folder, self._pooling = folder, pooling
        self._model_file = model_file(export, runner)
        self._batch_size = batch_size  # 8: as fast as 16 or faster through either's streams
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
        """The runtime's session (0: its own thread count), with onnxruntime's ``run``; loading
        it raises on a damaged file, which is how the loader learns to export again."""
        with self._lock:
            if threads not in self._sessions:
                if self.variant == INT8:
                    self._sessions[threads] = _OnnxRuntimeSession(self._model_file, threads)
                else:
                    precision = "bf16" if self.variant == BF16 else "f32"
                    self._sessions[threads] = _OpenVinoSession(self._model_file, threads, precision)
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
        # Smaller batches where there would be fewer than one for each of the runtime's streams.
        size = max(1, min(self._batch_size, -(-len(texts) // session.streams)))
        batches = [order[s : s + size] for s in range(0, len(order), size)]
        feeds = [self._feed([texts[i] for i in picked]) for picked in batches]
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        hidden_states = session.run_all(feeds, cancel)
        for picked, feed, hidden in zip(batches, feeds, hidden_states, strict=True):
            out[picked] = self._pooled(hidden, feed["attention_mask"])
        return out

    def _run(self, texts: Sequence[str], session: Any) -> Vectors:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        feed = self._feed(texts)
        return self._pooled(session.run(None, feed)[0], feed["attention_mask"])

    def _feed(self, texts: Sequence[str]) -> dict[str, Any]:
        encoded = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}

    def _pooled(self, hidden: Any, mask: Any) -> Vectors:
        if self._pooling == "cls":
            pooled = hidden[:, 0]
        else:
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.clip(norms, 1e-12, None), dtype=np.float32)


def _layout(threads: int) -> tuple[int, int]:
    """How many streams, of how many threads each: for passages (``threads`` 0) a few of a
    share of the cores each, for questions one of ``threads``."""
    if threads:
        return 1, threads
    cores = os.cpu_count() or 1
    streams = min(4, cores)
    return streams, max(1, cores // streams)


class _Streams:
    """A few runners of one model (sessions, infer requests), each batch of passages on a
    runner of its own from a pool of as many threads, each thread waiting in the runtime's
    synchronous call: no runtime calls back into Python from threads of its own."""

    def __init__(self, runners: Sequence[Callable[[dict[str, Any]], Any]]) -> None:
        self.count = len(runners)
        self._free: queue.SimpleQueue[Callable[[dict[str, Any]], Any]] = queue.SimpleQueue()
        for runner in runners:
            self._free.put(runner)
        self._pool = ThreadPoolExecutor(self.count, "embedder") if self.count > 1 else None

    def run_all(self, feeds: Sequence[dict[str, Any]], cancel: CancelToken) -> list[Any]:
        def one(feed: dict[str, Any]) -> Any:
            if cancel.cancelled:
                return None
            runner = self._free.get()
            try:
                return runner(feed)
            finally:
                self._free.put(runner)

        hidden = list(self._pool.map(one, feeds)) if self._pool else [one(f) for f in feeds]
        cancel.raise_if_cancelled()
        return hidden


class _OnnxRuntimeSession:
    """onnxruntime's session with ``run_all``: for passages (``threads`` 0), a session for each
    of a few streams, each batch on a stream of its own (on 2 cores two one-thread sessions
    embedded 10-35% more passages a second than one two-thread session); for questions (a
    thread count), one session."""

    def __init__(self, model: Path, threads: int) -> None:
        self.streams, each = _layout(threads)
        sessions = [_onnxruntime_session(model, each) for _ in range(self.streams)]
        self._session = sessions[0]
        self._streams = _Streams([functools.partial(_first_output, s) for s in sessions])

    def run(self, outputs: None, feed: dict[str, Any]) -> list[Any]:
        return list(self._session.run(outputs, feed))

    def run_all(self, feeds: Sequence[dict[str, Any]], cancel: CancelToken) -> list[Any]:
        return self._streams.run_all(feeds, cancel)


def _first_output(session: Any, feed: dict[str, Any]) -> Any:
    return session.run(None, feed)[0]


def _onnxruntime_session(model: Path, threads: int) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    # Waiting threads sleep instead of spinning: the cores are shared.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


def openvino_runtime() -> Any:
    """The OpenVINO runtime, without its usage reports: importing it imports its converter,
    which would send one to Google Analytics from a forked process (openvino_telemetry, unless
    the person opted out with its own tool). The app sends nothing anywhere: with that module
    unimportable, OpenVINO falls back to its own stub that sends nothing."""
    if "openvino" not in sys.modules:
        sys.modules.setdefault("openvino_telemetry", None)  # type: ignore[arg-type]
    import openvino

    return openvino


class _OpenVinoSession:
    """OpenVINO with onnxruntime's ``run(None, feed)`` and ``run_all``: the model compiled for
    each stream as for questions (latency mode, a share of the cores each), each batch of
    passages on a stream of its own, as with onnxruntime. On 2 cores two one-thread streams
    read as many passages a second as OpenVINO's throughput mode (75-86 against 76-86 a
    second), which runs its streams on threads of its own and calls back into Python from
    them: a whole test run crashed once while that was in use (not proven the cause, but that
    queue has crashed and hung others' runs). Every stream loads from the cache of compiled
    question models (see _compiled)."""

    def __init__(self, model: Path, threads: int, precision: str) -> None:
        ov = openvino_runtime()
        self.streams, each = _layout(threads)
        config: dict[str, Any] = {
            "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_PRECISION_HINT": precision,
            "INFERENCE_NUM_THREADS": each,
            "ENABLE_CPU_PINNING": False,  # the cores are shared with the model and the window
        }
        requests = [
            _compiled(ov, model, config).create_infer_request() for _ in range(self.streams)
        ]
        # One call on this thread first: OpenVINO's Python bindings set up their converter of
        # inputs on first use in a static that needs the GIL, and two threads making their
        # first call at once deadlocked there (one holding the GIL, waiting for the static).
        with _FIRST_CALL:
            _infer(requests[0], _WARM_FEED)
        self._request = requests[0]
        self._lock = threading.Lock()  # one question at a time (the embedder's callers take turns)
        self._streams = _Streams([functools.partial(_infer, r) for r in requests])

    def run(self, _outputs: None, feed: dict[str, Any]) -> list[Any]:
        with self._lock:
            return [_infer(self._request, feed)]

    def run_all(self, feeds: Sequence[dict[str, Any]], cancel: CancelToken) -> list[Any]:
        with self._lock:
            return self._streams.run_all(feeds, cancel)


_FIRST_CALL = threading.Lock()
_WARM_FEED = {
    "input_ids": np.zeros((1, 1), dtype=np.int64),
    "attention_mask": np.ones((1, 1), dtype=np.int64),
    "token_type_ids": np.zeros((1, 1), dtype=np.int64),
}


def _infer(request: Any, feed: dict[str, Any]) -> Any:
    return np.array(request.infer(feed)[0])  # a copy: the request reuses its output


def _compiled(ov: Any, model: Path, config: dict[str, Any]) -> Any:
    """The model compiled for the CPU from OpenVINO's own cache of compiled models beside the
    export (QUESTIONS_CACHE, removed with it; an entry for each configuration): 0.07 s instead
    of 0.35-0.5 s, which every ``search`` command and the knowledge process's first question
    wait for, for about as much disk as the float32 copy. A cache that cannot be used is done
    without; a damaged entry OpenVINO compiles again and replaces."""
    core = ov.Core()
    try:
        core.set_property({"CACHE_DIR": str(model.parent / QUESTIONS_CACHE)})
        return core.compile_model(str(model), "CPU", config)
    except RuntimeError:
        pass  # e.g. a folder that cannot be written; a damaged model fails again below
    return ov.Core().compile_model(str(model), "CPU", config)


@functools.cache
def native_bf16() -> bool:
    """Whether this processor computes bfloat16 natively (AMX, AVX512-BF16), as OpenVINO sees
    it; False where OpenVINO cannot run here."""
    try:
        return "BF16" in openvino_runtime().Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    except Exception:  # any failure to load the runtime: it is not a candidate
        return False


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
