"""Chat templates: choosing the model's own, a user override or a known-good fallback, and
rendering it in a sandbox that cannot reach Python internals (CVE-2024-34359)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal, NoReturn

from jinja2 import TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import (
    UNSAFE_ASYNC_GENERATOR_ATTRIBUTES,
    UNSAFE_COROUTINE_ATTRIBUTES,
    UNSAFE_FUNCTION_ATTRIBUTES,
    UNSAFE_GENERATOR_ATTRIBUTES,
    UNSAFE_METHOD_ATTRIBUTES,
    ImmutableSandboxedEnvironment,
)

from assistant_builder.core.engine.protocol import ChatMessage
from assistant_builder.core.engine.template_library import FAMILY_MARKERS, FAMILY_TEMPLATES
from assistant_builder.core.errors import EngineError


class ChatTemplateError(EngineError):
    """A chat template that cannot be used as it is."""


class UnsafeTemplateError(ChatTemplateError):
    """A chat template that tried to reach Python internals; it was stopped before running."""


Origin = Literal["override", "model", "fallback"]


@dataclass(frozen=True)
class ChatTemplate:
    source: str
    origin: Origin
    family: str  # the family whose fallback applies to this model (chatml, llama3, …)
    notice: str = ""  # a sentence to show the user when the template is not the model's own


class _Sandbox(ImmutableSandboxedEnvironment):
    """The stock sandbox answers an unsafe attribute with an Undefined that quietly iterates as
    empty; here it fails at once, so a hostile template is reported instead of half-rendered."""

    def unsafe_undefined(self, obj: Any, attribute: str) -> NoReturn:
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__} is unsafe")


class _RaisedByTemplate(Exception):
    pass


def _raise_exception(message: str) -> NoReturn:
    raise _RaisedByTemplate(message)


def _strftime_now(fmt: str) -> str:
    return datetime.now().strftime(fmt)


def sandbox_environment() -> _Sandbox:
    """The one Jinja environment chat templates are compiled and rendered in."""
    # The same settings as Hugging Face transformers, which model authors test templates with.
    env = _Sandbox(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    env.globals["raise_exception"] = _raise_exception
    env.globals["strftime_now"] = _strftime_now
    return env


def detect_family(metadata: Mapping[str, str], is_special_token: Callable[[str], bool]) -> str:
    """The template family a model was trained for, from its architecture and special tokens."""
    arch = metadata.get("general.architecture", "").lower()
    if arch.startswith("gemma"):
        return "gemma"
    if arch.startswith("phi3"):
        return "phi3"
    for family, marker in FAMILY_MARKERS:
        if is_special_token(marker):
            return family
    return "chatml"


_UNSAFE_NAMES = (
    UNSAFE_FUNCTION_ATTRIBUTES
    | UNSAFE_METHOD_ATTRIBUTES
    | UNSAFE_GENERATOR_ATTRIBUTES
    | UNSAFE_COROUTINE_ATTRIBUTES
    | UNSAFE_ASYNC_GENERATOR_ATTRIBUTES
)
_UNSAFE = (
    "This model's chat template tried to reach parts of the computer a template has no "
    "business with, so it was not run; the standard {family} template is used instead."
)


def _is_unsafe_name(name: object) -> bool:
    return isinstance(name, str) and (name.startswith("_") or name in _UNSAFE_NAMES)


@lru_cache(maxsize=16)  # asked at every render; a template's text does not change
def reaches_internals(source: str) -> bool:
    """Whether the template names Python internals (``x.__class__``, ``x['__globals__']``,
    ``x|attr('__mro__')``): refused before it runs. A name built at run time is still stopped
    by the sandbox when it is used."""
    tree = sandbox_environment().parse(source)
    return any(_is_unsafe_name(name) for node in tree.find_all(_NAMING) for name in _names_in(node))


_NAMING = (nodes.Getattr, nodes.Getitem, nodes.Filter)


def _names_in(node: nodes.Node) -> Iterator[object]:
    """The attribute names a node reads that are known before the template runs."""
    if isinstance(node, nodes.Getattr):
        yield node.attr
    elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        yield node.arg.value
    elif isinstance(node, nodes.Filter) and node.name == "attr":
        yield from (a.value for a in node.args if isinstance(a, nodes.Const))


def choose_template(
    metadata: Mapping[str, str],
    is_special_token: Callable[[str], bool],
    override: str | None = None,
) -> ChatTemplate:
    """The user's override if given, else the model's own template if it compiles and stays
    inside the sandbox, else the known-good template of the model's family with a notice."""
    family = detect_family(metadata, is_special_token)
    env = sandbox_environment()
    if override is not None and override.strip():
        try:
            env.from_string(override)
        except TemplateSyntaxError as err:
            raise ChatTemplateError(
                f"Your chat template has a mistake on line {err.lineno} ({err.message}); "
                "correct it or clear it to use the model's own template."
            ) from err
        return ChatTemplate(override, "override", family)
    own = metadata.get("tokenizer.chat_template", "")
    fallback = FAMILY_TEMPLATES[family]
    if not own.strip():
        return ChatTemplate(
            fallback,
            "fallback",
            family,
            f"This model has no chat template, so the standard {family} template is used.",
        )
    try:
        env.from_string(own)
        unsafe = reaches_internals(own)
    except Exception:  # text from a downloaded file: whatever fails, it cannot be used
        return ChatTemplate(
            fallback,
            "fallback",
            family,
            f"This model's chat template could not be read, so the standard {family} "
            "template is used instead.",
        )
    if unsafe:
        return ChatTemplate(fallback, "fallback", family, _UNSAFE.format(family=family))
    return ChatTemplate(own, "model", family)


