"""Automatic layers on a real graphics card: the engine's child lists ggml's own devices
(Vulkan here, for AMD, Intel and NVIDIA alike), reads their free memory, places as many
layers as fit, and the model answers from the card.

This is the suite's one allowed skip: it needs llama.cpp's Vulkan module and a Vulkan driver.
On the reference machine that is Mesa's lavapipe (a Vulkan device that computes on the
processor), which ggml lists only when GGML_VK_VISIBLE_DEVICES names it. Lavapipe is slow,
so the answer is a few tokens."""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path

import pytest

from assistant_builder.core.assistants.answering import load_options
from assistant_builder.core.assistants.model import Assistant, ModelRef
from assistant_builder.core.engine.backends import package_folder
from assistant_builder.core.engine.placement import automatic_layers
from assistant_builder.core.engine.protocol import ChatMessage, SamplingOptions, TextDelta
from assistant_builder.core.models.fit import GIB, Machine, detect_machine
from assistant_builder.core.models.registry import ModelRegistry

MODULE = "libggml-vulkan.so"


def _vulkan_module() -> Path | None:
    """The installed build's Vulkan module, or the one tools/install-llama-cpp.sh keeps in its
    build cache for this llama-cpp-python."""
    if (package_folder() / MODULE).exists():
        return package_folder() / MODULE
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    root = Path(
        os.environ.get("ASSISTANT_BUILDER_BUILD_CACHE", default / "assistant-builder-build")
    )
    version = importlib.metadata.version("llama-cpp-python")
    found = sorted(root.glob(f"ggml-vulkan-{version}-*/{MODULE}"))
    return found[0] if found else None


def _vulkan_driver() -> bool:
    folders = ("/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d")
    return any(Path(folder).glob("*.json") for folder in folders)


@pytest.mark.integration
@pytest.mark.skipif(
    _vulkan_module() is None or not _vulkan_driver(),
    reason="needs llama.cpp's Vulkan module and a Vulkan driver (the one allowed skip)",
)
def test_automatic_layers_go_to_the_card_ggml_lists_and_the_model_answers(
    smollm2_registry: ModelRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant_builder.core.engine.local import LocalEngine

    module = _vulkan_module()
    assert module is not None
    if module.parent != package_folder():  # ggml's own way to add a module from elsewhere
        monkeypatch.setenv("GGML_BACKEND_PATH", str(module))
    monkeypatch.setenv("GGML_VK_VISIBLE_DEVICES", "0")  # lists lavapipe too
    assistant = Assistant(id="a", name="A", model=ModelRef("smollm2"), context_size=256)
    # The app knows no card yet (no engine ran in this home): its own guess is 0 layers,
    # so any layer on the card was placed by the child from what ggml reported.
    no_card = Machine(16 * GIB, 8 * GIB)
    options = load_options(assistant, smollm2_registry, threads=1, machine=no_card, kv_cache="f16")
    assert options.gpu_layers == 0 and options.automatic_layers is not None

    engine = LocalEngine()
    engine.load(options)
    try:
        cards = engine.hardware.cards
        assert cards, "ggml listed no Vulkan device"
        card = cards[0]
        assert 0 < card.free_bytes <= card.total_bytes  # from ggml_backend_dev_memory
        placed = automatic_layers(options.automatic_layers, cards)
        # SmolLM2-135M is far smaller than the card's memory: every layer goes to it.
        assert engine.gpu_layers == placed == options.automatic_layers.layers
        assert engine.runs_on == f"Running on the graphics card {card.name} ({placed} layers)"
        question = [ChatMessage("user", "What is the capital of France?")]
        greedy = SamplingOptions(temperature=0.0, max_tokens=4, seed=1)
        events = list(engine.chat(question, greedy))
        assert "".join(e.text for e in events if isinstance(e, TextDelta)).strip()
    finally:
        engine.unload()
    # The parent remembered the card: the "will it run?" estimates now count its memory.
    machine = detect_machine()
    assert machine.gpu_name == card.name and machine.gpu_memory == card.free_bytes
