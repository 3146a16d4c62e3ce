"""Adding a model parses its whole GGUF with the cyclic garbage collector paused (its full
passes over the parser's objects froze the GUI thread); it must always be turned back on."""

from __future__ import annotations

import gc
import threading

import pytest

from assistant_builder.core.models.gguf_info import read_gguf_info
from tests.models.conftest import MakeGguf


@pytest.fixture
def gui_thread_gc() -> None:
    """Not here: these tests are about the automatic collector itself."""


def test_the_collector_is_on_again_after_a_deep_read_even_in_parallel(
    make_gguf: MakeGguf,
) -> None:
    paths = [make_gguf(f"m{i}.gguf") for i in range(4)]
    assert gc.isenabled()
    errors: list[BaseException] = []

    def read(i: int) -> None:
        try:
            for _ in range(5):
                read_gguf_info(paths[i], with_sha256=False, deep=True)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert gc.isenabled()


def test_a_collector_turned_off_by_someone_else_stays_off(make_gguf: MakeGguf) -> None:
    path = make_gguf()
    gc.disable()
    try:
        read_gguf_info(path, with_sha256=False, deep=True)
        assert not gc.isenabled()
    finally:
        gc.enable()
