"""The supervisor both child processes use: replies reach the request they answer, a cancel
wakes a waiting request, a child that dies ends its requests and is replaced, and a child
states its own Ctrl+C handling whatever the app inherited (a shell's background job starts
with SIGINT ignored)."""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection

from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.childproc import CANCELLED, ENDED, Child, Supervisor


@dataclass(frozen=True)
class Echo:
    request_id: int
    text: str


@dataclass(frozen=True)
class Quit:
    pass


def echo_main(conn: Connection) -> None:
    """Answers each Echo twice, the second time in capitals; reports its SIGINT handling."""
    handler = signal.getsignal(signal.SIGINT)
    conn.send(Echo(0, "ignored" if handler == signal.SIG_IGN else "default"))
    while isinstance(message := conn.recv(), Echo):
        conn.send(Echo(message.request_id, message.text))
        conn.send(Echo(message.request_id, message.text.upper()))


def _child(ignore_sigint: bool = True) -> Child:
    return Child(echo_main, name="echo", quit_message=Quit(), daemon=True,
                 ignore_sigint=ignore_sigint)  # fmt: skip


def test_replies_reach_their_request_and_a_dead_child_is_replaced() -> None:
    supervisor = Supervisor(lambda cancel: _child().start())
    try:
        sent_a = supervisor.request(lambda rid: Echo(rid, "one"))
        sent_b = supervisor.request(lambda rid: Echo(rid, "two"))
        assert sent_a is not None and sent_b is not None
        (child, a), (_, b) = sent_a, sent_b
        assert [b.get(30), b.get(30)] == [Echo(b.id, "two"), Echo(b.id, "TWO")]
        assert [a.get(30), a.get(30)] == [Echo(a.id, "one"), Echo(a.id, "ONE")]
        first = supervisor.process_id
        assert first is not None
        os.kill(first, signal.SIGKILL)
        assert a.get(30) is ENDED  # a request open when the child died hears of it
        sent = supervisor.request(lambda rid: Echo(rid, "three"))
        assert sent is not None and sent[1].get(30) == Echo(sent[1].id, "three")
        assert supervisor.restarts == 1 and supervisor.process_id not in (None, first)
        a.close()
        b.close()
    finally:
        supervisor.stop(2.0)
    assert supervisor.process_id is None and not child.running


def test_a_cancel_wakes_the_request_waiting_for_a_reply() -> None:
    child = _child().start()
    try:
        token = CancelToken()
        request = child.open(99, token)  # nothing will ever answer request 99
        threading.Thread(target=token.cancel).start()
        assert request.get(60) is CANCELLED
        request.close()
    finally:
        child.stop(2.0)


def test_a_child_sets_its_own_sigint_handling_whatever_it_inherited() -> None:
    inherited = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as in a background job
    try:
        ours = _child(ignore_sigint=False)
        hello = ours.open(0)
        ours.start()
        assert hello.get(60) == Echo(0, "default")
        ours.stop(2.0)
    finally:
        signal.signal(signal.SIGINT, inherited)
    quiet = _child(ignore_sigint=True)
    hello = quiet.open(0)
    quiet.start()
    assert hello.get(60) == Echo(0, "ignored")
    quiet.stop(2.0)
