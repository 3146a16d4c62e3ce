"""Settings › This computer › Saved prompt states: the space they take, "Clear", and the limit
that the engine is then given (and that the cache is cut down to at once)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from assistant_builder.core.app import App
from assistant_builder.core.assistants.model import Assistant, ModelRef
from assistant_builder.core.engine import state_cache
from assistant_builder.core.engine.state_cache import StateCache, StateCacheOptions
from assistant_builder.core.paths import Paths
from assistant_builder.core.services import Services
from assistant_builder.core.settings import load_settings
from assistant_builder.ui.main_window import MainWindow

MB = 1 << 20


def test_settings_show_the_saved_prompt_states_clear_them_and_bound_them(
    qtbot: QtBot, app_home: Paths, smollm2_registry: object
) -> None:
    services = Services.create()
    settings, _ = services.load_settings_or_defaults()
    window = MainWindow(App(services, settings))
    qtbot.addWidget(window)
    folder = app_home.state_cache_dir
    saved = StateCache(StateCacheOptions(folder, 2048 * MB), "b1" * 32, "test")
    saved.write("older", (1, 2, 3), b"x" * (3 * MB))
    saved.write("newer", (1, 2, 3), b"x" * (3 * MB))
    window.show_page("Settings")
    row = window.settings_page.computer.prompt_states
    assert row is not None
    assert row.limit.value() == 2048  # the default, 2 GB
    assert row.used.text() == "6 MB in use (2 kept)"
    assert row.clear_button.isEnabled()

    # A smaller limit is saved, given to the engine, and applied to what is there at once.
    row.limit.setValue(4)
    assert load_settings(app_home.settings_file).state_cache_mb == 4
    options = window.app.session.options(Assistant(id="a", name="A", model=ModelRef("smollm2")))
    assert options.state_cache is not None and options.state_cache.limit_bytes == 4 * MB
    assert [p.stem for p in folder.glob("*/*.state")] == ["newer"]

    row.clear_button.click()
    assert state_cache.size_of(folder).files == 0
    assert row.used.text() == "None saved" and not row.clear_button.isEnabled()

    row.limit.setValue(0)  # Off: the engine is told to save none
    assert row.limit.text() == "Off"
    assert (
        window.app.session.options(
            Assistant(id="a", name="A", model=ModelRef("smollm2"))
        ).state_cache
        is None
    )
