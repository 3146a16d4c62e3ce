"""Many clients at once on ``serve``: each of ``clients`` threads sends ``requests`` with the
official openai client, streamed or not and some cancelled half-way (chosen by a seed). Every
request must be answered, or refused with a 429/503 that says to try again; none may hang.
The test runs a small slice, bench/faults_report.py the full 8 x 40."""

from __future__ import annotations

import random
import resource
import statistics
import threading
import time
from dataclasses import dataclass, field

from tests.faults.served import Served


@dataclass
class LoadResult:
    tried: int = 0
    answered: int = 0
    cancelled: int = 0  # streams the client left half-way (answered in part, on purpose)
    refused: int = 0  # a 429/503 saying to try again
    failed: list[str] = field(default_factory=list)  # anything else: wrong, or hung
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    rss_growth_mb: float = 0.0

    @property
    def survived(self) -> int:
        return self.answered + self.cancelled + self.refused

    def percentile(self, q: float) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100)[int(q) - 1]


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _one(client: object, kind: str, result: LoadResult, lock: threading.Lock) -> None:
    import openai

    messages = [{"role": "user", "content": "How long do cats sleep?"}]
    start = time.perf_counter()
    try:
        if kind == "plain":
            done = client.chat.completions.create(model="cats", messages=messages)  # type: ignore[attr-defined]
            ok = bool(done.choices[0].message.content)
        else:
            stream = client.chat.completions.create(model="cats", messages=messages, stream=True)  # type: ignore[attr-defined]
            got = 0
            for chunk in stream:
                got += bool(chunk.choices and chunk.choices[0].delta.content)
                if kind == "cancel" and got >= 3:
                    stream.close()  # the person pressed Stop half-way
                    break
            ok = got > 0
        outcome = ("cancelled" if kind == "cancel" else "answered") if ok else "empty answer"
    except openai.APIStatusError as exc:
        message = str(exc.body.get("message", "")) if isinstance(exc.body, dict) else ""
        retry = exc.status_code in (429, 503) and "try again" in message
        outcome = "refused" if retry else f"{exc.status_code}: {message}"
    except openai.APITimeoutError:
        outcome = "hung past the time limit"
    except openai.APIConnectionError as exc:
        outcome = f"connection: {exc}"
    elapsed = time.perf_counter() - start
    with lock:
        result.tried += 1
        if outcome == "answered":
            result.answered += 1
            result.latencies.append(elapsed)
        elif outcome == "cancelled":
            result.cancelled += 1
        elif outcome == "refused":
            result.refused += 1
        else:
            result.failed.append(f"{kind}: {outcome}")


def run_load(
    api: Served, *, clients: int, requests: int, seed: int, timeout_s: float = 120
) -> LoadResult:
    from openai import OpenAI

    rng = random.Random(seed)
    plans = [[rng.choice(("plain", "stream", "stream", "cancel")) for _ in range(requests)]
             for _ in range(clients)]  # fmt: skip
    result, lock = LoadResult(), threading.Lock()

    def client_run(plan: list[str]) -> None:
        client = OpenAI(base_url=api.url, api_key=api.key, max_retries=0, timeout=timeout_s)
        for kind in plan:
            _one(client, kind, result, lock)

    threads = [threading.Thread(target=client_run, args=(p,), daemon=True) for p in plans]
    baseline, start = _rss_mb(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout_s * requests)
    result.seconds = time.perf_counter() - start
    result.rss_growth_mb = _rss_mb() - baseline
    result.failed += [f"client {n} still running" for n, t in enumerate(threads) if t.is_alive()]
    return result
