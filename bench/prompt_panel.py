"""What the final-prompt panel costs per update, with the real SmolLM2 vocabulary and a real
collection indexed with MiniLM: the first preview (vocabulary read), a keystroke's preview
(vocabulary cached), and one with passages retrieved; plus opening a cited PDF page. These run
off the GUI thread; the figures say how soon after the ~300 ms pause the panel catches up.
Uses the test suite's cached models (run the tests once first)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
CACHE = Path.home() / ".cache" / "assistant-builder-tests"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    home = Path(tempfile.mkdtemp())
    os.environ["ASSISTANT_BUILDER_HOME"] = str(home)
    from assistant_builder.core.assistants.model import Assistant, CollectionRef, ModelRef
    from assistant_builder.core.assistants.preview import PromptPreviewer
    from assistant_builder.core.assistants.retrieval import process_retriever
    from assistant_builder.core.citation import Citation
    from assistant_builder.core.knowledge.collection import Collections
    from assistant_builder.core.knowledge.indexer import index_collection
    from assistant_builder.core.knowledge.process import KnowledgeProcess
    from assistant_builder.core.models.registry import InstalledModel, ModelRegistry
    from assistant_builder.core.paths import Paths

    paths = Paths.from_env().ensure()
    gguf = next((CACHE / "models").glob("*.gguf"))
    registry = ModelRegistry(paths.models_registry)
    registry.add(InstalledModel(id="smollm2", name="SmolLM2", path=str(gguf), sha256="0" * 64,
                                size=gguf.stat().st_size))  # fmt: skip
    folder = home / "docs"
    folder.mkdir()
    for i in range(30):
        (folder / f"note{i}.md").write_text(
            f"# Note {i}\n\n" + f"Topic {i} is about gardens, rent and travel plans. " * 20
        )
    collections = Collections(paths)
    collections.create("notes", [folder], embedder=str(CACHE / "embedders" / "all-MiniLM-L6-v2"))
    for _ in index_collection(collections, "notes"):
        pass

    knowledge = KnowledgeProcess()  # passages come from the knowledge process, as in the app
    source = PromptPreviewer(registry, process_retriever(knowledge, paths), user_name=lambda: "Ada")
    draft = Assistant(id="a", name="Helper", model=ModelRef(id="smollm2"),
                      system_prompt="You are {assistant_name}. Be brief.")  # fmt: skip
    start = time.perf_counter()
    source.compute(draft, "What can you do?")
    print(f"first preview (vocabulary read): {ms(time.perf_counter() - start)}")

    keystrokes = []
    for n in range(30):
        edited = replace(draft, system_prompt=draft.system_prompt + " x" * n)
        start = time.perf_counter()
        source.compute(edited, "What can you do?")
        keystrokes.append(time.perf_counter() - start)
    print(f"preview per keystroke, cached vocabulary: median {ms(statistics.median(keystrokes))}, "
          f"max {ms(max(keystrokes))} (n=30)")  # fmt: skip

    with_docs = replace(draft, collections=(CollectionRef("notes", top_k=5),))
    source.compute(with_docs, "warm up the embedder")  # starts the child, loads MiniLM
    timed = []
    for n in range(10):
        start = time.perf_counter()
        source.compute(with_docs, f"What is topic {n} about?")
        timed.append(time.perf_counter() - start)
    print(f"preview with 5 passages retrieved: median {ms(statistics.median(timed))}, "
          f"max {ms(max(timed))} (n=10)")  # fmt: skip
    print(f"vocabularies read: {source.loads}")
    source.close()
    knowledge.shutdown()

    from PySide6.QtWidgets import QApplication

    from assistant_builder.core.knowledge.process import KnowledgeProcess
    from assistant_builder.ui.source_viewer import SourceViewer
    from tests.knowledge.docs import write_pdf

    app = QApplication([])
    pdf = write_pdf(
        home / "long.pdf", [f"Page {i} says something about item {i}." for i in range(200)]
    )
    viewer = SourceViewer(KnowledgeProcess())  # PDFs open in QtPdf: it never starts
    viewer.resize(700, 800)
    viewer.show()
    app.processEvents()
    opened = []
    for page in (150, 20, 199):
        start = time.perf_counter()
        passage = f"Page {page - 1} says something about item {page - 1}."
        viewer.open_citation(Citation(page, str(pdf), page, 0, 0, passage))
        app.processEvents()
        opened.append(time.perf_counter() - start)
        assert viewer.highlighted_pdf_page() == page
    print(f"open a cited page of a 200-page PDF with its highlight: median "
          f"{ms(statistics.median(opened))}, max {ms(max(opened))}")  # fmt: skip


if __name__ == "__main__":
    main()
