"""What a GGUF file says about itself: architecture, size, quantization, shape, chat template.

Reading always runs the bounds-checked walk (gguf_check) and takes the metadata from it;
``deep=True`` (when a file enters the library) also has gguf's GGUFReader parse it all."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.errors import InvalidModelFile
from assistant_builder.core.models.gguf_check import ArrayInfo, Layout, check_layout
from assistant_builder.core.models.starter import sha256_of

_QUANT_IN_NAME = re.compile(
    r"(?<![A-Za-z0-9])(I?Q\d(?:_[A-Z0-9]+)*|BF16|F16|F32|FP16)(?![A-Za-z0-9])", re.I
)


@dataclass(frozen=True)
class GgufInfo:
    """Everything the app shows or decides from a GGUF file's own metadata."""

    path: str
    file_size: int
    sha256: str  # "" when not computed
    kind: str  # model | adapter
    architecture: str
    name: str
    parameter_count: int
    quantization: str  # e.g. "Q4_K_M"; "" when unknown
    file_type: int | None
    context_length: int  # trained context; 0 when the file does not say
    block_count: int
    embedding_length: int
    head_count: int
    head_count_kv: int
    key_length: int
    value_length: int
    vocab_size: int
    chat_template: str | None
    license: str = ""
    adapter_type: str = ""  # "lora" for LoRA adapters
    lora_alpha: float = 0.0
    # Adapter tensors: base tensor name -> (input size, rank, output size).
    lora_targets: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["lora_targets"] = {k: list(v) for k, v in self.lora_targets.items()}
        return data

    def summary(self) -> dict[str, Any]:
        """The small part worth keeping in the registry (no template, no tensor list)."""
        data = self.to_dict()
        for key in ("path", "chat_template", "lora_targets", "sha256"):
            data.pop(key)
        data["has_chat_template"] = self.chat_template is not None
        return data


def _value(metadata: dict[str, Any], key: str) -> Any:
    value = metadata.get(key)
    if isinstance(value, list):  # per-layer values (some architectures): take the largest
        numbers = [v for v in value if isinstance(v, int | float)]
        return max(numbers) if numbers else None
    return None if isinstance(value, ArrayInfo) else value


def _int(metadata: dict[str, Any], key: str) -> int:
    value = _value(metadata, key)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def quantization_name(file_type: int | None, filename: str = "") -> str:
    """The usual short name ("Q4_K_M") from general.file_type, else from the file name."""
    if file_type is not None:
        # Imported only here: gguf pulls in numpy (~0.4 s), and the Models page calls this
        # with no file type while the window opens.
        from gguf import LlamaFileType

        try:
            name = LlamaFileType(file_type).name
        except ValueError:
            name = ""
        if name and name != "GUESSED":
            return name.removeprefix("MOSTLY_").removeprefix("ALL_")
    match = _QUANT_IN_NAME.search(Path(filename).stem)
    return match.group(1).upper() if match else ""


def known_architectures() -> frozenset[str]:
    from gguf import MODEL_ARCH_NAMES

    return frozenset(MODEL_ARCH_NAMES.values())


