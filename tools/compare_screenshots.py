"""Renders the Compare view offscreen at the window's default size (1100x720), light and dark,
with two variants of the household assistant answering one question with the real starter
model, into docs/screenshots/compare-*.png. Run: QT_QPA_PLATFORM=offscreen python
tools/compare_screenshots.py (the homes and documents are tools/screenshots.py's)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from screenshots import OUT, ROOT, add_assistants, add_collection, prepare_home, wait_for_runner

SIZE = (1100, 720)


def main() -> None:
    from PySide6.QtWidgets import QApplication

    with tempfile.TemporaryDirectory() as tmp:
        prepare_home(Path(tmp))
        from assistant_builder.core.app import App
        from assistant_builder.core.paths import Paths
        from assistant_builder.core.services import Services
        from assistant_builder.core.settings import Settings
        from assistant_builder.ui.main_window import MainWindow
        from assistant_builder.ui.theme import apply_theme

        app = QApplication([])
        add_collection(Paths.from_env())
        add_assistants(Paths.from_env())
        OUT.mkdir(parents=True, exist_ok=True)
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            settings = Settings(user_name="Ada", theme=theme, threads=2, gpu_layers=0)
            window = MainWindow(App(Services.create(), settings))
            window.resize(*SIZE)
            window.show()
            page = window.assistants_page
            household = next(a for a in page.store.list() if a.name == "Household papers")
            page.cards[household.id].compare_action.trigger()
            view = window.compare_view
            view.columns[1].instructions.setPlainText(
                "You are a terse assistant. Answer in one short sentence and cite like [1]."
            )
            view.question.setText("When is the rent due?")
            view.run()
            wait_for_runner(view._runner)
            app.processEvents()
            for name in ("compare", "compare-prompt", "compare-blind"):
                if name == "compare-prompt":
                    view.columns[1].prompt_button.setChecked(True)
                if name == "compare-blind":
                    view.columns[1].prompt_button.setChecked(False)
                    view.blind.setChecked(True)
                app.processEvents()
                target = OUT / f"{name}-{theme}.png"
                window.grab().save(str(target))
                print(target.relative_to(ROOT), file=sys.stderr)
            view.shutdown()
            window.close()


if __name__ == "__main__":
    main()
