"""Sizes, counts and the plain-words explanations the Models page shows."""

from __future__ import annotations

QUANTIZATION_TIP = (
    "Quantization stores the model's numbers with fewer bits, so the file is smaller. "
    "Smaller = faster and lighter on memory, slightly less accurate. "
    "Q4_K_M is a good balance; Q8_0 is closest to the original."
)
FIT_TIP = (
    "Will it run? compares the memory the model needs (for a conversation of "
    "{words}) with this computer's memory and graphics card. Fits: runs well. "
    "Slow: runs, but answers slowly or needs other programs closed. Won't fit: not enough memory."
)
PARAMETERS_TIP = (
    "Parameters are the numbers the model learned; more parameters usually means better "
    "answers but a bigger, slower model."
)
LICENCE_TIP = "The terms under which the model's makers let you use it."
CONTEXT_TIP = "How many words of text the model can keep in mind at once."


def human_size(size: float) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit in ("bytes", "KB") else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"


def parameters_text(count: int) -> str:
    if count <= 0:
        return "unknown"
    if count >= 1e9:
        return f"{count / 1e9:.1f} billion"
    return f"{count / 1e6:.0f} million"
