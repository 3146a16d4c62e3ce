"""The one adapter over llama-cpp-python: a vocabulary-only tokenizer for prompt previews, and
the model runner that the engine's child process drives. llama_cpp is imported lazily here."""

from __future__ import annotations

import codecs
import ctypes
import logging
import os
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistant_builder.core.engine.backends import default_threads, load_backends
from assistant_builder.core.engine.kv_cache import GGML_TYPE
from assistant_builder.core.engine.llama_state import PrefixStates
from assistant_builder.core.engine.placement import automatic_layers
from assistant_builder.core.engine.protocol import LoadOptions, SamplingOptions
from assistant_builder.core.engine.recurrent import has_recurrent_state
from assistant_builder.core.engine.state_cache import StateCache
from assistant_builder.core.engine.threadpool import ThreadPool
from assistant_builder.core.engine.token_choice import Logits, token_chooser
from assistant_builder.core.errors import EngineError
from assistant_builder.core.logs import LLAMA_LOGGER

_log = logging.getLogger(LLAMA_LOGGER)
_log.addHandler(logging.NullHandler())  # the app's log file gets them; a bare terminal does not
# ggml's log levels (ggml.h): llama-cpp-python's own callback still maps the older numbering,
# so every warning of llama.cpp reached the terminal even with verbose=False.
_GGML_WARN, _GGML_ERROR = 3, 4
_log_callback: Any = None


def _route_llama_logs(lib: Any) -> None:
    """llama.cpp's warnings and errors go to the app's log (its file), never to the terminal."""
    global _log_callback
    if _log_callback is not None:
        return

    def forward(level: int, text: bytes, _user_data: Any) -> None:
        if level >= _GGML_WARN and text and text.strip():
            message = text.decode("utf-8", errors="replace").rstrip()
            _log.log(logging.ERROR if level == _GGML_ERROR else logging.WARNING, "%s", message)

    _log_callback = lib.llama_log_callback(forward)
    lib.llama_log_set(_log_callback, ctypes.c_void_p(0))


