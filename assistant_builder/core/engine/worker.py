"""The engine's child process: loads the model once, then answers Generate requests from the
parent over a pipe, one at a time, streaming text pieces tagged with the request's id (the
messages are in core/engine/messages.py; the supervision in core/childproc.py)."""

from __future__ import annotations

import time
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized

from assistant_builder.core.engine.messages import (
    Delta,
    Done,
    Generate,
    GenerateFailed,
    LoadFailed,
    PromptProgress,
    Ready,
)
from assistant_builder.core.engine.protocol import LoadOptions
from assistant_builder.core.errors import AppError

# Pieces are sent at most this often (the first at once): every message wakes the reader, whose
# work then competes with llama.cpp's threads for the cores, and on 2 cores every millisecond
# of other work cost the model about three (a process burning 2 ms of CPU every 50 ms, 4% of a
# core, made each of ask's 9 ms tokens 1.2 ms slower, median of 4 answers). At 50 ms the Chat
# window's process spent 0.46 ms of CPU a token and serve with its client 0.30; at 100 ms 0.34
# and 0.20 (bench/answer_path.py's figure, and the processes' own CPU times). Ten pieces a
# second still read as streaming (a fast model's piece is half a line).
FLUSH_S = 0.1


def child_main(conn: Connection, cancelled_upto: Synchronized[int], options: LoadOptions) -> None:
    """Entry point of the child process. ``cancelled_upto`` holds the highest request id the
    parent has cancelled; comparing ids (not clearing a flag) means a stop can never leak into
    the next request or be lost between two."""
    from assistant_builder.core.engine.llama_runtime import GenerationStats, LlamaRunner

    try:
        runner = LlamaRunner(options)
    except AppError as err:
        conn.send(LoadFailed(str(err)))
        return
    conn.send(Ready(runner.context_size, runner.gpu_layers, runner.hardware))
    while True:
        try:
            message: object = conn.recv()
        except EOFError:  # the parent went away: nothing left to serve
            break
        if not isinstance(message, Generate):  # Quit
            break
        request_id = message.request_id
        stats = GenerationStats()

        def should_stop(rid: int = request_id) -> bool:
            return bool(cancelled_upto.value >= rid)

        def on_read(done: int, total: int, rid: int = request_id) -> None:
            conn.send(PromptProgress(rid, done, total))

        held: list[str] = []
        sent = 0.0
        counted = 0  # tokens already reported in a delta
        try:
            tokens = list(message.token_ids)
            pieces = runner.generate(
                tokens,
                message.sampling,
                stats,
                should_stop,
                on_read,
                message.fixed_tokens,
                message.template_id,
            )
            for piece in pieces:
                held.append(piece)
                now = time.monotonic()
                if now - sent >= FLUSH_S:
                    conn.send(Delta(request_id, "".join(held), stats.completion_tokens - counted))
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
            conn.send(Delta(request_id, "".join(held), stats.completion_tokens - counted))
        # The whole answer is out: the fixed prefix's state is written now, before Done, so
        # whoever hears Done can count on the file.
        runner.keep_states()
        if failure:
            conn.send(GenerateFailed(request_id, failure))
            continue
        conn.send(
            Done(
                request_id,
                stats.completion_tokens,
                stats.cached_tokens,
                stats.stop_reason,
                tuple(stats.evaluated),
            )
        )
    runner.close()
