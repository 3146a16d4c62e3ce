"""The app's writes killed with SIGKILL at moments a seed picks (after a random number of
streamed pieces, or of assistant saves, plus a random few milliseconds), then read back as the
next start of the app would: the database passes integrity_check, every earlier message is
there unchanged, the interrupted answer is kept and marked incomplete, and every assistant file
parses. The test runs a few rounds, bench/faults_report.py twenty of each."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.fileio import LEFTOVER_AGE_S
from tests.faults.killed_child import WORDS, reply
from tests.faults.served import prepare_home

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class KillResult:
    tried: int = 0
    survived: int = 0
    lost: int = 0
    problems: list[str] = field(default_factory=list)
    stray_temp_files: int = 0
    mid_write: int = 0  # kills that landed before the child had finished


def _child(*args: str) -> subprocess.Popen[str]:
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    command = [sys.executable, "-m", "tests.faults.killed_child", *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def _kill_after(proc: subprocess.Popen[str], lines: int, rng: random.Random) -> bool:
    """SIGKILL once ``lines`` lines were printed (and a few ms more); False if it ended first."""
    assert proc.stdout is not None
    for _ in range(lines):
        if not proc.stdout.readline():
            break
    time.sleep(rng.uniform(0, 0.004))
    ended = proc.poll() is not None
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    if ended and proc.returncode != 0:
        raise AssertionError(proc.stderr.read() if proc.stderr else "the child failed")
    return not ended


def kill_answers(rounds: int, seed: int) -> KillResult:
    services, rng, result = prepare_home(), random.Random(seed), KillResult()
    with ConversationStore(services.paths.conversations_db) as store:
        conversation = store.create("cats").id
        before = store.messages(conversation)
    for n in range(rounds):
        question = f"Tell me about cat number {n}"
        proc = _child("answer", str(conversation), question)
        result.mid_write += _kill_after(proc, rng.randint(1, WORDS), rng)
        result.tried += 1
        with ConversationStore(services.paths.conversations_db) as store:  # the next start
            problems = []
            if store.integrity_check() != "ok":
                problems.append(f"round {n}: integrity_check says {store.integrity_check()}")
            now = store.messages(conversation)
            kept = [(m.id, m.role, m.content, m.complete) for m in now[: len(before)]]
            if kept != [(m.id, m.role, m.content, m.complete) for m in before]:
                problems.append(f"round {n}: an earlier message changed or went missing")
                result.lost += 1
            new = now[len(before) :]
            if [m.role for m in new] not in (["user"], ["user", "assistant"]):
                problems.append(f"round {n}: new messages {[m.role for m in new]}")
            elif new[0].content != question:
                problems.append(f"round {n}: the question was not kept as asked")
            elif len(new) == 2 and not reply(question).startswith(new[1].content):
                problems.append(f"round {n}: the interrupted answer is not what was written")
            elif len(new) == 2 and new[1].complete != (new[1].content == reply(question)):
                problems.append(f"round {n}: the interrupted answer is not marked interrupted")
            before = now
        result.problems += problems
        result.survived += not problems
    return result


def kill_assistant_saves(rounds: int, seed: int) -> KillResult:
    services, rng, result = prepare_home(), random.Random(seed), KillResult()
    folder = services.paths.assistants_dir
    first = AssistantStore(folder).get("cats").system_prompt
    for n in range(rounds):
        result.mid_write += _kill_after(_child("assistant", str(n)), rng.randint(0, 3), rng)
        result.tried += 1
        problems = []
        for path in folder.glob("*.json"):
            try:
                json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                problems.append(f"round {n}: {path.name} is half-written")
        try:
            cats = AssistantStore(folder).get("cats")
            if not (cats.system_prompt == first or cats.system_prompt.startswith("Round ")):
                problems.append(f"round {n}: the assistant's instructions are damaged")
        except Exception as exc:  # the next start could not read it
            problems.append(f"round {n}: {exc}")
            result.lost += 1
        result.problems += problems
        result.survived += not problems
    # The next start, a while later, clears what the killed writes left half-done.
    hour_ago = time.time() - 2 * LEFTOVER_AGE_S
    for tmp in folder.glob(".*.tmp"):
        os.utime(tmp, (hour_ago, hour_ago))
    services.repair_damaged()
    result.stray_temp_files = len(list(folder.glob(".*.tmp")))
    return result
