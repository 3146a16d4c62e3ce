"""A command starts with only what it needs (its start time is most of a quick `search`), and
the command line still knows every command when none, or a mistyped one, is named."""

from __future__ import annotations

import os
import subprocess
import sys

from assistant_builder.core.paths import Paths

HEAVY = ("assistant_builder.cli.ask", "assistant_builder.core.servers.catalog", "httpx2", "torch")


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=os.environ
    )


def test_a_search_loads_no_other_command_and_still_answers(app_home: Paths) -> None:
    result = _python(
        "import sys\nfrom assistant_builder.cli import main\n"
        "code = main(['search', 'nowhere', 'a question'])\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\nsys.exit(code)"
    )
    assert result.returncode == 1
    assert "no collection named “nowhere”" in result.stderr.lower()
    assert result.stdout.strip() == "[]"


def test_a_mistyped_command_or_help_still_lists_every_command(app_home: Paths) -> None:
    typo = _python("from assistant_builder.cli import main; main(['serch', 'x'])")
    assert typo.returncode == 2
    assert "invalid choice: 'serch'" in typo.stderr and "'search'" in typo.stderr
    assert "'ask'" in typo.stderr and "'serve'" in typo.stderr
    helped = _python("from assistant_builder.cli import main; main(['--help', 'search'])")
    assert all(name in helped.stdout for name in ("collections", "search", "ask", "checks"))
    own = _python("from assistant_builder.cli import main; main(['--debug', 'search', '--help'])")
    assert own.returncode == 0 and "--mode" in own.stdout
