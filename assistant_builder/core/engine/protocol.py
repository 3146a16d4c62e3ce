"""The engine interface: what the app asks of any model runner, local or remote.

Implementations stream a chat as events; callers never see which runner is behind it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.engine.placement import LayerPlan

# The sampling record is declared with its table of ranges and help; engines take it from here.
from assistant_builder.core.engine.sampling import SamplingOptions as SamplingOptions
from assistant_builder.core.engine.state_cache import StateCacheOptions

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class Adapter:
    path: str
    scale: float = 1.0


@dataclass(frozen=True)
class LoadOptions:
    model_path: str
    adapters: tuple[Adapter, ...] = ()
    context_size: int = 4096
    threads: int = 0  # 0: the engine chooses from the machine
    # Layers to offload to a GPU: 0 none, -1 all. The caller passes the "will it run?"
    # estimate (core/models/fit.py); a CPU-only build runs everything on the CPU regardless.
    gpu_layers: int = 0
    # Set for the "Automatic" setting: the engine chooses the layers itself from this plan and
    # the free memory of the graphics cards it finds (gpu_layers is then ignored).
    automatic_layers: LayerPlan | None = None
    chat_template: str | None = None  # None: the model's own
    thinking: bool | None = None  # a reasoning model's enable_thinking; None: its default
    kv_cache_type: str = "f16"  # how the attention cache is stored (engine/kv_cache.py)
    model_sha256: str = ""  # names the model's saved prefix states ("": none are saved)
    # Where fixed prefixes' states are saved (engine/state_cache.py); None: nowhere. Changing
    # its limit is no reason to load the model again.
    state_cache: StateCacheOptions | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int
    # Prompt tokens whose evaluation was reused: from the previous turn, or the saved state of
    # the assistant's fixed prefix.
    cached_tokens: int = 0


@dataclass(frozen=True)
class Timings:
    ttft_s: float
    total_s: float


@dataclass(frozen=True)
class TextDelta:
    text: str
    tokens: int = 1  # generated tokens the text stands for (pieces can carry several)


@dataclass(frozen=True)
class PromptRead:
    """How much of the prompt the model has read before it writes (engines that can say):
    ``done`` of ``total`` tokens, counting only those the previous turn did not leave read."""

    done: int
    total: int


@dataclass(frozen=True)
class Finished:
    usage: Usage
    timings: Timings
    stop_reason: str = "stop"  # stop | length | cancelled
    prompt: str = (
        ""  # the exact text evaluated, special tokens included (where the engine knows it)
    )


@dataclass(frozen=True)
class Failed:
    message: str  # one plain sentence
    partial_text: str = ""  # what was streamed before the failure, kept for the user


ChatEvent = TextDelta | PromptRead | Finished | Failed


class Engine(Protocol):
    def load(self, options: LoadOptions, *, cancel: CancelToken = NEVER) -> None: ...

    def chat(
        self,
        messages: Sequence[ChatMessage],
        sampling: SamplingOptions,
        *,
        cancel: CancelToken = NEVER,
        fixed: int = 0,
    ) -> Iterator[ChatEvent]:
        """``fixed``: how many leading messages are the assistant's own (instructions and
        examples), the same in every conversation; an engine may keep what it made of them."""
        ...

    def unload(self) -> None: ...