def read_gguf_info(
    path: Path, *, with_sha256: bool = True, deep: bool = True, cancel: CancelToken = NEVER
) -> GgufInfo:
    """Validate ``path`` and describe it; raises InvalidModelFile with one plain sentence.

    ``deep`` adds gguf.GGUFReader's full parse to the walk (seconds for big vocabularies)."""
    from assistant_builder.core.models.gguf_check import check_with_reader

    layout: Layout = check_layout(path)
    if deep:
        check_with_reader(path)
    meta = layout.metadata
    arch = _value(meta, "general.architecture")
    if not isinstance(arch, str) or not arch:
        raise InvalidModelFile(
            f"{path.name} does not say which model architecture it is; get the file again."
        )
    if arch not in known_architectures():
        raise InvalidModelFile(
            f"{path.name} is a “{arch}” model, an architecture this version of llama.cpp does "
            "not know; choose a model of a supported family."
        )
    kind = _value(meta, "general.type") or "model"
    adapter_type = ""
    targets: dict[str, tuple[int, int, int]] = {}
    if kind == "adapter":
        adapter_type = str(_value(meta, "adapter.type") or "")
        if adapter_type != "lora":
            raise InvalidModelFile(
                f"{path.name} is a “{adapter_type or 'unknown'}” adapter; only LoRA adapters "
                "can be used."
            )
        targets = _lora_targets(path, layout)
    elif kind != "model":
        raise InvalidModelFile(f"{path.name} is a “{kind}” file, not a model; choose a model.")
    file_type = _value(meta, "general.file_type")
    file_type = int(file_type) if isinstance(file_type, int) else None
    n_embd = _int(meta, f"{arch}.embedding_length")
    n_head = _int(meta, f"{arch}.attention.head_count")
    head_dim = n_embd // n_head if n_head else 0
    template = _value(meta, "tokenizer.chat_template")
    vocab = _int(meta, f"{arch}.vocab_size")
    tokens = meta.get("tokenizer.ggml.tokens")
    if not vocab and isinstance(tokens, ArrayInfo | list):
        vocab = tokens.count if isinstance(tokens, ArrayInfo) else len(tokens)
    sha = sha256_of(path, cancel=cancel) if with_sha256 else ""
    return GgufInfo(
        path=str(path),
        file_size=layout.file_size,
        sha256=sha,
        kind=str(kind),
        architecture=arch,
        name=str(_value(meta, "general.name") or path.stem),
        parameter_count=sum(_elements(t.dims) for t in layout.tensors),
        quantization="" if kind == "adapter" else quantization_name(file_type, path.name),
        file_type=file_type,
        context_length=_int(meta, f"{arch}.context_length"),
        block_count=_int(meta, f"{arch}.block_count"),
        embedding_length=n_embd,
        head_count=n_head,
        head_count_kv=_int(meta, f"{arch}.attention.head_count_kv") or n_head,
        key_length=_int(meta, f"{arch}.attention.key_length") or head_dim,
        value_length=_int(meta, f"{arch}.attention.value_length") or head_dim,
        vocab_size=vocab,
        chat_template=template if isinstance(template, str) and template.strip() else None,
        license=str(_value(meta, "general.license") or ""),
        adapter_type=adapter_type,
        lora_alpha=float(_value(meta, "adapter.lora.alpha") or 0.0),
        lora_targets=targets,
    )


def _elements(dims: tuple[int, ...]) -> int:
    count = 1
    for dim in dims:
        count *= dim
    return count


def _lora_targets(path: Path, layout: Layout) -> dict[str, tuple[int, int, int]]:
    # llama.cpp names adapter tensors "<base tensor>.lora_a" / ".lora_b"; A is (in -> rank)
    # and B is (rank -> out) in GGML order: A.dims = (in, rank), B.dims = (rank, out).
    a = {
        t.name.removesuffix(".lora_a"): t.dims for t in layout.tensors if t.name.endswith(".lora_a")
    }
    b = {
        t.name.removesuffix(".lora_b"): t.dims for t in layout.tensors if t.name.endswith(".lora_b")
    }
    if not a or set(a) != set(b):
        raise InvalidModelFile(
            f"{path.name} is a LoRA adapter with missing or unpaired tensors; get the file again."
        )
    targets: dict[str, tuple[int, int, int]] = {}
    for name, a_dims in a.items():
        b_dims = b[name]
        if len(a_dims) != 2 or len(b_dims) != 2 or a_dims[1] != b_dims[0]:
            raise InvalidModelFile(
                f"{path.name} is a LoRA adapter whose tensor {name} is inconsistent; "
                "get the file again."
            )
        targets[name] = (a_dims[0], a_dims[1], b_dims[1])
    return targets
