"""Seeded fuzzing (issue 19 point 7) of what a person hands the app: the header and metadata
of the real SmolLM2 GGUF file (``models add``) and ``.assistant`` bundles (import). A case
must be accepted or refused with a plain AppError, within a time limit, and a refused case
must leave nothing registered or written. The test runs a slice, bench/faults_report.py the
full 1,000 and 500 cases."""

from __future__ import annotations

import json
import random
import shutil
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant_builder.core.errors import AppError

LIMIT_S = 60.0  # one case, on a busy 2-core machine


@dataclass
class FuzzResult:
    seed: int
    tried: int = 0
    accepted: int = 0
    refused: int = 0
    problems: list[str] = field(default_factory=list)  # crashes, hangs, writes when refused
    slowest_s: float = 0.0

    @property
    def survived(self) -> int:
        return self.accepted + self.refused


def _run(result: FuzzResult, label: str, case: Callable[[], object],
         wrote: Callable[[], list[str]]) -> bool:  # fmt: skip
    """Run one case on a thread with a time limit; False when it hung (stop fuzzing)."""
    outcome: list[BaseException | None] = []
    thread = threading.Thread(target=lambda: outcome.append(_catch(case)), daemon=True)
    start = time.perf_counter()
    thread.start()
    thread.join(LIMIT_S)
    result.slowest_s = max(result.slowest_s, time.perf_counter() - start)
    result.tried += 1
    if thread.is_alive():
        result.problems.append(f"{label}: still running after {LIMIT_S:.0f} s")
        return False
    error = outcome[0]
    if error is None:
        result.accepted += 1
    elif isinstance(error, AppError):
        result.refused += 1
        result.problems += [f"{label}: refused but wrote {w}" for w in wrote()]
    else:
        result.problems.append(f"{label}: crashed with {type(error).__name__}: {error}")
    return True


def _catch(case: Callable[[], object]) -> BaseException | None:
    try:
        case()
    except BaseException as exc:  # judged by the caller
        return exc
    return None


def fuzz_gguf(original: Path, work: Path, *, cases: int, seed: int) -> FuzzResult:
    from assistant_builder.core.models.gguf_check import check_layout
    from assistant_builder.core.models.library import add_local
    from assistant_builder.core.models.registry import ModelRegistry
    from assistant_builder.core.paths import Paths

    paths = Paths.from_env().ensure()
    registry = ModelRegistry(paths.models_registry)
    rng, result = random.Random(seed), FuzzResult(seed)
    header_end = check_layout(original).data_offset
    target = work / "fuzzed.gguf"
    shutil.copyfile(original, target)
    with open(original, "rb") as handle:
        pristine = handle.read(header_end)

    def wrote() -> list[str]:
        return [m.id for m in registry.list()]

    for n in range(cases):
        with open(target, "r+b") as handle:
            kind = rng.random()
            if kind < 0.05:  # cut short somewhere in the header or metadata
                handle.truncate(rng.randrange(0, header_end))
            else:
                for _ in range(rng.randint(1, 8)):
                    at = rng.randrange(0, 64) if rng.random() < 0.4 else rng.randrange(header_end)
                    handle.seek(at)
                    junk = [bytes([rng.randrange(256)]), b"\xff" * 8, b"\0" * 8,
                            rng.randrange(1 << 64).to_bytes(8, "little")]  # fmt: skip
                    handle.write(rng.choice(junk))
        if not _run(result, f"GGUF case {n}", lambda: add_local(paths, target), wrote):
            break
        for model in registry.list():  # an accepted case is a valid file: forget it again
            registry.remove(model.id)
        with open(target, "r+b") as handle:  # back to the real file for the next case
            handle.write(pristine)
            if kind < 0.05:
                with open(original, "rb") as source:
                    source.seek(header_end)
                    shutil.copyfileobj(source, handle)
    return result


