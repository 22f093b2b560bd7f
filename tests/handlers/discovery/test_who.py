"""`/kring who`: reading the question around the tag."""

from __future__ import annotations

from handlers.discovery.who import question_words


def test_question_words_drop_the_question_around_the_tag() -> None:
    assert question_words(["knows", "about", "#design", "?"]) == ["#design"]
    assert question_words(["weet", "iets", "van", "#design"]) == ["#design"]
    assert question_words(["Knows", "About", "#design"]) == ["#design"]
    assert question_words(["#design"]) == ["#design"]
    # A filler word alone is what was asked about.
    assert question_words(["about"]) == ["about"]
    assert question_words(["#!!!"]) == ["#!!!"]
    assert question_words(["two", "words"]) == ["two", "words"]
