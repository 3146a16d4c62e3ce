"""The engine's child process: loads the model once, then answers generate requests from the
parent over a pipe, one at a time, streaming text pieces tagged with the request's id.

Messages parent → child: ("generate", id, token_ids, SamplingOptions) and ("quit",).
Messages child → parent: ("ready", info), ("load_failed", sentence), ("delta", id, text, n_tokens),
("done", id, stats_dict), ("failed", id, sentence). A delta carries the text of the n tokens
generated since the last one."""

from __future__ import annotations

import time
from dataclasses import asdict
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized
from typing import Any

from assistant_builder.core.engine.protocol import LoadOptions
from assistant_builder.core.errors import AppError

# Pieces are sent at most this often (the first at once): every message wakes the reader, whose
# work then competes with llama.cpp's threads for the cores. On 2 cores with other work running
# this saved 0.5 ms a token; on a quiet machine the gain is within noise. The window repaints
# every 40 ms anyway, so nobody sees the difference.
FLUSH_S = 0.025


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

        held: list[str] = []
        sent = 0.0
        counted = 0  # tokens already reported in a delta
        try:
            for piece in runner.generate(tokens, sampling, stats, should_stop):
                held.append(piece)
                now = time.monotonic()
                if now - sent >= FLUSH_S:
                    conn.send(
                        ("delta", request_id, "".join(held), stats.completion_tokens - counted)
                    )
                    counted = stats.completion_tokens
                    held.clear()
                    sent = now
        except AppError as err:
            failure = str(err)
        except (RuntimeError, ValueError) as err:
            failure = f"The model could not continue ({err}); try again."
        else:
            failure = ""
        if held:  # what was generated before the end or the failure is the user's
            conn.send(("delta", request_id, "".join(held), stats.completion_tokens - counted))
        if failure:
            conn.send(("failed", request_id, failure))
            continue
        conn.send(("done", request_id, asdict(stats)))
    runner.close()