def _mutate_manifest(manifest: dict[str, object], rng: random.Random) -> dict[str, object]:
    nasty: list[object] = [None, True, -1, 1 << 70, 1e308, "", "../../etc/passwd", "/abs"]
    nasty += ["x" * 100_000, [], {}, [1, 2], {"a": {"b": {}}}, "ünï\u202e"]
    out = json.loads(json.dumps(manifest))

    def walk(node: object, depth: int) -> None:
        if isinstance(node, dict) and node:
            key = rng.choice(list(node))
            roll = rng.random()
            if roll < 0.3:
                node[key] = rng.choice(nasty)
            elif roll < 0.45:
                del node[key]
            elif roll < 0.55:
                node[rng.choice(["extra", "__proto__", key + "x"])] = rng.choice(nasty)
            else:
                walk(node[key], depth + 1)
        elif isinstance(node, list) and node:
            index = rng.randrange(len(node))
            if rng.random() < 0.5:
                node[index] = rng.choice(nasty)
            else:
                walk(node[index], depth + 1)

    for _ in range(rng.randint(1, 4)):
        walk(out, 0)
    return out


def fuzz_bundles(valid: Path, work: Path, *, cases: int, seed: int) -> FuzzResult:
    from assistant_builder.core.assistants.bundle import MANIFEST_NAME
    from assistant_builder.core.assistants.bundle_import import import_bundle
    from assistant_builder.core.assistants.store import AssistantStore
    from assistant_builder.core.services import Services

    services = Services.create()
    store = AssistantStore(services.paths.assistants_dir)
    documents = services.paths.imported_documents_dir
    before = {a.id for a in store.list()}
    rng, result = random.Random(seed), FuzzResult(seed)
    raw = valid.read_bytes()
    with zipfile.ZipFile(valid) as bundle:
        members = {i.filename: bundle.read(i) for i in bundle.infolist()}
    manifest = json.loads(members[MANIFEST_NAME])

    def wrote() -> list[str]:
        new = [a.id for a in store.list() if a.id not in before]
        files = [str(p) for p in documents.rglob("*")] if documents.exists() else []
        return new + files

    for n in range(cases):
        case = work / f"case-{n}.assistant"
        if rng.random() < 0.3:  # bytes of the zip itself
            data = bytearray(raw)
            for _ in range(rng.randint(1, 16)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            case.write_bytes(bytes(data))
        else:
            text = json.dumps(_mutate_manifest(manifest, rng))
            with zipfile.ZipFile(case, "w") as bundle:
                for name, content in members.items():
                    bundle.writestr(name, text if name == MANIFEST_NAME else content)
                if rng.random() < 0.2:
                    bundle.writestr(rng.choice(["../evil.txt", "/etc/evil", "docs/../../x"]), "x")

        def importing(case: Path = case) -> object:
            return import_bundle(case, store=store, registry=services.models,
                                 documents_dir=documents)  # fmt: skip

        if not _run(result, f"bundle case {n}", importing, wrote):
            break
        for assistant in store.list():  # an accepted case: forget it again
            if assistant.id not in before:
                store.remove(assistant.id)
        if documents.exists():
            shutil.rmtree(documents)
        case.unlink()
    return result


def valid_bundle(work: Path) -> Path:
    """An exported assistant (the scripted home's "Cats", with one document) to mutate."""
    from dataclasses import replace

    from assistant_builder.core.assistants.bundle import export_bundle
    from assistant_builder.core.assistants.model import CollectionRef
    from assistant_builder.core.assistants.store import AssistantStore
    from tests.faults.served import prepare_home

    services = prepare_home()
    cats = AssistantStore(services.paths.assistants_dir).get("cats")
    docs = work / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "cats.md").write_text("# Cats\n\nCats sleep fifteen hours a day.\n")
    cats = replace(cats, collections=(CollectionRef(name="Cats docs"),))
    dest = work / "cats.assistant"
    export_bundle(cats, dest, registry=services.models, documents={"Cats docs": [docs]})
    return dest
