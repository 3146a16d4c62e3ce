"""“Will it run?” with the metadata of real architectures (values from their GGUF/config)."""

from __future__ import annotations

import pytest

from assistant_builder.core.engine.backends import GraphicsCard
from assistant_builder.core.engine.cards import remember
from assistant_builder.core.engine.placement import automatic_layers
from assistant_builder.core.models.fit import (
    GIB,
    MIB,
    Machine,
    ModelShape,
    detect_machine,
    estimate_fit,
    kv_cache_bytes,
    layer_plan,
)

SMOLLM2_135M_Q4_1 = ModelShape(98_362_432, 30, 576, 9, 3, vocab_size=49152, context_length=8192)
LLAMA_32_3B_Q4_K_M = ModelShape(
    2_019_377_696, 28, 3072, 24, 8, key_length=128, value_length=128, vocab_size=128256,
    context_length=131072,
)  # fmt: skip
QWEN25_7B_Q4_K_M = ModelShape(4_683_074_240, 28, 3584, 28, 4, vocab_size=152064,
                              context_length=32768)  # fmt: skip
LLAMA_31_8B_Q8_0 = ModelShape(8_540_775_840, 32, 4096, 32, 8, vocab_size=128256,
                              context_length=131072)  # fmt: skip
PHI3_MINI_4K_Q4 = ModelShape(2_393_231_072, 32, 3072, 32, 32, vocab_size=32064, context_length=4096)
GEMMA2_2B = ModelShape(1_708_582_752, 26, 2304, 8, 4, key_length=256, value_length=256,
                       vocab_size=256000, context_length=8192)  # fmt: skip

LAPTOP_8GB = Machine(total_ram=8 * GIB, available_ram=5 * GIB)
DESKTOP_16GB = Machine(total_ram=16 * GIB, available_ram=12 * GIB)
BUSY_16GB = Machine(total_ram=16 * GIB, available_ram=3 * GIB)


@pytest.mark.parametrize(
    ("shape", "context", "mib"),
    [
        # The figures llama.cpp prints as "KV self size" for these models and contexts.
        (LLAMA_32_3B_Q4_K_M, 8192, 896),
        (QWEN25_7B_Q4_K_M, 32768, 1792),
        (SMOLLM2_135M_Q4_1, 8192, 180),
        (GEMMA2_2B, 8192, 832),
        (PHI3_MINI_4K_Q4, 4096, 1536),
    ],
)
def test_kv_cache_matches_llama_cpp(shape: ModelShape, context: int, mib: int) -> None:
    assert kv_cache_bytes(shape, context) == mib * MIB


def test_a_tiny_model_fits_a_small_laptop_on_the_cpu() -> None:
    fit = estimate_fit(SMOLLM2_135M_Q4_1, 4096, LAPTOP_8GB)
    assert fit.verdict == "Fits" and fit.gpu_layers == 0
    assert fit.needed_bytes < 1 * GIB
    assert fit.needed_bytes > fit.weights_bytes + fit.kv_cache_bytes  # plus scratch buffers
    assert fit.reason.startswith("Needs about 0.")


def test_more_context_needs_more_memory_and_is_clamped_to_the_trained_context() -> None:
    small = estimate_fit(LLAMA_32_3B_Q4_K_M, 4096, DESKTOP_16GB)
    large = estimate_fit(LLAMA_32_3B_Q4_K_M, 32768, DESKTOP_16GB)
    assert large.kv_cache_bytes == 8 * small.kv_cache_bytes
    assert large.needed_bytes > small.needed_bytes + 3 * GIB
    phi = estimate_fit(PHI3_MINI_4K_Q4, 32768, DESKTOP_16GB)
    assert phi.context_size == 4096


def test_a_big_model_without_gpu_is_slow_and_on_a_small_laptop_wont_fit() -> None:
    slow = estimate_fit(LLAMA_31_8B_Q8_0, 4096, DESKTOP_16GB)
    assert slow.verdict == "Slow" and "slowly" in slow.reason
    nope = estimate_fit(LLAMA_31_8B_Q8_0, 4096, LAPTOP_8GB)
    assert nope.verdict == "Won't fit" and "this computer has" in nope.reason


def test_too_little_free_memory_is_slow_with_advice() -> None:
    fit = estimate_fit(QWEN25_7B_Q4_K_M, 4096, BUSY_16GB)
    assert fit.verdict == "Slow" and "close other programs" in fit.reason


def test_a_huge_context_can_make_a_small_model_not_fit() -> None:
    fit = estimate_fit(LLAMA_32_3B_Q4_K_M, 131072, LAPTOP_8GB)
    assert fit.verdict == "Won't fit"
    assert fit.kv_cache_bytes == 14 * GIB