def template_switches_thinking(source: str) -> bool:
    """Whether a chat template reads ``enable_thinking`` (Qwen3, Gemma 4, SmolLM3, Granite), so
    a reasoning model's thinking can be switched on and off."""
    return "enable_thinking" in source


def render(
    template: ChatTemplate,
    messages: Sequence[ChatMessage],
    *,
    bos_token: str,
    eos_token: str,
    add_generation_prompt: bool = True,
    enable_thinking: bool | None = None,
) -> str:
    """The exact prompt text for ``messages``, special tokens included. ``enable_thinking``
    (None: not given) is the switch reasoning models' templates read."""
    unsafe = UnsafeTemplateError(
        "This chat template tried to reach parts of the computer a template has no "
        "business with, so it was stopped before running; use the standard template instead."
    )
    env = sandbox_environment()
    try:
        if reaches_internals(template.source):
            raise unsafe
        compiled = env.from_string(template.source)
        return compiled.render(
            messages=[{"role": m.role, "content": m.content} for m in messages],
            bos_token=bos_token,
            eos_token=eos_token,
            add_generation_prompt=add_generation_prompt,
            tools=None,
            documents=None,
            **({} if enable_thinking is None else {"enable_thinking": enable_thinking}),
        )
    except UnsafeTemplateError:
        raise
    except SecurityError as err:
        raise unsafe from err
    except _RaisedByTemplate as err:
        raise ChatTemplateError(
            f"The chat template refused these messages ({err}); change the conversation "
            "or use a different template."
        ) from err
    # A template is a small program from a file or a text box: whatever it gets wrong
    # (an unknown filter, 1/0, endless recursion) is the template's failure, told plainly.
    except Exception as err:
        raise ChatTemplateError(
            f"The chat template failed while writing the prompt ({err}); "
            "use the standard template instead."
        ) from err


def fallback_for(template: ChatTemplate, error: ChatTemplateError) -> ChatTemplate:
    """The family's known-good template, for when the model's own fails while rendering."""
    family = template.family
    notice = (
        _UNSAFE.format(family=family)
        if isinstance(error, UnsafeTemplateError)
        else f"This model's chat template failed on this conversation, so the standard "
        f"{family} template is used instead."
    )
    return ChatTemplate(FAMILY_TEMPLATES[family], "fallback", family, notice)
