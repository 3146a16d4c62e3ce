"""``assistant-builder checks …``: an assistant's check questions, added, listed, removed,
suggested from its documents and run (exit status 3 when some fail)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from assistant_builder.cli.common import print_json, progress, services

if TYPE_CHECKING:
    from assistant_builder.core.checks import CheckProgress, Suggestion

SOME_FAILED = 3


def register(commands: Any) -> None:
    parser = commands.add_parser("checks", help="questions that check an assistant's answers")
    sub = parser.add_subparsers(dest="checks_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help="add a check question to an assistant")
    add.add_argument("assistant", metavar="ASSISTANT")
    add.add_argument("question", metavar="QUESTION")
    add.add_argument(
        "--expect", required=True, metavar="FILE[#page=N]",
        help="the document (and page) the answer must come from",
    )  # fmt: skip
    add.add_argument(
        "--must-contain", action="append", default=[], metavar="TEXT",
        help="words the answer must contain (may be given more than once)",
    )  # fmt: skip
    add.set_defaults(handler=_add)

    listing = sub.add_parser("list", help="list an assistant's check questions")
    listing.add_argument("assistant", metavar="ASSISTANT")
    listing.add_argument("--json", action="store_true", help="print JSON on stdout")
    listing.set_defaults(handler=_list)

    remove = sub.add_parser("remove", help="remove check question N (as numbered by list)")
    remove.add_argument("assistant", metavar="ASSISTANT")
    remove.add_argument("n", metavar="N", type=int)
    remove.set_defaults(handler=_remove)

    suggest = sub.add_parser("suggest", help="questions the model writes from the documents")
    suggest.add_argument("assistant", metavar="ASSISTANT")
    suggest.add_argument("--count", type=int, default=5, metavar="N")
    suggest.add_argument("--json", action="store_true", help="print JSON on stdout")
    suggest.set_defaults(handler=_suggest)

    run = sub.add_parser("run", help="answer every check question and say which pass")
    run.add_argument("assistant", metavar="ASSISTANT")
    run.add_argument("--json", action="store_true", help="print JSON on stdout")
    run.set_defaults(handler=_run)


def _add(args: argparse.Namespace) -> int:
    from assistant_builder.core.assistants.store import AssistantStore
    from assistant_builder.core.checks import CheckQuestion, parse_expect

    store = AssistantStore(services().paths.assistants_dir)
    assistant = store.get(args.assistant)
    file, page = parse_expect(args.expect)
    check = CheckQuestion(args.question.strip(), file, page, tuple(args.must_contain))
    saved = store.save(replace(assistant, checks=(*assistant.checks, check)))
    progress(f"Added check question {len(saved.checks)} to “{saved.name}”.")
    return 0


def _list(args: argparse.Namespace) -> int:
    from assistant_builder.core.assistants.store import AssistantStore

    assistant = AssistantStore(services().paths.assistants_dir).get(args.assistant)
    if args.json:
        print_json({"checks": [{"n": n, **c.to_json(), "expect": c.expect}
                               for n, c in enumerate(assistant.checks, start=1)]})  # fmt: skip
        return 0
    if not assistant.checks:
        progress(f"“{assistant.name}” has no check questions yet; add one with “checks add”.")
    for n, check in enumerate(assistant.checks, start=1):
        words = f"  must contain: {', '.join(check.must_contain)}" if check.must_contain else ""
        print(f"{n}. {check.question}  (expects {check.expect}){words}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from assistant_builder.core.assistants.store import AssistantStore
    from assistant_builder.core.errors import AssistantError

    store = AssistantStore(services().paths.assistants_dir)
    assistant = store.get(args.assistant)
    if not 1 <= args.n <= len(assistant.checks):
        raise AssistantError(
            f"“{assistant.name}” has no check question {args.n}; "
            f"choose a number from 1 to {len(assistant.checks)} as “checks list” shows."
            if assistant.checks
            else f"“{assistant.name}” has no check questions to remove."
        )
    kept = tuple(c for n, c in enumerate(assistant.checks, start=1) if n != args.n)
    store.save(replace(assistant, checks=kept))
    progress(f"Removed check question {args.n} from “{assistant.name}”.")
    return 0


def _suggest(args: argparse.Namespace) -> int:
    from assistant_builder.core.assistants.session import AnswerSession
    from assistant_builder.core.checks import suggest_checks
    from assistant_builder.core.knowledge.sampling import StoredPassage, stored_passages

    with AnswerSession(services()) as session:
        assistant = session.assistant(args.assistant)
        paths = session.services.paths

        def sample(name: str, count: int) -> list[StoredPassage]:
            return stored_passages(paths, name, count)

        def said(s: Suggestion) -> None:
            progress(f"Suggested: {s.check.question}")

        found = suggest_checks(
            assistant, session=session, sample=sample, count=args.count, on_progress=said
        )
    if args.json:
        print_json({"suggestions": [s.to_json() for s in found]})
        return 0
    for n, s in enumerate(found, start=1):
        flag = "" if s.retrieved else "  (not found by its own search: reword it)"
        print(f"{n}. {s.check.question}  (expects {s.check.expect}){flag}")
    if found:
        progress("Add the ones you want with “checks add ASSISTANT QUESTION --expect FILE”.")
    return 0


def _run(args: argparse.Namespace) -> int:
    from assistant_builder.core.assistants.session import AnswerSession
    from assistant_builder.core.checks import CheckHistory, run_checks

    with AnswerSession(services()) as session:
        assistant = session.assistant(args.assistant)

        def said(p: CheckProgress) -> None:
            mark = "pass" if p.result.passed else "FAIL"
            progress(f"[{p.done}/{p.total}] {mark}: {p.result.check.question}")

        run = run_checks(assistant, session=session, on_progress=said)
        summary = CheckHistory(session.services.paths.checks_dir).record(assistant, run)
    if args.json:
        print_json(run.to_json())
    else:
        for n, r in enumerate(run.results, start=1):
            print(f"{n}. {'pass' if r.passed else 'FAIL'}  {r.check.question}")
            print(f"   retrieved: {_yes(r.retrieved)}  cited: {_yes(r.cited)}"
                  f"  contains: {_yes(r.contains)}")  # fmt: skip
            print(f"   answer: {' '.join(r.answer.split())}")
        changed = f" ({summary.changes()} since the last run)" if summary.changed else ""
        print(f"{run.summary()}{changed}.")
    return 0 if run.all_passed else SOME_FAILED


def _yes(value: bool) -> str:
    return "yes" if value else "no"
