"""The engine's child process: loads the model once, then answers generate requests from the
parent over a pipe, one at a time, streaming text pieces tagged with the request's id.

Messages parent → child: ("generate", id, token_ids, SamplingOptions) and ("quit",).
Messages child → parent: ("ready", info), ("load_failed", sentence), ("delta", id, text),
("done", id, stats_dict), ("failed", id, sentence)."""

from __future__ import annotations

from dataclasses import asdict
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized
from typing import Any

from assistant_builder.core.engine.protocol import LoadOptions
from assistant_builder.core.errors import AppError


def child_main(conn: Connection, cancelled_upto: Synchronized[int], options: LoadOptions) -> None:
    """Entry point of the child process. ``cancelled_upto`` holds the highest request id the
    parent has cancelled; comparing ids (not clearing a flag) means a stop can never leak into
    the next request or be lost between two."""
    import signal

    # Ctrl+C in a terminal reaches the whole process group: the parent decides what it means
    # (stop this answer, in ``chat``) and tells the child; the child must not die of it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from assistant_builder.core.engine.llama_runtime import GenerationStats, LlamaRunner

    try:
        runner = LlamaRunner(options)
    except AppError as err:
        conn.send(("load_failed", str(err)))
        return
    conn.send(("ready", {"context_size": runner.context_size, "gpu_layers": runner.gpu_layers}))
    while True:
        try:
            message: tuple[Any, ...] = conn.recv()
        except EOFError:  # the parent went away: nothing left to serve
            break
        if message[0] == "quit":
            break
        _, request_id, tokens, sampling = message
        stats = GenerationStats()

        def should_stop(rid: int = request_id) -> bool:
            return bool(cancelled_upto.value >= rid)

        try:
            for piece in runner.generate(tokens, sampling, stats, should_stop):
                conn.send(("delta", request_id, piece))
        except AppError as err:
            conn.send(("failed", request_id, str(err)))
            continue
        except (RuntimeError, ValueError) as err:
            conn.send(("failed", request_id, f"The model could not continue ({err}); try again."))
            continue
        conn.send(("done", request_id, asdict(stats)))
    runner.close()
