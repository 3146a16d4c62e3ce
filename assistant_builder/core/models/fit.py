"""“Will it run?”: memory a model needs at a context size versus this machine's RAM and GPU.

The estimate is a pure function of the model's shape and the machine's facts, so it is tested
with the metadata of real architectures; only :func:`detect_machine` looks at the hardware."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from assistant_builder.core.engine.backends import GraphicsCard
from assistant_builder.core.engine.cards import remembered
from assistant_builder.core.engine.kv_cache import BYTES_PER_VALUE
from assistant_builder.core.engine.placement import (
    VRAM_HEADROOM,
    LayerPlan,
    layers_that_fit,
    offload_memory,
)
from assistant_builder.core.errors import WORDS_PER_TOKEN

Verdict = Literal["Fits", "Slow", "Won't fit"]

MIB = 1 << 20
GIB = 1 << 30
# llama.cpp's scratch buffers (graph, logits, batch) grow with vocabulary and context; this
# fixed part plus a slice per token of context and per vocabulary entry matches what
# llama.cpp reports for small and mid-size models within a few hundred MB.
BASE_OVERHEAD = 192 * MIB
# Without a GPU, each generated token reads every weight once; past this size that takes
# well over a quarter of a second on typical laptop memory bandwidth.
CPU_SLOW_WEIGHTS = 6 * GIB
# With the core count known: on the CPU each token streams every weight through the cores,
# limited by memory bandwidth and, on machines with few cores, by the cores themselves.
# Rough figures for quantized matrix products in llama.cpp; below SLOW_TOKENS_PER_S a person
# waits noticeably for every word.
CPU_BYTES_PER_S_PER_CORE = 2.5e9
MEMORY_BYTES_PER_S = 15e9
SLOW_TOKENS_PER_S = 3.0
# Leave room for the operating system and the app itself.
RAM_HEADROOM = 0.85


@dataclass(frozen=True)
class ModelShape:
    """The numbers the estimate needs, all from GGUF metadata (see gguf_info)."""

    weights_bytes: int
    block_count: int
    embedding_length: int
    head_count: int
    head_count_kv: int
    key_length: int = 0  # 0: embedding_length / head_count
    value_length: int = 0
    vocab_size: int = 32000
    context_length: int = 0  # trained context; 0 when unknown

    @classmethod
    def from_summary(cls, summary: dict[str, Any]) -> ModelShape:
        return cls(
            weights_bytes=int(summary.get("file_size", 0)),
            block_count=int(summary.get("block_count", 0)),
            embedding_length=int(summary.get("embedding_length", 0)),
            head_count=int(summary.get("head_count", 0)),
            head_count_kv=int(summary.get("head_count_kv", 0)),
            key_length=int(summary.get("key_length", 0)),
            value_length=int(summary.get("value_length", 0)),
            vocab_size=int(summary.get("vocab_size", 0)) or 32000,
            context_length=int(summary.get("context_length", 0)),
        )


@dataclass(frozen=True)
class Machine:
    total_ram: int
    available_ram: int
    gpu_name: str = ""
    gpu_memory: int = 0  # free memory usable for offload; 0: no GPU
    unified_memory: bool = False  # Apple silicon: the GPU shares RAM
    cpu_cores: int = 0  # 0: unknown


def cpu_tokens_per_s(weights_bytes: int, cores: int) -> float:
    """A rough generation speed on the CPU alone, for the Slow verdict (not a promise)."""
    rate = min(MEMORY_BYTES_PER_S, cores * CPU_BYTES_PER_S_PER_CORE)
    return rate / max(weights_bytes, 1)


@dataclass(frozen=True)
class FitEstimate:
    verdict: Verdict
    reason: str  # one plain line
    needed_bytes: int
    weights_bytes: int
    kv_cache_bytes: int
    context_size: int
    gpu_layers: int  # layers to offload to the GPU (0: none)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "reason": self.reason,
            "needed_bytes": self.needed_bytes,
            "weights_bytes": self.weights_bytes,
            "kv_cache_bytes": self.kv_cache_bytes,
            "context_size": self.context_size,
            "gpu_layers": self.gpu_layers,
        }


def kv_cache_bytes(shape: ModelShape, context: int, kv_type: str = "f16") -> int:
    """K and V for every layer and position, stored as ``kv_type`` (f16: llama.cpp's default)."""
    head = shape.embedding_length // shape.head_count if shape.head_count else 0
    k = shape.key_length or head
    v = shape.value_length or head
    kv_heads = shape.head_count_kv or shape.head_count
    values = shape.block_count * context * kv_heads * (k + v)
    return int(values * BYTES_PER_VALUE[kv_type])


def _gb(n: int) -> str:
    return f"{n / 1e9:.1f} GB"


_RANK = {"Fits": 2, "Slow": 1, "Won't fit": 0}


def fit_with_cache(
    shape: ModelShape, context: int, machine: Machine, kv_setting: str = "auto"
) -> tuple[FitEstimate, str]:
    """The estimate and the cache type to load with: the setting's, or for "auto" q8_0 only
    when it turns the verdict better than f16's (it costs a little quality)."""
    if kv_setting != "auto":
        return estimate_fit(shape, context, machine, kv_setting), kv_setting
    full = estimate_fit(shape, context, machine)
    if full.verdict == "Fits":
        return full, "f16"
    compact = estimate_fit(shape, context, machine, "q8_0")
    if _RANK[compact.verdict] > _RANK[full.verdict]:
        reason = compact.reason.rstrip(".") + ", with its memory stored compactly (q8_0)."
        return replace(compact, reason=reason), "q8_0"
    return full, "f16"


def _context(shape: ModelShape, context: int) -> int:
    if shape.context_length:
        context = min(context, shape.context_length)
    return max(context, 1)


def layer_plan(shape: ModelShape, context: int, kv_type: str = "f16") -> LayerPlan:
    """What placing ``shape``'s layers on graphics cards weighs at ``context`` tokens."""
    context = _context(shape, context)
    kv = kv_cache_bytes(shape, context, kv_type)
    overhead = BASE_OVERHEAD + context * shape.embedding_length * 4 * 4 + shape.vocab_size * 4 * 512
    layers = max(shape.block_count, 1) + 1  # +1: the output layer
    return LayerPlan(layers, (shape.weights_bytes + kv) / layers, overhead)


def estimate_fit(
    shape: ModelShape, context: int, machine: Machine, kv_type: str = "f16"
) -> FitEstimate:
    """How much memory ``shape`` needs at ``context`` tokens and whether this machine has it."""
    context = _context(shape, context)
    kv = kv_cache_bytes(shape, context, kv_type)
    plan = layer_plan(shape, context, kv_type)
    overhead = plan.overhead_bytes
    needed = shape.weights_bytes + kv + overhead

    def result(verdict: Verdict, reason: str, layers: int = 0) -> FitEstimate:
        return FitEstimate(verdict, reason, needed, shape.weights_bytes, kv, context, layers)

    layers = max(shape.block_count, 1)
    if machine.unified_memory and machine.gpu_memory:
        if needed <= machine.gpu_memory * VRAM_HEADROOM:
            return result("Fits", f"Needs about {_gb(needed)}; runs on the GPU.", layers + 1)
        if needed <= machine.total_ram:
            return result(
                "Slow",
                f"Needs about {_gb(needed)}, more than the GPU may use; it runs on the CPU.",
            )
        return result(
            "Won't fit",
            f"Needs about {_gb(needed)} but this computer has {_gb(machine.total_ram)}.",
        )

    gpu_layers = layers_that_fit(plan, machine.gpu_memory)
    on_gpu = int(plan.layer_bytes * gpu_layers)
    in_ram = needed - on_gpu
    if machine.gpu_memory and gpu_layers > layers:
        return result("Fits", f"Needs about {_gb(needed)}; runs entirely on the GPU.", gpu_layers)
    if in_ram > machine.total_ram * RAM_HEADROOM:
        have = machine.total_ram + machine.gpu_memory
        return result(
            "Won't fit",
            f"Needs about {_gb(needed)} but this computer has {_gb(have)} for models.",
            gpu_layers,
        )
    if in_ram > machine.available_ram:
        return result(
            "Slow",
            f"Needs about {_gb(in_ram)} of memory and only {_gb(machine.available_ram)} is free; "
            "close other programs first.",
            gpu_layers,
        )
    if gpu_layers:
        return result(
            "Fits",
            f"Needs about {_gb(needed)}; {gpu_layers} of {layers + 1} layers run on the GPU.",
            gpu_layers,
        )
    if machine.cpu_cores:
        speed = cpu_tokens_per_s(shape.weights_bytes, machine.cpu_cores)
        if speed < SLOW_TOKENS_PER_S:
            words = max(1, round(speed * WORDS_PER_TOKEN))
            return result(
                "Slow",
                f"Fits in memory ({_gb(needed)}) but answers slowly on {machine.cpu_cores} "
                f"processor cores without a graphics card (roughly {words} "
                f"word{'s' if words != 1 else ''} a second).",
            )
    elif shape.weights_bytes > CPU_SLOW_WEIGHTS:
        return result(
            "Slow", f"Fits in memory ({_gb(needed)}) but answers slowly without a graphics card."
        )
    return result("Fits", f"Needs about {_gb(needed)} of {_gb(machine.available_ram)} free.")


def detect_machine(cards: Sequence[GraphicsCard] | None = None) -> Machine:
    """RAM from the operating system; graphics cards as ggml reported them to the engine
    (any vendor; by default those of its last start, engine/cards.py); Apple unified memory."""
    total, available = _ram()
    cores = os.cpu_count() or 0
    if sys.platform == "darwin" and platform.machine() == "arm64":
        # Metal may use about three quarters of unified memory by default.
        return Machine(
            total, available, "Apple GPU", int(total * 0.75), unified_memory=True, cpu_cores=cores
        )
    cards = remembered() if cards is None else cards
    shared = bool(cards) and all(card.integrated for card in cards)
    name = cards[0].name if cards else ""
    return Machine(
        total, available, name, offload_memory(cards), unified_memory=shared, cpu_cores=cores
    )


def _ram() -> tuple[int, int]:
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            info = {
                line.split(":")[0]: int(line.split()[1]) * 1024
                for line in handle
                if line.split()[1:2] and line.split()[1].isdigit()
            }
        return info["MemTotal"], info.get("MemAvailable", info.get("MemFree", 0))
    except (OSError, KeyError, ValueError, IndexError):
        pass
    try:
        page = os.sysconf("SC_PAGE_SIZE")
        total = os.sysconf("SC_PHYS_PAGES") * page
        try:
            free = os.sysconf("SC_AVPHYS_PAGES") * page
        except (ValueError, OSError):
            free = total // 2
        return total, free
    except (ValueError, OSError, AttributeError):
        pass
    if sys.platform == "darwin":
        total = _sysctl_int("hw.memsize")
        return total, total // 2
    if sys.platform == "win32":
        return _windows_ram()
    return 8 * GIB, 4 * GIB  # unknown system: assume a modest laptop


def _windows_ram() -> tuple[int, int]:
    import ctypes

    class MemoryStatus(ctypes.Structure):
        _fields_ = [
            ("dwLength", ctypes.c_ulong),
            ("dwMemoryLoad", ctypes.c_ulong),
            ("ullTotalPhys", ctypes.c_ulonglong),
            ("ullAvailPhys", ctypes.c_ulonglong),
            ("ullTotalPageFile", ctypes.c_ulonglong),
            ("ullAvailPageFile", ctypes.c_ulonglong),
            ("ullTotalVirtual", ctypes.c_ulonglong),
            ("ullAvailVirtual", ctypes.c_ulonglong),
            ("ullAvailExtendedVirtual", ctypes.c_ulonglong),
        ]

    status = MemoryStatus()
    status.dwLength = ctypes.sizeof(MemoryStatus)
    if not ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):  # type: ignore[attr-defined]
        return 8 * GIB, 4 * GIB
    return int(status.ullTotalPhys), int(status.ullAvailPhys)


def _sysctl_int(name: str) -> int:
    try:
        out = subprocess.run(
            ["sysctl", "-n", name], capture_output=True, text=True, timeout=5, check=True
        )
        return int(out.stdout.strip())
    except (OSError, subprocess.SubprocessError, ValueError):
        return 0
