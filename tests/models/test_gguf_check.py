"""GGUF validation: every malformed file gets one clear sentence and is never registered."""

from __future__ import annotations

import json
import struct
import time
from pathlib import Path

import pytest

from assistant_builder.core.errors import InvalidModelFile
from assistant_builder.core.models.gguf_check import check_layout
from assistant_builder.core.models.gguf_info import read_gguf_info
from assistant_builder.core.models.library import add_local
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.paths import Paths
from tests.models.conftest import MakeGguf
from tests.test_cli import run_cli


def _header(version: int = 3, n_tensors: int = 0, n_kv: int = 0) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", version, n_tensors, n_kv)


def _kv_string(key: str, value: str) -> bytes:
    k, v = key.encode(), value.encode()
    return struct.pack("<Q", len(k)) + k + struct.pack("<IQ", 8, len(v)) + v


def test_a_well_formed_file_passes_and_is_described(make_gguf: MakeGguf) -> None:
    path = make_gguf(n_layers=2, n_embd=64, context=2048)
    layout = check_layout(path)
    assert [t.name for t in layout.tensors] == [
        "token_embd.weight",
        "blk.0.attn_q.weight",
        "blk.1.attn_q.weight",
    ]
    info = read_gguf_info(path)
    assert (info.architecture, info.block_count, info.embedding_length) == ("llama", 2, 64)
    assert info.parameter_count == 32 * 64 + 2 * 64 * 64
    assert info.quantization == "F32" and info.context_length == 2048


@pytest.mark.parametrize("cut", [3, 12, 30, 90, 200, -100, -1])
def test_truncated_files_are_refused(make_gguf: MakeGguf, tmp_path: Path, cut: int) -> None:
    whole = make_gguf().read_bytes()
    bad = tmp_path / "cut.gguf"
    bad.write_bytes(whole[:cut] if cut > 0 else whole[: len(whole) + cut])
    with pytest.raises(InvalidModelFile) as err:
        read_gguf_info(bad)
    message = str(err.value)
    assert message.startswith("cut.gguf is not a usable GGUF model file")
    assert "ends too early" in message or "past the end" in message
    assert message.endswith("; get the file again.") and "\n" not in message
    assert ". " not in message  # one sentence


def test_bad_magic(tmp_path: Path) -> None:
    bad = tmp_path / "photo.gguf"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    with pytest.raises(InvalidModelFile, match="does not start like a GGUF file"):
        check_layout(bad)


def test_wrong_version(make_gguf: MakeGguf, tmp_path: Path) -> None:
    data = bytearray(make_gguf().read_bytes())
    data[4:8] = struct.pack("<I", 99)
    bad = tmp_path / "v99.gguf"
    bad.write_bytes(bytes(data))
    with pytest.raises(InvalidModelFile, match="GGUF version 99"):
        check_layout(bad)


def test_absurd_counts_are_refused_without_allocating(tmp_path: Path) -> None:
    bad = tmp_path / "huge.gguf"
    bad.write_bytes(_header(n_tensors=2**60, n_kv=2**62) + b"\0" * 64)
    with pytest.raises(InvalidModelFile, match="more than the file could hold"):
        check_layout(bad)


def test_an_absurd_array_length_neither_hangs_nor_allocates(tmp_path: Path) -> None:
    # An array of 2**40 bytes in a tiny file: gguf.GGUFReader alone would loop ~forever.
    key = b"general.tags"
    body = struct.pack("<Q", len(key)) + key + struct.pack("<IIQ", 9, 0, 2**40)
    bad = tmp_path / "array.gguf"
    bad.write_bytes(_header(n_kv=1) + body + b"\0" * 64)
    start = time.monotonic()
    with pytest.raises(InvalidModelFile, match="impossible sizes"):
        read_gguf_info(bad)
    assert time.monotonic() - start < 2


def test_a_tensor_offset_past_the_end(make_gguf: MakeGguf, tmp_path: Path) -> None:
    path = make_gguf()
    layout = check_layout(path)
    data = bytearray(path.read_bytes())
    # The last tensor's offset field is the 8 bytes just before the aligned data section.
    last = layout.tensors[-1]
    relative = last.offset - layout.data_offset
    field_at = bytes(data).rindex(struct.pack("<Q", relative), 0, layout.data_offset)
    data[field_at : field_at + 8] = struct.pack("<Q", relative + 1_000_000 * 32)
    bad = tmp_path / "offset.gguf"
    bad.write_bytes(bytes(data))
    with pytest.raises(InvalidModelFile, match=r"tensor blk\.1\.attn_q\.weight lies past the end"):
        check_layout(bad)


