"""`/kring search`: reading the words and the page asked for."""

from __future__ import annotations

import pytest

from handlers.discovery.search import MAX_PAGE, asked_page


def test_words_without_a_page_ask_for_the_first() -> None:
    assert asked_page(["kubernetes", "migration"]) == (["kubernetes", "migration"], 1)


@pytest.mark.parametrize("word", ["page", "Pagina"])
def test_a_page_number_after_the_words_is_read_in_either_language(word: str) -> None:
    assert asked_page(["kubernetes", word, "3"]) == (["kubernetes"], 3)


@pytest.mark.parametrize("number", ["0", "x", str(MAX_PAGE + 1), "99999999"])
def test_a_page_that_is_no_page_number_is_none(number: str) -> None:
    assert asked_page(["kubernetes", "page", number]) == (["kubernetes"], None)


def test_page_alone_is_a_word_to_search_for() -> None:
    assert asked_page(["page", "2"]) == (["page", "2"], 1)
