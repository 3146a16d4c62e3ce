"""A store opens without lancedb's REST namespace client being set up (about half of lancedb's
import), and that client still works the moment something asks it for a name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHECK = """
import sys
from assistant_builder.core.knowledge.store import ChunkStore
store = ChunkStore(sys.argv[1])
print(store.exists(), "lance_namespace_urllib3_client.api" in sys.modules)
import lance_namespace_urllib3_client as client
print(client.ApiClient.__name__, "lance_namespace_urllib3_client.api" in sys.modules)
"""


def test_opening_a_store_leaves_the_rest_client_unset_up_until_asked(tmp_path: Path) -> None:
    said = subprocess.run(
        [sys.executable, "-c", CHECK, str(tmp_path / "store")],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout.split("\n")  # fmt: skip
    assert said[:2] == ["False False", "ApiClient True"]
