"""What the person changes in one variant of Compare, as a new Assistant value: instructions,
model, behaviour preset, a single sampling value, how many passages each collection gives."""

from __future__ import annotations

from dataclasses import replace

from assistant_builder.core.assistants.model import Assistant, ModelRef
from assistant_builder.core.assistants.presets import CUSTOM, sampling_preset
from assistant_builder.core.engine.sampling import sampling_problems


def vary(
    assistant: Assistant,
    *,
    system_prompt: str | None = None,
    model: ModelRef | None = None,
    preset: str | None = None,
    temperature: float | None = None,
    top_k: int | None = None,
) -> Assistant:
    """The assistant with the given changes (None: unchanged); a preset of "Custom" keeps the
    values as they are. A value no model runner accepts is left as it was."""
    changed = assistant
    if system_prompt is not None:
        changed = replace(changed, system_prompt=system_prompt)
    if model is not None:
        changed = replace(changed, model=model, adapters=())  # an adapter fits one base model
    sampling = changed.sampling
    if preset is not None and preset != CUSTOM:
        sampling = sampling_preset(preset).apply(sampling)
    if temperature is not None:
        sampling = replace(sampling, temperature=temperature)
    if not sampling_problems(sampling):
        changed = replace(changed, sampling=sampling)
    if top_k is not None and top_k >= 1:
        changed = replace(
            changed, collections=tuple(replace(c, top_k=top_k) for c in changed.collections)
        )
    return changed
