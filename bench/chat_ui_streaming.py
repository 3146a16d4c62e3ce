"""What a person could feel while an answer streams into the Chat page, with the real SmolLM2:
the longest GUI stall, how often the transcript was repainted, and the app's cost per token
over the same answer run straight through core answer() without Qt. Prints the figures; run
with QT_QPA_PLATFORM=offscreen. ENGINE_BENCH_THREADS=1 gives steadier figures on a busy machine."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_common import THREADS, smollm2

QUESTION = "Write a short story about a lighthouse keeper and a storm."
TOKENS = 160
ROUNDS = 3


def main() -> None:
    home = Path(tempfile.mkdtemp())
    os.environ["ASSISTANT_BUILDER_HOME"] = str(home)
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from assistant_builder.core.assistants.answering import answer, load_options
    from assistant_builder.core.assistants.model import Assistant, ModelRef
    from assistant_builder.core.assistants.store import AssistantStore
    from assistant_builder.core.assistants.turn import Answer
    from assistant_builder.core.conversations.store import ConversationStore
    from assistant_builder.core.engine.local import LocalEngine
    from assistant_builder.core.engine.sampling import SamplingOptions
    from assistant_builder.core.models.registry import InstalledModel, ModelRegistry
    from assistant_builder.core.paths import Paths
    from assistant_builder.ui.chat.page import ChatPage
    from assistant_builder.ui.diagnostics import StallMonitor
    from assistant_builder.ui.engine_host import EngineHost

    paths = Paths.from_env().ensure()
    gguf = smollm2()
    registry = ModelRegistry(paths.models_registry)
    registry.add(InstalledModel(id="smollm2", name="SmolLM2", path=str(gguf), sha256="0" * 64,
                                size=gguf.stat().st_size))  # fmt: skip
    sampling = SamplingOptions(temperature=0.0, seed=1, max_tokens=TOKENS)
    assistant = AssistantStore(paths.assistants_dir).create(
        Assistant(id="", name="Bench", model=ModelRef(id="smollm2"), sampling=sampling,
                  context_size=1024, system_prompt="You are a storyteller.")
    )  # fmt: skip

    # Reference: the same answers through core alone, on this thread, interleaved with the
    # GUI's rounds so that both see the same load on a shared machine.
    engine = LocalEngine()
    options = load_options(assistant, registry, threads=THREADS, gpu_layers=0)
    core_store = ConversationStore(paths.data_dir / "core.sqlite3")

    def core_rate() -> float:
        events = list(answer(assistant, QUESTION, engine=engine, options=options,
                             conversations=core_store))  # fmt: skip
        final = events[-1]
        assert isinstance(final, Answer)
        return final.usage.completion_tokens / final.timings.total_s

    _app = QApplication([])  # kept alive for the whole run
    from assistant_builder.core.assistants.answering import no_retrieval
    from assistant_builder.core.assistants.session import AnswerSession
    from assistant_builder.core.services import Services
    from assistant_builder.core.settings import Settings

    conversations = ConversationStore(paths.conversations_db)
    session = AnswerSession(
        Services.create(paths), settings=Settings(threads=THREADS, gpu_layers=0),
        retrieve=no_retrieval, conversations=conversations,
    )  # fmt: skip
    host = EngineHost(session)
    page = ChatPage(host, AssistantStore(paths.assistants_dir), conversations)
    page.resize(1000, 700)
    page.show()
    core_rates: list[float] = []
    stalls, repaint_rates, app_rates = [], [], []
    for n in range(ROUNDS + 1):  # the first round loads the models and is not counted
        rate = core_rate()
        page.open_conversation(None)
        loop = QEventLoop()
        page.panel.busy_changed.connect(lambda busy, lp=loop: None if busy else lp.quit())
        monitor = StallMonitor(interval_ms=10)
        repaints = page.panel.transcript.repaints
        monitor.start()
        started = time.perf_counter()
        page.panel.send(QUESTION)
        loop.exec()
        wall = time.perf_counter() - started
        stall = monitor.stop()
        last = page.panel.messages()[-1]
        if n == 0:
            continue
        core_rates.append(rate)
        stalls.append(stall)
        repaint_rates.append((page.panel.transcript.repaints - repaints) / wall)
        app_rates.append(last.usage["completion_tokens"] / last.timings["total_s"])
    engine.unload()
    host.shutdown()

    core, app_rate = max(core_rates), max(app_rates)
    print(f"threads: {THREADS}; answer length: {TOKENS} tokens; best of {ROUNDS}")
    print(f"core answer():          {core:.1f} tokens/s")
    print(f"Chat page (engine host): {app_rate:.1f} tokens/s")
    print(f"cost per token of the GUI path: {(1 / app_rate - 1 / core) * 1000:+.2f} ms")
    print(f"longest GUI stall while streaming: {max(stalls):.1f} ms (worst of {ROUNDS})")
    print(f"transcript repaints: {max(repaint_rates):.1f} per second (cap 25)")


if __name__ == "__main__":
    main()
