"""Reading the catalog: t(), tn(), words(), join() and the locale a person's text is written in."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from babel.messages.catalog import Catalog

from ui import i18n
from ui.i18n import babel_locale, join, language_for, t, tn, words


def test_locale_picks_language() -> None:
    assert language_for("nl-NL") == "nl"
    assert language_for("nl_BE") == "nl"
    assert language_for("en-GB") == "en"
    assert language_for("fr-FR") == "en"
    assert language_for(None) == "en"
    assert language_for("en-US", "nl") == "nl"
    assert language_for("nl-NL", "auto") == "nl"


def test_t_fills_in_the_sentence_in_the_persons_language() -> None:
    assert t("follow.done", "nl", targets="#x").startswith("Je volgt nu #x.")
    assert t("follow.done", "en", targets="#x").startswith("You now follow #x.")


def test_an_unknown_language_reads_english() -> None:
    assert t("help.commands", "fr") == "*Commands*"
    assert tn("digest.dm.posts", 2, "fr") == "2 posts"


def test_an_unknown_key_is_an_error_not_a_silent_key() -> None:
    with pytest.raises(KeyError):
        t("no.such.key", "nl")
    with pytest.raises(KeyError):
        tn("no.such.key", 2, "nl")


@pytest.mark.parametrize(
    ("count", "english", "dutch"),
    [(0, "0 posts", "0 berichten"), (1, "1 post", "1 bericht"), (2, "2 posts", "2 berichten")],
)
def test_tn_picks_the_plural_form_for_the_count(count: int, english: str, dutch: str) -> None:
    assert tn("digest.dm.posts", count, "en") == english
    assert tn("digest.dm.posts", count, "nl") == dutch


def test_tn_fills_other_values_too() -> None:
    assert tn("welcome.tag_posts", 1, "nl", days=30) == "1 bericht in de afgelopen 30 dagen"
    assert tn("digest.dm.new_followers", 2, "en", people="A and B") == (
        "A and B started following you"
    )
    assert tn("digest.dm.new_followers", 2, "nl", people="A en B") == "A en B volgen je nu"


def test_join_lists_in_the_persons_language() -> None:
    assert join(["a", "b", "c"]) == "a, b and c"
    assert join(["a", "b"], "nl") == "a en b"
    assert join(["a", "b", "c"], "nl") == "a, b en c"
    assert join(["a"], "nl") == "a"
    assert join([], "en") == ""


def test_input_words_come_from_the_catalog() -> None:
    assert words("input.day.0", "nl") == ("maandag", "ma")
    assert words("input.digest.now", "nl") == ("nu",)
    assert "thurs" in words("input.day.3", "en")


def test_the_slack_locale_sets_the_region_where_the_language_has_it() -> None:
    assert str(babel_locale("en", "en-US")) == "en_US"
    assert str(babel_locale("en", "en-GB")) == "en_GB"
    assert str(babel_locale("nl", "nl-BE")) == "nl_BE"
    # Someone who chose Dutch but whose Slack is American: no nl_US, so Dutch as at home.
    assert str(babel_locale("nl", "en-US")) == "nl_NL"
    # Slack's own "es-LA" (Latin America) is no region CLDR knows.
    assert str(babel_locale("en", "es-LA")) == "en_GB"
    assert str(babel_locale("en", None)) == "en_GB"
    assert str(babel_locale("fr", "fr-FR")) == "en_FR"


@pytest.fixture
def dutch_without(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The real catalogs, but with Dutch translations of help.commands and digest.dm.posts
    emptied, as a new key looks before a translator gets to it."""
    real = i18n.read_catalog

    def read(lang: str) -> Catalog:
        catalog = real(lang)
        if lang != "nl":
            return catalog
        copy = Catalog(locale="nl", fuzzy=False)
        for message in catalog:
            if message.id and message.id not in ("help.commands", ("digest.dm.posts",) * 2):
                copy.add(message.id, message.string)
        copy.add("help.commands", "")
        return copy

    i18n._translations.cache_clear()
    monkeypatch.setattr(i18n, "read_catalog", read)
    yield
    i18n._translations.cache_clear()


@pytest.mark.usefixtures("dutch_without")
def test_a_missing_or_empty_translation_falls_back_to_english() -> None:
    assert t("help.commands", "nl") == "*Commands*"
    assert tn("digest.dm.posts", 3, "nl") == "3 posts"
    assert t("button.follow", "nl") == "Volgen"


def test_importing_the_catalog_reads_nothing() -> None:
    probe = "import ui.i18n as m; assert m.read_catalog.cache_info().currsize == 0"
    subprocess.run([sys.executable, "-c", probe], check=True)
