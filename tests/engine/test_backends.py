"""llama.cpp's backends as the installed build loads them: a CPU variant chosen for this
processor, the AMX variant that crashes left out, and a status line that says plainly where
the model runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant_builder.core.engine.backends import (
    GraphicsCard,
    Hardware,
    package_folder,
    where_it_runs,
)
from assistant_builder.core.engine.protocol import LoadOptions

NO_CARD = "Running on the processor — no graphics card found"


@pytest.mark.integration
def test_the_engine_runs_on_a_cpu_variant_and_says_where(smollm2_gguf: Path) -> None:
    from assistant_builder.core.engine.local import LocalEngine

    engine = LocalEngine()
    engine.load(LoadOptions(str(smollm2_gguf), context_size=256, threads=1, gpu_layers=-1))
    try:
        hardware, runs_on = engine.hardware, engine.runs_on
    finally:
        engine.unload()
    # The child's llama.cpp chose one of the build's CPU modules for this processor.
    modules = {p.name for p in package_folder().glob("libggml-cpu-*")}
    assert hardware.cpu_variant and f"libggml-cpu-{hardware.cpu_variant}.so" in modules
    assert "libggml-cpu-sapphirerapids.so" not in modules  # its AMX kernels crash
    if hardware.gpus:
        assert hardware.gpus[0] in runs_on and "graphics card" in runs_on
    else:  # the reference machine and CI: no graphics card
        assert runs_on == NO_CARD


def test_the_status_line_names_the_card_that_computes() -> None:
    card = Hardware("zen4", (GraphicsCard("AMD Radeon RX 7600", 7 << 30, 8 << 30),))
    assert where_it_runs(card, 29) == "Running on the graphics card AMD Radeon RX 7600 (29 layers)"
    assert where_it_runs(card, 0) == (
        "Running on the processor — the graphics card AMD Radeon RX 7600 is not used"
    )
    assert where_it_runs(Hardware("haswell"), 0) == NO_CARD
    assert where_it_runs(Hardware("haswell"), 12) == NO_CARD  # asked for, but nowhere to go
