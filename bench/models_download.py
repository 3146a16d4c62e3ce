"""Benchmark: the app's download (progress + cancel checks + sha256 verify) against
huggingface_hub's bare ``http_get`` of the same file from a local hub, and the cost of
validating and inspecting a GGUF file before llama.cpp sees it.

Run:  PYTHONPATH=. .venv/bin/python bench/models_download.py [PATH.gguf]
Without a path it uses the SmolLM2-135M test model cached by the test fixtures."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"


def main() -> None:
    import huggingface_hub.constants as hf_constants
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils.tqdm import silent_tqdm

    from assistant_builder.core.models.download import download_file
    from assistant_builder.core.models.gguf_check import check_layout
    from assistant_builder.core.models.gguf_info import read_gguf_info
    from assistant_builder.core.models.hub import repo_file
    from assistant_builder.core.paths import Paths
    from tests.models.fake_hub import FakeHub

    default = Path.home() / ".cache/assistant-builder-tests/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    size_mb = source.stat().st_size / 1e6
    hf_constants.HF_HUB_OFFLINE = False
    hub = FakeHub().start()
    os.environ["HF_ENDPOINT"] = hub.url
    hub.add_file("bench/Model-GGUF", source.name, source)
    runs = 3
    with tempfile.TemporaryDirectory() as tmp:
        bare, ours = [], []
        for n in range(runs):
            target = Path(tmp) / f"bare-{n}"
            start = time.perf_counter()
            with target.open("wb") as handle:
                url = f"{hub.url}/bench/Model-GGUF/resolve/main/{source.name}"
                http_get(url, handle, tqdm_class=silent_tqdm)  # type: ignore[arg-type]
            bare.append(time.perf_counter() - start)
            target.unlink()

            paths = Paths.from_env({"ASSISTANT_BUILDER_HOME": f"{tmp}/home-{n}"})
            start = time.perf_counter()
            file = repo_file("bench/Model-GGUF", source.name)
            part = download_file(paths, file, on_progress=lambda p: None)
            ours.append(time.perf_counter() - start)
            part.unlink()
    hub.stop()
    b, o = min(bare), min(ours)
    print(f"file: {source.name} ({size_mb:.1f} MB), best of {runs}, local hub on 127.0.0.1")
    print(f"huggingface_hub http_get alone:           {b:6.3f} s  ({size_mb / b:7.1f} MB/s)")
    print(f"app download (+info, progress, sha256):   {o:6.3f} s  ({size_mb / o:7.1f} MB/s)")
    print(f"ratio app / bare:                         {o / b:6.2f}")

    start = time.perf_counter()
    check_layout(source)
    layout_s = time.perf_counter() - start
    start = time.perf_counter()
    read_gguf_info(source, with_sha256=False, deep=False)
    quick_s = time.perf_counter() - start
    start = time.perf_counter()
    read_gguf_info(source, with_sha256=False)
    info_s = time.perf_counter() - start
    start = time.perf_counter()
    read_gguf_info(source, with_sha256=True)
    full_s = time.perf_counter() - start
    print(f"bounds-checked header walk (struct):      {layout_s:6.3f} s")
    print(f"inspect a registered model (walk only):   {quick_s:6.3f} s  (first call imports gguf)")
    print(f"validate + inspect (walk + GGUFReader):   {info_s:6.3f} s")
    print(f"validate + inspect + sha256:              {full_s:6.3f} s")


if __name__ == "__main__":
    main()
