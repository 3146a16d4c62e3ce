"""A cited passage is found again in its PDF page's text layer, whose line breaks, spacing
and hyphenation differ from the indexed text, so the viewer can fill exactly its lines."""

from __future__ import annotations

from assistant_builder.core.knowledge.page_match import find_in_page

PAGE = (
    "2. Rent\r\nThe rent is 950 euros a month. It is due on the first day of each\r\n"
    "month and is paid by bank transfer. A pay-\r\nment more than ten days late costs a "
    "fee of 25 euros.\r\n3. Deposit\r\n"
)


def test_the_whole_passage_is_found_across_line_breaks_and_case() -> None:
    passage = "It is due on the first day of each month and is paid by bank transfer."
    start, end = find_in_page(PAGE, passage)  # type: ignore[misc]
    assert PAGE[start:end] == (
        "It is due on the first day of each\r\nmonth and is paid by bank transfer."
    )
    assert find_in_page(PAGE, passage.upper()) == (start, end)


def test_a_hyphenated_passage_runs_from_its_opening_to_its_closing_words() -> None:
    passage = "month and is paid by bank transfer. A payment more than ten days late costs a fee"
    start, end = find_in_page(PAGE, passage)  # type: ignore[misc]
    assert PAGE[start:].startswith("month and is paid") and PAGE[:end].endswith("costs a fee")


def test_a_passage_running_onto_the_next_page_is_found_by_its_opening() -> None:
    passage = (
        "fee of 25 euros. 3. Deposit The deposit of two months' rent is returned within "
        "thirty days of the end of the tenancy."
    )
    start, end = find_in_page(PAGE, passage)  # type: ignore[misc]
    assert PAGE[start:end] == "fee of 25 euros.\r\n3. Deposit"


def test_nothing_of_the_passage_on_the_page_is_none() -> None:
    assert find_in_page(PAGE, "Goldfish rest at night near the bottom of the tank.") is None
    assert find_in_page("", "anything") is None
    assert find_in_page(PAGE, "   ") is None