def test_an_unknown_architecture(make_gguf: MakeGguf) -> None:
    path = make_gguf(arch="not-a-real-arch")
    with pytest.raises(InvalidModelFile, match="“not-a-real-arch” model, an architecture"):
        read_gguf_info(path)


def test_an_unknown_value_type_in_metadata(tmp_path: Path) -> None:
    key = b"general.name"
    bad = tmp_path / "type.gguf"
    bad.write_bytes(_header(n_kv=1) + struct.pack("<Q", len(key)) + key + struct.pack("<I", 77))
    bad.write_bytes(bad.read_bytes() + b"\0" * 64)
    with pytest.raises(InvalidModelFile, match="unknown kind of value"):
        check_layout(bad)


def test_a_malformed_file_is_not_registered(app_home: Paths, make_gguf: MakeGguf) -> None:
    whole = make_gguf().read_bytes()
    bad = app_home.data_dir / "half.gguf"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InvalidModelFile):
        add_local(app_home, bad)
    assert ModelRegistry(app_home.models_registry).list() == []


def test_cli_add_of_a_malformed_file_is_one_sentence(app_home: Paths, tmp_path: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(_header(n_kv=1) + _kv_string("general.architecture", "llama")[:-3])
    result = run_cli("models", "add", str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "broken.gguf is not a usable GGUF model file" in result.stderr
    listed = json.loads(run_cli("models", "list", "--json").stdout)
    assert listed == {"models": []}


def test_cli_add_then_list_shows_the_model_with_a_verdict(
    app_home: Paths, make_gguf: MakeGguf
) -> None:
    path = make_gguf("my-model.gguf")
    added = run_cli("models", "add", str(path), "--name", "My Model")
    assert added.returncode == 0, added.stderr
    assert "Added My Model" in added.stderr
    listed = json.loads(run_cli("models", "list", "--json").stdout)["models"]
    assert [(m["name"], m["path"], m["verdict"]) for m in listed] == [
        ("My Model", str(path), "Fits")
    ]
    assert listed[0]["meta"]["gguf"]["architecture"] == "llama"


def test_a_duplicated_metadata_key(tmp_path: Path) -> None:
    entry = _kv_string("general.name", "x")
    bad = tmp_path / "twice.gguf"
    bad.write_bytes(_header(n_kv=2) + entry + entry + b"\0" * 64)
    with pytest.raises(InvalidModelFile, match=r"“general\.name” twice"):
        check_layout(bad)


def test_gguf_reader_checks_what_the_walk_does_not(make_gguf: MakeGguf) -> None:
    # llama.cpp reads general.alignment as a uint32; a uint64 one passes the bounds walk
    # but gguf's own reader refuses it, before llama.cpp could.
    path = make_gguf(extra=lambda w: w.add_uint64("general.alignment", 32))  # type: ignore[attr-defined]
    check_layout(path)
    with pytest.raises(InvalidModelFile, match="metadata cannot be read"):
        read_gguf_info(path)


@pytest.mark.integration
def test_the_walk_reads_the_same_metadata_as_gguf_reader(smollm2_gguf: Path) -> None:
    from gguf import GGUFReader

    walked = check_layout(smollm2_gguf)
    reader = GGUFReader(smollm2_gguf)
    compared = 0
    for key, field in reader.fields.items():
        if key.startswith("GGUF.") or key.startswith("tokenizer.ggml."):
            continue
        value = field.contents()
        expected = pytest.approx(value) if isinstance(value, float) else value
        assert walked.metadata[key] == expected, key
        compared += 1
    assert compared >= 20
    assert walked.metadata["tokenizer.ggml.tokens"].count == len(
        reader.fields["tokenizer.ggml.tokens"].data
    )
    assert [(t.name, t.offset, t.n_bytes) for t in walked.tensors] == [
        (t.name, t.data_offset, t.n_bytes) for t in reader.tensors
    ]
