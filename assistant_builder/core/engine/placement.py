"""How many of a model's layers go to the graphics cards: as many as their free memory holds
after the scratch buffers. One rule for the "will it run?" estimate (core/models/fit.py) and
for the engine's child, which applies it to the free memory ggml reports for each card (any
vendor: Vulkan, CUDA, Metal) just before it loads the model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant_builder.core.engine.backends import GraphicsCard

# Leave some of the card's memory to the desktop and other programs.
VRAM_HEADROOM = 0.9


@dataclass(frozen=True, slots=True)
class LayerPlan:
    """What the rule needs to know of a model at one context size."""

    layers: int  # the repeating blocks and the output layer
    layer_bytes: float  # the weights and attention memory of one layer
    overhead_bytes: int  # scratch buffers, needed on the main card whatever is offloaded


def layers_that_fit(plan: LayerPlan, free_bytes: int) -> int:
    """The layers that fit in ``free_bytes`` of graphics memory (0: none, the processor)."""
    if free_bytes <= 0 or plan.layer_bytes <= 0:
        return 0
    budget = free_bytes * VRAM_HEADROOM - plan.overhead_bytes
    return int(max(0, min(plan.layers, budget // plan.layer_bytes)))


def offload_memory(cards: Sequence[GraphicsCard]) -> int:
    """The free memory llama.cpp spreads layers over: its dedicated cards', or where there are
    none, the integrated ones' (llama.cpp leaves an integrated card out beside a dedicated one)."""
    dedicated = [card for card in cards if not card.integrated]
    return sum(card.free_bytes for card in dedicated or cards)


def automatic_layers(plan: LayerPlan, cards: Sequence[GraphicsCard]) -> int:
    """The "Automatic" setting's layers on these cards."""
    return layers_that_fit(plan, offload_memory(cards))