class Vocabulary:
    """A model's tokenizer and metadata, loaded without its weights (a fraction of a second).

    llama.cpp's model alone, not llama-cpp-python's ``Llama``: that one also makes a context
    (whose size warnings reached the terminal) and compiles the file's chat template, failing
    on a broken one before the app's sandbox could fall back (core/engine/templates.py)."""

    def __init__(self, model_path: str) -> None:
        import llama_cpp
        import llama_cpp._internals

        _route_llama_logs(llama_cpp)
        params = llama_cpp.llama_model_default_params()
        params.vocab_only = True
        internals: Any = llama_cpp._internals
        try:
            self._model: Any = internals.LlamaModel(
                path_model=model_path, params=params, verbose=False
            )
        except (ValueError, RuntimeError, OSError) as err:
            raise EngineError(
                "This model file could not be opened to read its vocabulary; "
                "check that the file is a complete GGUF model."
            ) from err
        self.model_path = model_path
        self.metadata: Mapping[str, str] = dict(self._model.metadata())
        self.bos_token = self._text_of(int(self._model.token_bos()))
        self.eos_token = self._text_of(int(self._model.token_eos()))
        self.adds_bos = self.metadata.get("tokenizer.ggml.add_bos_token", "false") == "true"

    def _text_of(self, token: int) -> str:
        return "" if token < 0 else str(self._model.token_get_text(token))

    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text`` with special tokens parsed and no BOS added (it is in the text)."""
        if not text:
            return []
        return list(self._model.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def detokenize(self, tokens: Sequence[int]) -> str:
        """The text of ``tokens``, special tokens spelled out as the final prompt shows them."""
        data = self._model.detokenize(list(tokens), special=True)
        return bytes(data).decode("utf-8", errors="replace")

    def is_special_token(self, text: str) -> bool:
        plain = self._model.tokenize(text.encode("utf-8"), add_bos=False, special=False)
        return len(self.tokenize(text)) == 1 and len(plain) > 1

    def close(self) -> None:
        self._model.close()


def _llama_without_templates(llama_cpp: Any, **params: Any) -> Any:
    """llama-cpp-python's ``Llama`` with the file's chat templates hidden from it.

    ``Llama.__init__`` compiles every template in the metadata for its create_chat_completion,
    which the app never calls (it renders templates in its own sandbox), and a template with a
    mistake fails the whole load; no parameter turns that off (chat_format only chooses among
    the compiled ones). The templates are left out of the metadata it sees, nothing else."""

    class _Llama(llama_cpp.Llama):  # type: ignore[misc]
        @property
        def metadata(self) -> dict[str, str]:
            return self._metadata_without_templates

        @metadata.setter
        def metadata(self, value: Mapping[str, str]) -> None:
            self._metadata_without_templates = {
                k: v for k, v in value.items() if not k.startswith("tokenizer.chat_template")
            }

    return _Llama(**params)


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    cached_tokens: int = 0  # prompt tokens whose evaluation was reused from the previous turn
    completion_tokens: int = 0
    stop_reason: str = "stop"
    # The prompt as llama.cpp's context holds it after evaluation: the proof that the model
    # saw exactly the previewed tokens.
    evaluated: tuple[int, ...] = ()


def gpu_offload_supported() -> bool:
    """Whether a backend of this build found a GPU."""
    import llama_cpp

    load_backends()  # else llama.cpp would look for its modules in the wrong places
    return bool(llama_cpp.llama_supports_gpu_offload())


class LlamaRunner:
    """A loaded model and its context, kept between turns so the common prefix is reused."""

    def __init__(self, options: LoadOptions) -> None:
        import llama_cpp

        _route_llama_logs(llama_cpp)
        self._lib: Any = llama_cpp
        self.hardware = load_backends()
        threads = options.threads or default_threads()
        # A CPU-only build ignores offload; asking for it anyway would only log warnings.
        gpu_layers = options.gpu_layers if gpu_offload_supported() else 0
        if options.automatic_layers is not None:
            gpu_layers = automatic_layers(options.automatic_layers, self.hardware.cards)
        self.gpu_layers = gpu_layers
        cache_type = GGML_TYPE[options.kv_cache_type]
        compact = options.kv_cache_type != "f16"
        flash = gpu_layers == 0 or compact
        try:
            self.llm: Any = _llama_without_templates(
                llama_cpp,
                model_path=options.model_path,
                n_ctx=options.context_size,
                n_threads=threads,
                n_threads_batch=threads,
                n_gpu_layers=gpu_layers,
                # llama.cpp's own default is "auto", which turns flash attention on for the
                # CPU; llama-cpp-python turns it off. On: 12% faster per token here
                # (bench/engine_throughput.py). Left to the library when layers go to a GPU,
                # where its support depends on the backend.
                # A quantized V cache needs flash attention in llama.cpp.
                flash_attn=flash,
                type_k=cache_type,
                type_v=cache_type,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as err:
            raise EngineError(
                "The model could not be loaded; check that the file is a complete GGUF model "
                "and that there is enough free memory."
            ) from err
        # Whether the context can be cut back to a shared prefix (not with a recurrent state).
        self.rewinds = not (
            has_recurrent_state(self.llm.metadata) or _lib_says_recurrent(llama_cpp, self.llm)
        )
        # One pool for the context's life: ggml's own starts threads for every token.
        self._pool = ThreadPool(llama_cpp.llama_cpp._lib, self.llm._ctx.ctx, threads)
        self._logits = Logits(llama_cpp, self.llm._ctx.ctx, int(self.llm.n_vocab()))
        self._adapters: list[Any] = []
        self._pieces: dict[int, bytes | None] = {}  # see _piece
        if options.adapters:
            self._attach_adapters(options)
        self.states = _prefix_states(llama_cpp, self.llm, options, flash) if self.rewinds else None
        self._should_stop: Callable[[], bool] = lambda: False
        self._abort_callback = llama_cpp.ggml_abort_callback(lambda _data: self._should_stop())
        setter = llama_cpp.llama_cpp._lib.llama_set_abort_callback
        setter.argtypes = [ctypes.c_void_p, llama_cpp.ggml_abort_callback, ctypes.c_void_p]
        setter.restype = None
        self._set_abort = setter

    def _abortable(self, on: bool) -> None:
        """While on, llama.cpp asks whether to stop between the steps of evaluating a prompt,
        so a stop interrupts even a long prompt. Off while generating: the question would cost
        a call into Python per step of every token."""
        callback = self._abort_callback if on else self._lib.ggml_abort_callback()
        self._set_abort(self.llm._ctx.ctx, callback, None)

    def _attach_adapters(self, options: LoadOptions) -> None:
        lib = self._lib
        for adapter in options.adapters:
            handle = lib.llama_adapter_lora_init(self.llm._model.model, adapter.path.encode())
            if not handle:
                raise EngineError(
                    f"The adapter {os.path.basename(adapter.path)} does not fit this model; "
                    "choose an adapter made for this base model."
                )
            self._adapters.append(handle)
        n = len(self._adapters)
        handles = (lib.llama_adapter_lora_p_ctypes * n)(*self._adapters)
        scales = (ctypes.c_float * n)(*(a.scale for a in options.adapters))
        if lib.llama_set_adapters_lora(self.llm._ctx.ctx, handles, n, scales):
            raise EngineError("The adapters could not be applied; try them one at a time.")

    @property
    def context_size(self) -> int:
        return int(self.llm.n_ctx())

    def generate(
        self,
        tokens: Sequence[int],
        sampling: SamplingOptions,
        stats: GenerationStats,
        should_stop: Callable[[], bool],
        on_read: Callable[[int, int], None] | None = None,
        fixed: int = 0,
        template_id: str = "",
    ) -> Iterator[str]:
        """Evaluate ``tokens`` exactly and yield the answer's text pieces. The first
        ``fixed`` tokens are the assistant's fixed prefix: its saved state is restored when the
        context does not hold it already, or captured once it is read (see :meth:`keep_states`).

        ``should_stop`` is asked before every new token, so a stop halts generation itself.
        ``on_read(done, total)`` hears how much of the prompt left to read (what the previous
        turn did not leave in the context) has been read: at the start and after each batch.
        The per-token loop calls llama.cpp directly (decode one token, sample with a native
        sampler chain): llama-cpp-python's ``generate`` adds Python bookkeeping per token, and
        its repeat-penalty stage looks up every token of the vocabulary (0.2 ms a token)."""
        llm = self.llm
        stats.prompt_tokens = len(tokens)
        room = self.context_size - len(tokens)
        budget = min(sampling.max_tokens, room)
        stats.stop_reason = "length"
        if budget <= 0 or should_stop():
            stats.stop_reason = "cancelled" if should_stop() else "length"
            return
        self._should_stop = should_stop
        self._abortable(True)
        try:
            stats.cached_tokens = self._evaluate_prompt(tokens, on_read, fixed, template_id)
        except RuntimeError:
            if not should_stop():
                raise
            stats.stop_reason = "cancelled"  # llama.cpp gave up the prompt when asked to
            return
        finally:
            self._abortable(False)
        stats.evaluated = tuple(int(t) for t in llm.input_ids[: len(tokens)])
        seed = sampling.seed if sampling.seed is not None else random.getrandbits(32)
        sampler = token_chooser(sampling, seed, int(llm.n_vocab()), self._logits)
        try:
            yield from self._answer(sampling, budget, sampler, stats, should_stop)
        finally:
            sampler.close()

    def _evaluate_prompt(
        self,
        tokens: Sequence[int],
        on_read: Callable[[int, int], None] | None = None,
        fixed: int = 0,
        template_id: str = "",
    ) -> int:
        """Bring the context to exactly ``tokens``, evaluating only what differs from what it
        holds (the previous turn's prefix is kept, or the fixed prefix's saved state restored).
        Returns the number of tokens reused."""
        llm = self.llm
        mark = 0  # where the fixed prefix ends in what is read, when its state is to be captured

        def read(part: Sequence[int]) -> None:
            # Llama.eval's own loop, one batch per call, so each batch can be reported; a
            # batch ends where the fixed prefix does, to capture its state there.
            step = max(1, int(llm.n_batch))
            ends = sorted({*range(step, len(part), step), len(part)} | ({mark} if mark else set()))
            if on_read is not None:
                on_read(0, len(part))
            start = 0
            for end in ends:
                llm.eval(part[start:end])
                if end == mark and self.states is not None:
                    self.states.capture(tokens[:fixed], template_id)
                if on_read is not None:
                    on_read(end, len(part))
                start = end

        cached = 0
        for a, b in zip(llm.input_ids[: llm.n_tokens], tokens, strict=False):
            if a != b:
                break
            cached += 1
        if not self.rewinds:
            # A recurrent state holds all it has read: it is kept only when the new prompt
            # continues the whole of it; otherwise everything is evaluated from the start.
            held = llm.n_tokens
            if 0 < held == cached < len(tokens):
                read(tokens[held:])
                return int(held)
            llm.reset()
            read(tokens)  # eval first clears the context from position 0
            return 0
        if self.states is not None and cached < fixed < len(tokens):
            # A state that failed to load leaves the context empty.
            restored = self.states.restore(tokens[:fixed], template_id)
            cached = fixed if restored else min(cached, int(llm.n_tokens))
        # At least the last token is evaluated again: its logits start the answer.
        keep = min(cached, max(len(tokens) - 1, 0))
        if keep > 0 and llm._ctx.kv_cache_seq_rm(-1, keep, -1):
            llm.n_tokens = keep
        else:
            keep = 0
            llm.reset()
        if self.states is not None and keep < fixed < len(tokens):
            mark = fixed - keep
        read(tokens[keep:])
        return keep

    def keep_states(self) -> None:
        """Save the fixed prefix's state captured during the last answer (called once the
        answer is out, so the writing never delays its words)."""
        if self.states is not None:
            self.states.keep()

    def _answer(
        self,
        sampling: SamplingOptions,
        budget: int,
        sampler: Any,
        stats: GenerationStats,
        should_stop: Callable[[], bool],
    ) -> Iterator[str]:
        llm, pieces = self.llm, self._pieces
        ctx, decode = llm._ctx.ctx, self._lib.llama_decode
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        one = (self._lib.llama_token * 1)()
        batch = self._lib.llama_batch_get_one(one, 1)  # it points at ``one``: made once
        stops = sampling.stop
        longest_stop = max((len(s) for s in stops), default=0)
        pending = ""
        while True:
            # Asked before each token is used, including the first one after the prompt.
            if should_stop():
                stats.stop_reason = "cancelled"
                break
            token = sampler.sample(llm._ctx, -1)
            try:  # free where it is found (3.11's exceptions cost nothing until raised)
                data = pieces[token]
            except KeyError:
                data = self._piece(token)  # asked once, an empty piece too
            if data is None:  # an end-of-generation token
                stats.stop_reason = "stop"
                break
            stats.completion_tokens += 1
            piece = decoder.decode(data)
            if stops:
                pending += piece
                cut = min((i for i in (pending.find(s) for s in stops) if i >= 0), default=-1)
                if cut >= 0:
                    if pending[:cut]:
                        yield pending[:cut]
                    stats.stop_reason = "stop"
                    return
                # Hold back only what could still become a stop text.
                safe = len(pending) - (longest_stop - 1)
                if safe > 0:
                    yield pending[:safe]
                    pending = pending[safe:]
            elif piece:
                yield piece
            if stats.completion_tokens >= budget:
                break
            one[0] = token
            if decode(ctx, batch) != 0:
                raise RuntimeError("llama_decode failed")
            llm.input_ids[llm.n_tokens] = token
            llm.n_tokens += 1
        if pending:
            yield pending

    def _piece(self, token: int) -> bytes | None:
        """The bytes of ``token`` (None: it ends generation), asked of llama.cpp once and kept:
        after a decode each of those calls costs about 18 µs, a look-up here well under one.
        Control tokens are spelled out: reasoning models mark their thinking with them (Gemma
        4's <|channel>, gpt-oss's <|channel|>), and thinking.py splits it off."""
        lib, vocab = self._lib, self.llm._model.vocab
        if lib.llama_vocab_is_eog(vocab, token):
            data = None
        else:
            buffer = ctypes.create_string_buffer(256)
            size = lib.llama_token_to_piece(vocab, token, buffer, len(buffer), 0, True)
            data = ctypes.string_at(buffer, max(size, 0))
        self._pieces[token] = data
        return data

    def close(self) -> None:
        self._pool.close()
        self.llm.close()


def _prefix_states(lib: Any, llm: Any, options: LoadOptions, flash: bool) -> PrefixStates | None:
    """The saved prefix states of this model as loaded, where the options keep them."""
    if options.state_cache is None or not options.model_sha256:
        return None

    cache = StateCache(options.state_cache, options.model_sha256, str(lib.__version__))
    # What else the numbers in the state depend on: how they are stored and computed, and
    # the adapters that change them.
    adapters = [(a.path, a.scale) for a in options.adapters]
    signature = repr((options.kv_cache_type, flash, adapters))
    return PrefixStates(lib, llm, cache, signature)


def _lib_says_recurrent(lib: Any, llm: Any) -> bool:
    """llama.cpp's own answer where the library has it (newer builds); False otherwise."""
    model = llm._model.model
    for name in ("llama_model_is_recurrent", "llama_model_is_hybrid"):
        check = getattr(lib, name, None)
        try:
            if check is not None and check(model):
                return True
        except (AttributeError, OSError):  # a build without the symbol
            continue
    return False
