"""The CPU thread pool of a llama.cpp context, made once and kept, as llama-bench does. Without
one (llama-cpp-python attaches none), ggml starts and joins its worker threads inside every
llama_decode, which is once per generated token."""

from __future__ import annotations

import ctypes
from typing import Any

GGML_MAX_N_THREADS = 512  # ggml.h


class _Params(ctypes.Structure):
    """ggml.h's struct ggml_threadpool_params."""

    _fields_ = [
        ("cpumask", ctypes.c_bool * GGML_MAX_N_THREADS),
        ("n_threads", ctypes.c_int),
        ("prio", ctypes.c_int),
        ("poll", ctypes.c_uint32),
        ("strict_cpu", ctypes.c_bool),
        ("paused", ctypes.c_bool),
    ]


_NEW = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.POINTER(_Params))
_FREE = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class ThreadPool:
    """``threads`` CPU workers attached to the context ``ctx`` for both generation and prompt
    evaluation, with ggml's default settings (those llama-bench measures with)."""

    def __init__(self, llama_lib: Any, ctx: Any, threads: int) -> None:
        # A handle of its own on the loaded libllama (whose dependencies hold ggml): its
        # prototypes cannot clash with those other modules set on llama-cpp-python's handle.
        lib = ctypes.CDLL(llama_lib._name)
        lib.ggml_backend_reg_by_name.argtypes = [ctypes.c_char_p]
        lib.ggml_backend_reg_by_name.restype = ctypes.c_void_p
        lib.ggml_backend_reg_get_proc_address.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.ggml_backend_reg_get_proc_address.restype = ctypes.c_void_p
        lib.ggml_threadpool_params_default.argtypes = [ctypes.c_int]
        lib.ggml_threadpool_params_default.restype = _Params
        for name in ("llama_attach_threadpool", "llama_detach_threadpool"):
            getattr(lib, name).restype = None
        lib.llama_attach_threadpool.argtypes = [ctypes.c_void_p] * 3
        lib.llama_detach_threadpool.argtypes = [ctypes.c_void_p]
        self._lib, self._ctx = lib, ctx
        self._pool: int | None = None
        reg = lib.ggml_backend_reg_by_name(b"CPU")
        new = reg and lib.ggml_backend_reg_get_proc_address(reg, b"ggml_threadpool_new")
        free = reg and lib.ggml_backend_reg_get_proc_address(reg, b"ggml_threadpool_free")
        if not (new and free):
            return  # a build without them: ggml's own per-call threads, as before
        self._free = _FREE(free)
        params = lib.ggml_threadpool_params_default(threads)
        pool = _NEW(new)(ctypes.byref(params))
        if pool:
            lib.llama_attach_threadpool(ctx, pool, None)
            self._pool = pool

    @property
    def attached(self) -> bool:
        return self._pool is not None

    def close(self) -> None:
        """Detach and free the pool; the context must not compute again after this."""
        if self._pool is not None:
            self._lib.llama_detach_threadpool(self._ctx)
            self._free(self._pool)
            self._pool = None
