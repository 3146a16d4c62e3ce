"""Where llama.cpp computes: its ggml backends are separate modules (one per CPU variant,
Vulkan, CUDA) that are loaded at run time from one folder, and the status line says which
processor or graphics card the model runs on. Only the engine's child process loads them."""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# ggml_backend_dev_type (ggml-backend.h)
_CPU, _GPU, _IGPU = 0, 1, 2
_VARIANT = re.compile(r"ggml-cpu-(?P<name>[\w.]+)\.(so|dll|dylib)$")


@dataclass(frozen=True, slots=True)
class GraphicsCard:
    """A graphics card as ggml's backend for it (Vulkan, CUDA, Metal) reports it."""

    name: str
    free_bytes: int  # memory free for a model now
    total_bytes: int
    integrated: bool = False  # shares the computer's memory (ggml's "iGPU")


@dataclass(frozen=True, slots=True)
class Hardware:
    """What llama.cpp found: the CPU module it chose and the graphics cards it can use."""

    cpu_variant: str  # e.g. "haswell", "zen4"; "" when the CPU code is built into ggml
    cards: tuple[GraphicsCard, ...] = ()  # in ggml's order, the main one first

    @property
    def gpus(self) -> tuple[str, ...]:
        return tuple(card.name for card in self.cards)


def package_folder() -> Path:
    """The folder of llama-cpp-python's own libraries, where its wheel puts the backends."""
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("llama_cpp")
    return Path(spec.origin).parent / "lib"


_loaded_from: Path | None = None


def load_backends(folder: Path | None = None) -> Hardware:
    """Load the backend modules from ``folder`` (the installed package's by default; a frozen
    app passes its bundle's) into the ggml that llama.cpp uses, once per process. ggml picks
    the best CPU variant for this processor and a GPU backend only where its driver loads.

    Must run before llama.cpp loads a model: llama-cpp-python itself would look for the
    modules only beside the Python executable and in the current folder."""
    global _loaded_from
    lib = _ggml()
    if _loaded_from is None:
        _loaded_from = folder or package_folder()
        lib.ggml_backend_load_all_from_path(os.fsencode(_loaded_from))
    return hardware()


def hardware() -> Hardware:
    """The devices of the backends loaded in this process."""
    lib = _ggml()
    variant, cards = "", []
    for i in range(lib.ggml_backend_dev_count()):
        device = lib.ggml_backend_dev_get(i)
        kind = lib.ggml_backend_dev_type(device)
        if kind == _CPU:
            variant = variant or _module_variant(lib, lib.ggml_backend_dev_backend_reg(device))
        elif kind in (_GPU, _IGPU):
            free, total = ctypes.c_size_t(0), ctypes.c_size_t(0)
            lib.ggml_backend_dev_memory(device, ctypes.byref(free), ctypes.byref(total))
            name = lib.ggml_backend_dev_description(device).decode("utf-8", "replace")
            cards.append(GraphicsCard(name, free.value, total.value, kind == _IGPU))
    return Hardware(variant, tuple(cards))


def where_it_runs(hardware: Hardware, gpu_layers: int) -> str:
    """The status line's sentence on where answers are computed."""
    if gpu_layers > 0 and hardware.gpus:
        return f"Running on the graphics card {hardware.gpus[0]} ({gpu_layers} layers)"
    if hardware.gpus:
        return f"Running on the processor — the graphics card {hardware.gpus[0]} is not used"
    return "Running on the processor — no graphics card found"


def _module_variant(lib: Any, reg: Any) -> str:
    """The CPU variant's name, from the file of the module that holds the CPU backend."""
    address = lib.ggml_backend_reg_get_proc_address(reg, b"ggml_backend_get_features")
    if not address or os.name != "posix":
        return ""
    info = _DlInfo()
    if not _libc().dladdr(ctypes.c_void_p(address), ctypes.byref(info)) or not info.dli_fname:
        return ""
    match = _VARIANT.search(os.fsdecode(info.dli_fname))
    return match["name"] if match else ""


class _DlInfo(ctypes.Structure):
    _fields_ = [
        ("dli_fname", ctypes.c_char_p),
        ("dli_fbase", ctypes.c_void_p),
        ("dli_sname", ctypes.c_char_p),
        ("dli_saddr", ctypes.c_void_p),
    ]


def _libc() -> Any:
    libc = ctypes.CDLL(None)
    libc.dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(_DlInfo)]
    libc.dladdr.restype = ctypes.c_int
    return libc


def _ggml() -> Any:
    """ggml's registry functions, looked up through the libllama that llama-cpp-python loaded:
    the wheel holds copies of libggml under several names, and opening another copy would
    give a second registry that llama.cpp never sees."""
    import llama_cpp.llama_cpp

    lib: Any = llama_cpp.llama_cpp._lib
    pointer, size_p = ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t)
    signatures: dict[str, tuple[list[Any], Any]] = {
        "ggml_backend_load_all_from_path": ([ctypes.c_char_p], None),
        "ggml_backend_dev_count": ([], ctypes.c_size_t),
        "ggml_backend_dev_get": ([ctypes.c_size_t], pointer),
        "ggml_backend_dev_type": ([pointer], ctypes.c_int),
        "ggml_backend_dev_description": ([pointer], ctypes.c_char_p),
        "ggml_backend_dev_memory": ([pointer, size_p, size_p], None),
        "ggml_backend_dev_backend_reg": ([pointer], pointer),
        "ggml_backend_reg_get_proc_address": ([pointer, ctypes.c_char_p], pointer),
    }
    for name, (argtypes, restype) in signatures.items():
        function = getattr(lib, name)
        function.argtypes, function.restype = argtypes, restype
    return lib


def default_threads() -> int:
    """The processor threads a model answers with when the setting is "automatic" (0)."""
    # Beyond 4 logical CPUs, assume two per physical core: generation is memory-bound and
    # hyper-threads only add contention.
    n = os.cpu_count() or 1
    return max(1, min(8, n // 2 if n > 4 else n))
