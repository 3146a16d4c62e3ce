"""Model servers in the desktop app: Settings' section adds one (its key kept out of the
settings file), tests it and lists its models; the network log shows each connection, newest
first; the Models page lists the server's models marked with its name; the editor's Model
section chooses one, and the assistant saved answers through it. The server is Ollama's OpenAI
endpoint replayed on loopback (tests/servers/wire.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.core.paths import Paths
from assistant_builder.core.records import Assistant, ModelRef
from assistant_builder.ui.editor.model_section import ModelSection
from assistant_builder.ui.models.server_models_panel import ServerModelsPanel
from assistant_builder.ui.pages.network_log import NetworkLogView
from assistant_builder.ui.pages.servers_section import ServersSection
from tests.servers.wire import OLLAMA_MODEL, Script, replay_server
from tests.ui.conftest import MakeApp

SECRET = "sk-team-secret"


@pytest.fixture
def ollama() -> Iterator[tuple[str, Script]]:
    with replay_server("ollama") as served:
        yield served


def test_a_server_is_added_tested_and_its_connections_logged(
    qtbot: QtBot, make_app: MakeApp, app_home: Paths, ollama: tuple[str, Script], tmp_path: Path
) -> None:
    url, _ = ollama
    app = make_app()
    section = ServersSection(app)
    log = NetworkLogView(app)
    qtbot.addWidget(section)
    qtbot.addWidget(log)
    section.show()
    assert "a private file" in section.key_note.text()  # no keyring on this machine

    # A wrong address keeps what was typed, with a sentence saying what to fix.
    section.name.setText("Team")
    section.address.setText("localhost:11434")
    section.add_button.click()
    assert "must start with http://" in section.status.text()
    assert section.name.text() == "Team" and section.list.count() == 0

    section.address.setText(url)
    section.api_key.setText(SECRET)
    with qtbot.waitSignal(section.checked, timeout=30_000) as checked:
        section.add_button.click()
    assert section.list.count() == 1 and "Team — " + url in section.list.item(0).text()
    assert checked.args[0].models[0].id == OLLAMA_MODEL
    assert section.status.text() == f"“Team” answers and offers 1 model(s): {OLLAMA_MODEL}."
    assert section.api_key.text() == ""
    assert SECRET not in app_home.servers_file.read_text()
    assert not app_home.settings_file.exists() or SECRET not in app_home.settings_file.read_text()

    log.refresh()
    assert log.table.rowCount() == 1
    row = [log.table.item(0, c).text() for c in range(4)]
    assert row[1:] == ["127.0.0.1", "model server Team", "sent"]
    section.grab().save(str(tmp_path / "servers-section.png"))

    section.remove_button.click()
    assert section.list.count() == 0 and "Removed “Team” and its key" in section.status.text()
    assert app.model_servers() == []


def test_the_models_page_and_the_editor_offer_the_servers_models(
    qtbot: QtBot, make_app: MakeApp, ollama: tuple[str, Script]
) -> None:
    url, _ = ollama
    app = make_app()
    panel = ServerModelsPanel(app)
    qtbot.addWidget(panel)
    panel.refresh()
    assert "No model server yet" in panel.status.text() and panel.tree.topLevelItemCount() == 0

    app.add_model_server("Team", url)
    with qtbot.waitSignal(panel.runner.finished, timeout=30_000):
        panel.refresh()
    [item] = [panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())]
    assert (item.text(0), item.text(1)) == (OLLAMA_MODEL, "on Team")
    assert panel.status.text().startswith("1 model(s) on 1 server(s).")

    section = ModelSection()
    qtbot.addWidget(section)
    assistant = Assistant(id="a", name="A", model=ModelRef(id=""))
    section.load(assistant)
    section.set_server_models([m for r in panel.results for m in r.models])
    labels = [section.model.itemText(i) for i in range(section.model.count())]
    assert labels == [f"{OLLAMA_MODEL} — on Team"]
    section.model.setCurrentIndex(0)
    chosen = section.apply(assistant)
    assert chosen.model == ModelRef(id=OLLAMA_MODEL, server="Team")
    assert "Answered by the model server “Team”" in section.model_note.text()

    # Opened again while the server is away, the choice is kept and says so.
    section.set_server_models([])
    section.load(chosen)
    assert section.model.currentText() == f"{OLLAMA_MODEL} — on Team (not listed now)"
    assert section.apply(chosen).model == chosen.model


def test_an_unreachable_server_is_one_sentence_in_the_models_tab(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    from tests.llama_server import free_port

    app = make_app()
    app.add_model_server("Gone", f"http://127.0.0.1:{free_port()}")
    panel = ServerModelsPanel(app)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.runner.finished, timeout=30_000):
        panel.refresh()
    assert panel.tree.topLevelItemCount() == 0
    assert "“Gone”" in panel.status.text() and "could not be reached" in panel.status.text()


@pytest.mark.parametrize("kind", ["vllm", "ollama"])
def test_the_final_prompt_shows_the_messages_sent_and_the_servers_context(
    qtbot: QtBot, make_app: MakeApp, kind: str
) -> None:
    from assistant_builder.ui.editor.final_prompt_panel import FinalPromptPanel
    from tests.servers.wire import VLLM_CONTEXT, VLLM_MODEL

    model = VLLM_MODEL if kind == "vllm" else OLLAMA_MODEL
    with replay_server(kind) as (url, _):
        app = make_app()
        app.add_model_server("Team", url)
        panel = FinalPromptPanel(app.previewer)
        qtbot.addWidget(panel)
        draft = Assistant(
            id="a", name="Ada's helper", model=ModelRef(id=model, server="Team"),
            system_prompt="You are {assistant_name}.", context_size=2048,
        )  # fmt: skip
        with qtbot.waitSignal(panel.updated, timeout=30_000):
            panel.set_draft(draft)
    text = panel.text.toPlainText()
    assert text.startswith("[system]\nYou are Ada's helper.\n\n[user]\n")
    # vLLM lists its context size; Ollama does not, so the assistant's own is the budget.
    size = VLLM_CONTEXT if kind == "vllm" else 2048
    assert panel.budget.summary.text().endswith(f"of {size:,} tokens used by the prompt")
    assert "applies its own chat template" in panel.notice.text()
    assert "estimates" in panel.notice.text()  # neither counts tokens for clients
