"""The messages between the app and the engine's child process (core/engine/worker.py).

One request at a time: the parent sends Generate, the child says how much of the prompt it
has read (PromptProgress, at the start and after each batch), answers with Delta pieces (each
carries the text of the tokens generated since the previous one, at most every 25 ms) and ends
with Done or GenerateFailed. The start of the child is request 0: Ready or LoadFailed. A stop
does not travel as a message: the child is busy generating, so it reads a shared integer
between tokens instead (see worker.child_main)."""

from __future__ import annotations

from dataclasses import dataclass

from assistant_builder.core.engine.backends import Hardware
from assistant_builder.core.engine.protocol import SamplingOptions

HELLO = 0  # the request id of the child's start


# Parent → child --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Generate:
    request_id: int
    token_ids: tuple[int, ...]
    sampling: SamplingOptions
    # The first ``fixed_tokens`` are the assistant's fixed prefix, whose state the child may
    # save or restore (core/engine/llama_state.py); ``template_id`` names the chat template.
    fixed_tokens: int = 0
    template_id: str = ""


@dataclass(frozen=True, slots=True)
class Quit:
    pass


# Child → parent --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Ready:
    context_size: int
    gpu_layers: int  # layers actually offloaded (0 on a CPU-only build, whatever was asked)
    # The CPU variant and the graphics cards ggml found, each with its free and total memory
    # as ggml reported them just before the model loaded (the "Automatic" layers used them).
    hardware: Hardware
    request_id: int = HELLO


@dataclass(frozen=True, slots=True)
class LoadFailed:
    sentence: str  # empty: the child could not say why
    request_id: int = HELLO


@dataclass(frozen=True, slots=True)
class PromptProgress:
    request_id: int
    done: int  # prompt tokens read so far, of those not already in the context
    total: int


@dataclass(frozen=True, slots=True)
class Delta:
    request_id: int
    text: str
    tokens: int


@dataclass(frozen=True, slots=True)
class Done:
    request_id: int
    completion_tokens: int
    cached_tokens: int
    stop_reason: str
    evaluated: tuple[int, ...]  # the prompt tokens the child's context holds


@dataclass(frozen=True, slots=True)
class GenerateFailed:
    request_id: int
    sentence: str
