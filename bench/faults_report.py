"""The fault and attack suite of issue 19 at full size: one line per row with the cases tried,
the cases survived and the data lost. tests/faults/ runs a smaller seeded slice of the same
code in CI.

    python bench/faults_report.py [--seed 19] [--only ROW]

Rows: full-disk (download, settings, assistant, conversation, bundle export on a tmpfs),
serve-attacks, serve-load (8 clients x 40 requests, with throughput and p50/p95),
killed (SIGKILL during 20 streamed answers and 20 assistant saves), damaged-stores,
fuzzing (1,000 GGUF headers of the real SmolLM2 file, 500 .assistant bundles),
hostile-docs (the issue's sizes: needs ~3 GB of disk and a long while)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def row(name: str, tried: int, survived: int, lost: int, extra: str = "") -> None:
    print(f"{name:<16} tried {tried:>5}  survived {survived:>5}  data lost {lost:>3}"
          + (f"  ({extra})" if extra else ""), flush=True)  # fmt: skip


def serve_attacks(seed: int) -> None:
    from tests.faults.attacks import ATTACKS, replay
    from tests.faults.served import served

    with served() as api:
        problems = [p for a in ATTACKS if (p := replay(api, a))]
    row("serve-attacks", len(ATTACKS), len(ATTACKS) - len(problems), 0, "; ".join(problems))


def serve_load(seed: int) -> None:
    from assistant_builder.core.serve.turns import Turns
    from tests.faults.load import run_load
    from tests.faults.served import served

    reply = " ".join(["Cats sleep for about fifteen hours a day."] * 3)
    turns = Turns(waiting=4)
    with served([reply], turns=turns, delay_s=0.002) as api:
        result = run_load(api, clients=8, requests=40, seed=seed)
        saved = api.saved_answers()
    lost = max(0, result.answered + result.cancelled - saved)
    done = result.answered
    row("serve-load", result.tried, result.survived, lost,
        f"{done} answered, {result.cancelled} cancelled, {result.refused} told to retry, "
        f"{done / result.seconds:.1f} answers/s, p50 {result.percentile(50) * 1e3:.0f} ms, "
        f"p95 {result.percentile(95) * 1e3:.0f} ms, line peak {turns.peak_waiting}, "
        f"RSS +{result.rss_growth_mb:.0f} MB; {'; '.join(result.failed[:3])}")  # fmt: skip


def killed(seed: int) -> None:
    from tests.faults.kill import kill_answers, kill_assistant_saves

    answers = kill_answers(rounds=20, seed=seed)
    row("kill-answer", answers.tried, answers.survived, answers.lost,
        f"{answers.mid_write} killed mid-stream; {'; '.join(answers.problems[:3])}")  # fmt: skip
    saves = kill_assistant_saves(rounds=20, seed=seed)
    row("kill-assistant", saves.tried, saves.survived, saves.lost,
        f"{saves.mid_write} killed mid-save, {saves.stray_temp_files} stray temp files left; "
        + "; ".join(saves.problems[:3]))  # fmt: skip


def full_disk(seed: int) -> None:
    from tests.faults.disk import NoSmallDisk, small_disk
    from tests.faults.full_disk import CASES

    failed: list[str] = []
    try:
        for name, case in CASES.items():
            with small_disk(8) as disk:
                os.environ["ASSISTANT_BUILDER_HOME"] = str(disk / "home")
                failed += [f"{name}: {p}" for p in case(disk)]
    except NoSmallDisk as why:
        print(f"full-disk        skipped: {why}")
        return
    row("full-disk", len(CASES), len(CASES) - len({f.split(":")[0] for f in failed}), 0,
        f"{', '.join(CASES)} on an 8 MB tmpfs; " + "; ".join(failed))  # fmt: skip


def damaged(seed: int) -> None:
    from tests.faults.damaged import CASES

    failed = []
    for name, case in CASES.items():
        with tempfile.TemporaryDirectory() as home:
            os.environ["ASSISTANT_BUILDER_HOME"] = home
            failed += [f"{name}: {p}" for p in case()]
    row("damaged-stores", len(CASES), len(CASES) - len({f.split(":")[0] for f in failed}), 0,
        f"{', '.join(CASES)}; " + "; ".join(failed))  # fmt: skip


def fuzzing(seed: int) -> None:
    from tests.faults.fuzz import fuzz_bundles, fuzz_gguf, valid_bundle

    smollm2 = Path.home() / ".cache/assistant-builder-tests/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    for name, run in (
        ("fuzz-gguf", lambda work: fuzz_gguf(smollm2, work, cases=1000, seed=seed)),
        ("fuzz-bundle", lambda work: fuzz_bundles(valid_bundle(work / "valid"), work,
                                                  cases=500, seed=seed)),
    ):  # fmt: skip
        with tempfile.TemporaryDirectory() as work:
            result = run(Path(work))
        row(name, result.tried, result.survived, 0,
            f"seed {result.seed}: {result.accepted} accepted, {result.refused} refused, slowest "
            f"{result.slowest_s:.1f} s; " + "; ".join(result.problems[:3]))  # fmt: skip


def hostile(seed: int) -> None:
    from tests.faults.hostile import index_hostile, make_folder

    with tempfile.TemporaryDirectory() as work:
        made = make_folder(Path(work) / "hostile", scale=1.0)
        result = index_hostile(Path(work) / "hostile", made)
    outcomes = "; ".join(f"{name}: {what}" for name, what in result.outcomes.items())
    row("hostile-docs", result.tried, result.survived, 0,
        f"peak {result.peak_mb:.0f} MB resident, {result.seconds:.0f} s; {outcomes}; "
        + "; ".join(result.problems))  # fmt: skip


ROWS: dict[str, Callable[[int], None]] = {
    "full-disk": full_disk,
    "serve-attacks": serve_attacks,
    "serve-load": serve_load,
    "killed": killed,
    "damaged-stores": damaged,
    "fuzzing": fuzzing,
    "hostile-docs": hostile,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--only", choices=sorted(ROWS))
    args = parser.parse_args()
    print(f"seed {args.seed}", flush=True)
    start = time.perf_counter()
    for name, run in ROWS.items():
        if args.only in (None, name):
            with tempfile.TemporaryDirectory() as home:
                os.environ["ASSISTANT_BUILDER_HOME"] = home
                run(args.seed)
    print(f"{time.perf_counter() - start:.0f} s in all")


if __name__ == "__main__":
    main()
