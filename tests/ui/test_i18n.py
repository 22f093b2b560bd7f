"""The message catalog: both languages say the same things with the same placeholders."""

from __future__ import annotations

from ui.i18n import EN, NL, join, language_for, placeholders, t


def test_dutch_covers_every_english_message() -> None:
    assert set(NL) == set(EN)


def test_translations_use_the_same_placeholders() -> None:
    for key, english in EN.items():
        assert placeholders(NL[key]) == placeholders(english), key


def test_locale_picks_language() -> None:
    assert language_for("nl-NL") == "nl"
    assert language_for("nl_BE") == "nl"
    assert language_for("en-GB") == "en"
    assert language_for("fr-FR") == "en"
    assert language_for(None) == "en"


def test_join_lists_in_the_persons_language() -> None:
    assert join(["a", "b", "c"]) == "a, b and c"
    assert join(["a", "b"], "nl") == "a en b"
    assert t("follow.done", "nl", targets="#x").startswith("Je volgt nu #x.")
