"""``checks`` on the command line with the real SmolLM2 and MiniLM: questions added, listed,
removed, run (exit 0 when all pass, 3 when some fail, SPEC §4's JSON) and suggested, each run's
score kept with what changed since the one before."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant_builder.core.paths import HOME_ENV, Paths
from tests.integration.conftest import cli

pytestmark = pytest.mark.integration

RESULT_KEYS = {"question", "retrieved", "cited", "contains", "passed", "answer"}


def _env() -> dict[str, str]:
    return {HOME_ENV: os.environ[HOME_ENV]}


def test_checks_run_says_which_pass_in_spec_json_and_exits_3_when_one_fails(
    ready: Path, app_home: Paths
) -> None:
    env = _env()
    added = cli("checks", "add", "Cats", "How long do cats sleep every day?", "--expect",
                "cats.md", "--must-contain", "fifteen", env=env)  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "Added check question 1" in added.stderr
    elsewhere = cli("checks", "add", "Cats", "How long do cats sleep every day?",
                    "--expect", "dogs.md#page=2", env=env)  # fmt: skip
    assert elsewhere.returncode == 0, elsewhere.stderr
    listed = json.loads(cli("checks", "list", "Cats", "--json", env=env).stdout)
    assert [(c["n"], c["expect"]) for c in listed["checks"]] == [
        (1, "cats.md"), (2, "dogs.md#page=2"),
    ]  # fmt: skip

    run = cli("checks", "run", "Cats", "--json", env=env)
    assert run.returncode == 3, run.stderr
    data = json.loads(run.stdout)
    assert set(data) == {"passed", "total", "results"} and data["total"] == 2
    assert all(set(r) == RESULT_KEYS for r in data["results"])
    in_collection, not_in_it = data["results"]
    assert in_collection["retrieved"] is True  # cats.md is in the collection
    assert not_in_it["retrieved"] is False and not_in_it["passed"] is False
    assert data["passed"] == sum(r["passed"] for r in data["results"])
    assert in_collection["answer"].strip()

    removed = cli("checks", "remove", "Cats", "2", env=env)
    assert removed.returncode == 0, removed.stderr
    again = cli("checks", "run", "Cats", env=env)
    # The 135M model copies the passage, so the question in the collection passes whole.
    assert in_collection["passed"] is True, in_collection
    assert again.returncode == 0, again.stderr
    assert "1 of 1 pass" in again.stdout
    assert "questions changed since the last run" in again.stdout

    history = json.loads((app_home.checks_dir / "cats.json").read_text(encoding="utf-8"))
    assert [(r["passed"], r["total"]) for r in history["runs"]] == [(data["passed"], 2), (1, 1)]
    assert [r["changed"] for r in history["runs"]] == [[], ["questions"]]


def test_checks_remove_of_a_number_not_listed_says_which_numbers_there_are(ready: Path) -> None:
    env = _env()
    cli("checks", "add", "Cats", "How long do cats sleep?", "--expect", "cats.md", env=env)
    done = cli("checks", "remove", "Cats", "4", env=env)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "“Cats” has no check question 4; choose a number from 1 to 1 as “checks list” shows."
    )
    assert "Traceback" not in done.stderr


def test_checks_suggest_writes_questions_whose_expected_file_is_their_passage(ready: Path) -> None:
    done = cli("checks", "suggest", "Cats", "--count", "2", "--json", env=_env())
    assert done.returncode == 0, done.stderr
    suggestions = json.loads(done.stdout)["suggestions"]
    assert 1 <= len(suggestions) <= 2
    for s in suggestions:
        assert s["question"].endswith("?") and len(s["question"].split()) >= 3
        assert s["expect"] == Path(s["source"]).name in ("cats.md", "bread.md")
        assert s["passage"].strip() and isinstance(s["retrieved"], bool)
    assert len({s["expect"] for s in suggestions}) == len(suggestions)  # spread over documents
