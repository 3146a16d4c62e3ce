"""``assistant-builder compare``: one question to two to four assistants on the same passages,
retrieved once with the first assistant's knowledge settings (core/compare)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from assistant_builder.cli.ask import answer_json, open_session, print_sources
from assistant_builder.cli.common import print_json, progress

if TYPE_CHECKING:
    from assistant_builder.core.assistants.prompt import Passage
    from assistant_builder.core.compare.run import Compared, Variant


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "compare", help="ask two to four assistants one question on the same passages"
    )
    parser.add_argument(
        "assistants", nargs="+", metavar="ASSISTANT",
        help="the assistant whose documents are searched, then the others",
    )  # fmt: skip
    parser.add_argument("question", metavar="QUESTION")
    parser.add_argument("--json", action="store_true", help="print the answers as JSON on stdout")
    parser.add_argument(
        "--show-prompt", action="store_true",
        help="also show each exact prompt the model evaluated (with --json: its \"prompt\" key)",
    )  # fmt: skip
    parser.set_defaults(handler=_compare)


def passage_json(passage: Passage) -> dict[str, Any]:
    """As ``search --json`` gives a passage, with the collection it came from."""
    return {
        "source": passage.source, "page": passage.page, "start": passage.start,
        "end": passage.end, "score": passage.score, "text": passage.text,
        "collection": passage.collection,
    }  # fmt: skip


def compared_json(
    result: Compared, variants: list[Variant], *, prompt: bool = False
) -> dict[str, Any]:
    """SPEC §4's shape; an answer that could not be given is null with its reason in ``error``."""
    answers: list[dict[str, Any]] = []
    for variant, answer in zip(variants, result.answers, strict=True):
        if answer is None:
            answers.append({"assistant": variant.assistant.name, "answer": None})
            continue
        data = answer_json(answer, None, prompt=prompt)
        del data["conversation_id"]  # comparisons are not kept in the history
        answers.append({"assistant": variant.assistant.name, **data})
    return {
        "passages": [passage_json(p) for p in result.passages],
        "schedule": result.schedule.sentence,
        "answers": answers,
    }


def _compare(args: argparse.Namespace) -> int:
    from assistant_builder.core.assistants.answering import Prepared
    from assistant_builder.core.assistants.session import Loading
    from assistant_builder.core.compare.run import (
        Compared,
        Planned,
        Variant,
        VariantEvent,
        VariantFailed,
        check_variants,
        compare_kept,
    )

    with open_session() as session:
        variants = [Variant(name, session.assistant(name)) for name in args.assistants]
        check_variants(variants)
        result: Compared | None = None
        errors: dict[int, str] = {}
        for event in compare_kept(session, variants, args.question):
            if isinstance(event, Planned):
                progress(event.schedule.sentence)
            elif isinstance(event, VariantFailed):
                errors[event.index] = event.message
                name = variants[event.index].assistant.name
                progress(f"“{name}” could not answer: {event.message}")
            elif isinstance(event, VariantEvent):
                inner, name = event.event, variants[event.index].assistant.name
                if isinstance(inner, Loading):
                    progress(f"Loading the model of “{name}” ({inner.model})…")
                elif isinstance(inner, Prepared) and inner.template_notice:
                    progress(inner.template_notice)
            elif isinstance(event, Compared):
                result = event
        assert result is not None  # compare() always ends with one
        if args.json:
            data = compared_json(result, variants, prompt=args.show_prompt)
            for i, message in errors.items():
                data["answers"][i]["error"] = message
            print_json(data)
        else:
            _print(result, variants, show_prompt=args.show_prompt)
    return 0 if all(a is not None for a in result.answers) else 1


def _print(result: Compared, variants: list[Variant], *, show_prompt: bool) -> None:
    print(f"{len(result.passages)} passages found once for every assistant.")
    for variant, answer in zip(variants, result.answers, strict=True):
        print(f"\n=== {variant.assistant.name} ===")
        if answer is None:
            print("(no answer)")
            continue
        if show_prompt:
            sys.stdout.write(answer.prompt + "\n" + "-" * 40 + "\n")
        print(answer.text.strip())
        print_sources(answer)
        print(
            f"({answer.usage.prompt_tokens} tokens read, {answer.usage.completion_tokens} "
            f"written; first word after {answer.timings.ttft_s:.2f} s, "
            f"{answer.timings.total_s:.2f} s in all)"
        )