def test_nvidia_gpu_offloads_all_or_some_layers() -> None:
    big_gpu = Machine(16 * GIB, 12 * GIB, "NVIDIA RTX 4090", 22 * GIB)
    fit = estimate_fit(QWEN25_7B_Q4_K_M, 4096, big_gpu)
    assert fit.verdict == "Fits" and fit.gpu_layers == 29  # 28 blocks + the output layer
    small_gpu = Machine(16 * GIB, 12 * GIB, "NVIDIA T400", 3 * GIB)
    part = estimate_fit(QWEN25_7B_Q4_K_M, 4096, small_gpu)
    assert part.verdict == "Fits" and 5 < part.gpu_layers < 29
    assert f"{part.gpu_layers} of 29 layers run on the GPU" in part.reason


def test_apple_unified_memory() -> None:
    mac16 = Machine(16 * GIB, 10 * GIB, "Apple GPU", 12 * GIB, unified_memory=True)
    fit = estimate_fit(LLAMA_32_3B_Q4_K_M, 8192, mac16)
    assert fit.verdict == "Fits" and fit.gpu_layers == 29
    mac8 = Machine(8 * GIB, 5 * GIB, "Apple GPU", 6 * GIB, unified_memory=True)
    assert estimate_fit(LLAMA_31_8B_Q8_0, 4096, mac8).verdict == "Won't fit"


def test_any_vendors_card_as_ggml_reports_it_is_the_machines_graphics_memory() -> None:
    radeon = GraphicsCard("AMD Radeon RX 7600 (RADV NAVI33)", 7 * GIB, 8 * GIB)
    machine = detect_machine([radeon])
    assert (machine.gpu_name, machine.gpu_memory, machine.unified_memory) == (
        radeon.name, 7 * GIB, False,
    )  # fmt: skip
    fit = estimate_fit(QWEN25_7B_Q4_K_M, 4096, machine)
    assert fit.verdict == "Fits" and fit.gpu_layers == 29
    # Two dedicated cards share the layers; an integrated one beside them is left out.
    arc = GraphicsCard("Intel(R) Arc(tm) A380 Graphics (DG2)", 5 * GIB, 6 * GIB)
    uhd = GraphicsCard("Intel(R) UHD Graphics 770 (ADL-S GT1)", 12 * GIB, 16 * GIB, True)
    assert detect_machine([arc, uhd, radeon]).gpu_memory == 12 * GIB
    # An integrated card alone shares the computer's memory, as Apple's does.
    shared = detect_machine([uhd])
    assert shared.unified_memory and shared.gpu_memory == 12 * GIB
    assert detect_machine([]).gpu_memory == 0


def test_the_cards_the_engine_found_are_remembered_for_the_estimates(app_home: object) -> None:
    assert detect_machine().gpu_memory == 0  # before the engine ever started
    remember((GraphicsCard("AMD Radeon 780M (RADV PHOENIX)", 3 * GIB, 4 * GIB, True),))
    machine = detect_machine()
    assert machine.gpu_name == "AMD Radeon 780M (RADV PHOENIX)" and machine.unified_memory
    assert machine.gpu_memory == 3 * GIB


def test_the_engine_places_as_many_layers_as_the_free_memory_holds() -> None:
    plan = layer_plan(QWEN25_7B_Q4_K_M, 4096)
    assert plan.layers == 29  # 28 blocks and the output layer
    cards = [GraphicsCard("AMD Radeon RX 6500 XT", 3 * GIB, 4 * GIB)]
    some = automatic_layers(plan, cards)
    # The same rule as the estimate's, applied to the free memory ggml reports.
    assert some == estimate_fit(QWEN25_7B_Q4_K_M, 4096, detect_machine(cards)).gpu_layers
    assert 5 < some < 29
    assert automatic_layers(plan, [GraphicsCard("big", 22 * GIB, 24 * GIB)]) == 29
    assert automatic_layers(plan, [GraphicsCard("full", 100 * MIB, 8 * GIB)]) == 0
    assert automatic_layers(plan, []) == 0  # no card: the processor
    # More free memory never means fewer layers.
    counts = [
        automatic_layers(plan, [GraphicsCard("c", n * GIB // 2, 24 * GIB)]) for n in range(20)
    ]
    assert counts == sorted(counts)
    # A smaller attention memory leaves room for more layers.
    assert automatic_layers(layer_plan(QWEN25_7B_Q4_K_M, 4096, "q8_0"), cards) >= some


def test_this_machine_is_detected() -> None:
    machine = detect_machine()
    assert machine.total_ram > 256 * MIB
    assert 0 < machine.available_ram <= machine.total_ram


def test_few_processor_cores_make_a_mid_size_model_slow_on_the_cpu() -> None:
    from dataclasses import replace

    two_cores = replace(DESKTOP_16GB, cpu_cores=2)
    sixteen_cores = replace(DESKTOP_16GB, cpu_cores=16)
    mid = estimate_fit(QWEN25_7B_Q4_K_M, 4096, two_cores)
    assert mid.verdict == "Slow" and "2 processor cores" in mid.reason
    assert estimate_fit(QWEN25_7B_Q4_K_M, 4096, sixteen_cores).verdict == "Fits"
    assert estimate_fit(SMOLLM2_135M_Q4_1, 4096, two_cores).verdict == "Fits"
