"""Chat templates: the model's own, overrides, fallbacks, and the sandbox against hostile ones."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from assistant_builder.core.engine.prompt import PromptBuilder
from assistant_builder.core.engine.protocol import ChatMessage
from assistant_builder.core.engine.template_library import FAMILY_TEMPLATES
from assistant_builder.core.engine.templates import (
    ChatTemplate,
    ChatTemplateError,
    UnsafeTemplateError,
    choose_template,
    detect_family,
    render,
)

MESSAGES = [
    ChatMessage("system", "Be brief."),
    ChatMessage("user", "Hi"),
    ChatMessage("assistant", "Hello!"),
    ChatMessage("user", "Name a colour."),
]


def cve_payload(target: Path) -> str:
    """The shape of the CVE-2024-34359 template: walk to a class whose module holds the
    builtins, import os and run a shell command (here: create ``target``)."""
    return (
        "{% for x in ().__class__.__base__.__subclasses__() %}"
        "{% if x.__name__ == 'catch_warnings' %}"
        "{{ x()._module.__builtins__['__import__']('os').system('touch " + str(target) + "') }}"
        "{% endif %}{% endfor %}"
    )


class FakeVocab:
    """Metadata and special tokens of a model, without the model."""

    def __init__(self, metadata: dict[str, str], specials: tuple[str, ...] = ()) -> None:
        self.metadata = metadata
        self.specials = specials
        self.bos_token = "<s>"
        self.eos_token = "</s>"
        self.adds_bos = False

    def tokenize(self, text: str) -> list[int]:
        return [ord(c) for c in text]

    def is_special_token(self, text: str) -> bool:
        return text in self.specials


def test_the_payload_is_live_outside_the_sandbox(tmp_path: Path) -> None:
    # Proves the test below guards against something real: plain Jinja runs it.
    target = tmp_path / "pwned-plain"
    jinja2.Environment().from_string(cve_payload(target)).render()
    assert target.exists()


def test_a_model_whose_template_is_the_cve_payload_gets_the_standard_one(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    vocab = FakeVocab({"tokenizer.chat_template": cve_payload(target)}, ("<|im_start|>",))
    builder = PromptBuilder(vocab)
    text = builder.build(MESSAGES).text
    assert not target.exists()
    assert builder.template.origin == "fallback"
    assert text.startswith("<|im_start|>system\nBe brief.<|im_end|>\n")
    assert "tried to reach parts of the computer" in builder.notice
    assert "not run" in builder.notice and "standard chatml template" in builder.notice


def test_the_cve_payload_as_the_users_own_template_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    builder = PromptBuilder(FakeVocab({}, ("<|im_start|>",)), cve_payload(target))
    with pytest.raises(UnsafeTemplateError) as info:
        builder.build(MESSAGES)
    assert not target.exists()
    message = str(info.value)
    assert message.count(".") == 1 and message.endswith(".") and "\n" not in message


def test_a_name_built_while_rendering_is_stopped_by_the_sandbox_and_falls_back() -> None:
    # No internal name is written out, so only the running sandbox can see it.
    source = (
        "{% set name = '_' ~ '_class_' ~ '_' %}{{ messages | attr(name) }}"
        "{% for m in messages %}{{ m.content }}{% endfor %}"
    )
    vocab = FakeVocab({"tokenizer.chat_template": source}, ("<|im_start|>",))
    builder = PromptBuilder(vocab)
    assert builder.template.origin == "model"
    text = builder.build(MESSAGES).text
    assert text.startswith("<|im_start|>system\n") and "tried to reach" in builder.notice


def test_reaching_for_subclasses_is_an_error_not_an_empty_prompt() -> None:
    template = ChatTemplate("{{ ''.__class__.__mro__[1].__subclasses__() }}", "override", "chatml")
    with pytest.raises(UnsafeTemplateError):
        render(template, MESSAGES, bos_token="", eos_token="")


def test_smollm2_own_template_gives_chatml(vocab) -> None:
    builder = PromptBuilder(vocab)
    assert builder.template.origin == "model" and builder.notice == ""
    text = builder.build(MESSAGES).text
    assert text == (
        "<|im_start|>system\nBe brief.<|im_end|>\n"
        "<|im_start|>user\nHi<|im_end|>\n"
        "<|im_start|>assistant\nHello!<|im_end|>\n"
        "<|im_start|>user\nName a colour.<|im_end|>\n"
        "<|im_start|>assistant\n"
    )


def test_missing_template_falls_back_to_the_family_with_a_notice(vocab) -> None:
    metadata = {k: v for k, v in vocab.metadata.items() if k != "tokenizer.chat_template"}
    chosen = choose_template(metadata, vocab.is_special_token)
    assert chosen.origin == "fallback" and chosen.family == "chatml"
    assert "no chat template" in chosen.notice


def test_unparsable_template_falls_back_with_a_notice() -> None:
    vocab = FakeVocab(
        {
            "tokenizer.chat_template": "{% for m in messages %}{{ m.content }",
            "general.architecture": "gemma3",
        }
    )
    builder = PromptBuilder(vocab)
    assert builder.template.origin == "fallback"
    assert "could not be read" in builder.notice
    text = builder.build(MESSAGES).text
    assert text.startswith("<s><start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n")
    assert text.endswith("<start_of_turn>model\n")


def test_a_template_that_breaks_while_rendering_falls_back() -> None:
    vocab = FakeVocab({"tokenizer.chat_template": "{{ messages[7].content }}"}, ("<|im_start|>",))
    builder = PromptBuilder(vocab)
    text = builder.build(MESSAGES).text
    assert text.startswith("<|im_start|>system\nBe brief.<|im_end|>")
    assert builder.template.origin == "fallback"
    assert builder.notice.startswith("This model's chat template failed on this conversation")


@pytest.mark.parametrize(
    "source",
    [
        "{{ 1 / 0 }}{% for m in messages %}{{ m.content }}{% endfor %}",
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
        "{{ messages[0].content.nosuchmethod() }}",
    ],
)
def test_whatever_a_models_template_gets_wrong_it_falls_back(source: str) -> None:
    vocab = FakeVocab({"tokenizer.chat_template": source}, ("<|im_start|>",))
    builder = PromptBuilder(vocab)
    assert builder.build(MESSAGES).text.startswith("<|im_start|>system\nBe brief.")
    assert builder.template.origin == "fallback" and "failed" in builder.notice


def test_user_override_wins_and_a_broken_override_is_explained(vocab) -> None:
    builder = PromptBuilder(
        vocab, "{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}"
    )
    assert builder.build(MESSAGES[:2]).text == "[system] Be brief.\n[user] Hi\n"
    with pytest.raises(ChatTemplateError, match="line 1"):
        PromptBuilder(vocab, "{% if %}")


def test_template_functions_models_expect() -> None:
    source = (
        "{{ bos_token }}{{ strftime_now('%Y') | length }}"
        "{% if tools is none %}-{% endif %}"
        "{% if messages[0].role != 'user' %}"
        "{{ raise_exception('Roles must start with user') }}{% endif %}"
    )
    template = ChatTemplate(source, "override", "chatml")
    assert render(template, MESSAGES[1:], bos_token="<s>", eos_token="") == "<s>4-"
    with pytest.raises(ChatTemplateError, match="Roles must start with user"):
        render(template, MESSAGES, bos_token="<s>", eos_token="")


@pytest.mark.parametrize(
    ("metadata", "specials", "family", "marker"),
    [
        (
            {"general.architecture": "llama"},
            ("<|start_header_id|>",),
            "llama3",
            "<|start_header_id|>assistant",
        ),
        ({"general.architecture": "qwen2"}, ("<|im_start|>",), "chatml", "<|im_start|>assistant"),
        ({"general.architecture": "gemma2"}, (), "gemma", "<start_of_turn>model"),
        ({"general.architecture": "phi3"}, (), "phi3", "<|assistant|>"),
        (
            {"general.architecture": "llama"},
            ("[INST]",),
            "mistral",
            "[INST] Be brief.\n\nHi [/INST]",
        ),
    ],
)
def test_fallback_families(metadata, specials, family, marker) -> None:
    vocab = FakeVocab(metadata, specials)
    assert detect_family(metadata, vocab.is_special_token) == family
    text = render(
        ChatTemplate(FAMILY_TEMPLATES[family], "fallback", family),
        MESSAGES,
        bos_token="<s>",
        eos_token="</s>",
    )
    assert marker in text
    assert "Name a colour." in text and "Hello!" in text


def test_loop_controls_used_by_real_templates_work() -> None:
    source = (
        "{% for m in messages %}{% if loop.index > 2 %}{% break %}{% endif %}"
        "{{ m.role }} {% endfor %}"
    )
    rendered = render(ChatTemplate(source, "model", "chatml"), MESSAGES, bos_token="", eos_token="")
    assert rendered == "system user "
