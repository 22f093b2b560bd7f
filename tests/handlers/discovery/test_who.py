"""`/kring who`: reading the question around the tag."""

from __future__ import annotations

from handlers.discovery.who import MAX_WORDS_ARG, is_ref, question_words, words_arg


def test_question_words_drop_the_question_around_the_tag() -> None:
    assert question_words(["knows", "about", "#design", "?"]) == ["#design"]
    assert question_words(["weet", "iets", "van", "#design"]) == ["#design"]
    assert question_words(["Knows", "About", "#design"]) == ["#design"]
    assert question_words(["#design"]) == ["#design"]
    # A filler word alone is what was asked about.
    assert question_words(["about"]) == ["about"]
    assert question_words(["#!!!"]) == ["#!!!"]
    assert question_words(["two", "words"]) == ["two", "words"]


def test_words_are_kept_short_folded_and_without_colons_for_block_ids() -> None:
    assert words_arg(["Kubernetes", "Migrations?"]) == "kubernetes migrations"
    assert words_arg(["“c++”", "?"]) == "c++"
    assert words_arg(["a:b", "`c`"]) == "a b c"
    assert words_arg(["  "]) == ""
    assert len(words_arg(["x" * 500])) == MAX_WORDS_ARG
    assert ":" not in words_arg(["::::", "x:y"])


def test_a_long_question_keeps_its_first_whole_words() -> None:
    kept = words_arg(["kubernetes"] * 20)
    assert kept == " ".join(["kubernetes"] * 7)
    assert len(kept) <= MAX_WORDS_ARG
    # Exactly as long as allowed, nothing is dropped.
    exact = "a" * (MAX_WORDS_ARG - 5) + " bcde"
    assert words_arg([exact]) == exact


def test_a_hash_or_a_channel_link_names_a_tag_exactly() -> None:
    assert is_ref("#design")
    assert is_ref("<#C0DESIGN|design>")
    assert not is_ref("design")
    assert not is_ref("kubernetes")
