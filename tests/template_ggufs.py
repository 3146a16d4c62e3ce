"""Copies of the real SmolLM2 GGUF whose chat template is broken in each way a downloaded model's
can be: one that does not compile, one that fails while rendering, one that tries to leave the
sandbox. Written with the ``gguf`` package the way its gguf_new_metadata script does."""

from __future__ import annotations

from pathlib import Path

BROKEN_TEMPLATES = {
    # An unclosed block: Jinja refuses it at compile time.
    "syntax": "{% for message in messages %}{{ message['content'] }}",
    # Compiles, then refuses every conversation when rendered (as Gemma's does for a system role).
    "raises": (
        "{% for message in messages %}{% if message['role'] == 'system' %}"
        "{{ raise_exception('System role not supported') }}{% endif %}"
        "{{ message['content'] }}{% endfor %}"
    ),
    # Compiles, then reaches for Python internals (the CVE-2024-34359 payload's first step).
    "escape": (
        "{{ ''.__class__.__mro__[1].__subclasses__() }}"
        "{% for message in messages %}{{ message['content'] }}{% endfor %}"
    ),
}


def with_chat_template(source: Path, dest: Path, template: str) -> Path:
    """A copy of ``source`` whose tokenizer.chat_template is ``template``; all else is kept."""
    import gguf

    reader = gguf.GGUFReader(source, "r")
    arch_field = reader.get_field(gguf.Keys.General.ARCHITECTURE)
    assert arch_field is not None
    tmp = dest.with_suffix(".part")
    writer = gguf.GGUFWriter(tmp, arch=str(arch_field.contents()), endianess=reader.endianess)
    for field in reader.fields.values():
        name = field.name
        if name == gguf.Keys.General.ARCHITECTURE or name.startswith("GGUF."):
            continue  # written by GGUFWriter itself
        if name.startswith(gguf.Keys.Tokenizer.CHAT_TEMPLATE):
            continue
        kind = field.types[0]
        sub = field.types[-1] if kind == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(name, field.contents(), kind, sub_type=sub)
    writer.add_chat_template(template)
    for tensor in reader.tensors:
        writer.add_tensor_info(
            tensor.name, tensor.data.shape, tensor.data.dtype, tensor.data.nbytes,
            tensor.tensor_type,
        )  # fmt: skip
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    for tensor in reader.tensors:
        writer.write_tensor_data(tensor.data, tensor_endianess=reader.endianess)
    writer.close()
    tmp.rename(dest)
    return dest
