"""Issue 19 point 4: eight clients at once on serve (a seeded slice of bench/faults_report.py's
8 x 40): every request answered or told to retry, none hanging, the line of waiting requests
bounded, and the server answering normally afterwards."""

from __future__ import annotations

import pytest

from assistant_builder.core.serve.turns import Turns
from tests.faults.load import run_load
from tests.faults.served import served

pytestmark = pytest.mark.faults

REPLY = " ".join(["Cats sleep for about fifteen hours a day."] * 3)


def test_eight_clients_are_answered_or_told_to_retry() -> None:
    turns = Turns(waiting=3)
    with served([REPLY], turns=turns, delay_s=0.002) as api:
        result = run_load(api, clients=8, requests=5, seed=19)
        assert result.failed == []
        assert result.tried == 40 == result.survived
        assert result.answered >= 8 and result.cancelled >= 1
        assert turns.peak_waiting <= 3  # the line never grew past its bound
        status, _, done = api.chat()
        assert status == 200 and done["choices"][0]["message"]["content"] == REPLY
        # Every answer given was saved, the cancelled ones with what was written of them.
        assert api.saved_answers() >= result.answered + 1


def test_a_full_line_is_told_when_to_retry() -> None:
    turns = Turns(waiting=0)
    with served(turns=turns) as api:
        with turns.take():  # an answer is being written
            status, headers, body = api.chat()
        assert status == 429 and headers["retry-after"] == "2"
        assert "try again in 2 seconds" in body["error"]["message"]
        assert body["error"]["type"] == "rate_limit_error"
        status, _, _ = api.chat()
        assert status == 200  # the model is free again: answered
        assert api.engine.requests and len(api.engine.requests) == 1


def test_a_client_that_gives_up_while_waiting_leaves_the_line() -> None:
    import threading

    from assistant_builder.core.cancel import CancelToken
    from assistant_builder.core.errors import Cancelled

    turns, cancel, outcome = Turns(waiting=1), CancelToken(), []
    queued = threading.Event()

    def wait_in_line() -> None:
        try:
            with turns.take(cancel=cancel):
                outcome.append("served")
        except Cancelled:
            outcome.append("left")

    with turns.take():
        waiter = threading.Thread(target=wait_in_line)
        waiter.start()
        while turns.waiting == 0:
            queued.wait(0.01)
        cancel.cancel()
        waiter.join(timeout=60)
        assert outcome == ["left"] and turns.waiting == 0
