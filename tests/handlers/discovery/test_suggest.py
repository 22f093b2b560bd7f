"""One suggestion, as `/kring suggest` and the Home tab both show it."""

from __future__ import annotations

from handlers.discovery.suggest import suggestion_item
from storage.discovery import Suggestion
from ui.blocks import FOLLOW_ACTION, Button
from ui.i18n import t, tn


def suggestion(
    *, tag: str | None = None, followed_by: int = 0, other_department: bool = False
) -> Suggestion:
    return Suggestion(
        user_id="U1",
        score=1.0,
        tag=tag,
        tag_posts=3 if tag else 0,
        followed_by=followed_by,
        other_department=other_department,
    )


def test_a_suggestion_gives_every_reason_in_italics() -> None:
    found = suggestion(tag="design", followed_by=2, other_department=True)
    item = suggestion_item(found, "Designer", "en")
    reasons = " · ".join(
        [
            t("suggest.reason.tag", "en", tag="#design"),
            tn("suggest.reason.followed_by", 2, "en"),
            t("suggest.reason.department", "en"),
        ]
    )
    assert item.text == f"<@U1> — Designer\n_{reasons}_"
    assert item.button == Button(FOLLOW_ACTION, t("discovery.button.follow", "en"), "person:U1")


def test_fresh_titles_overrule_the_department_the_suggestion_was_weighed_with() -> None:
    found = suggestion(followed_by=1, other_department=True)
    same = suggestion_item(found, "", "nl", other_department=False, followable=False)
    assert same.text == "<@U1>\n_" + tn("suggest.reason.followed_by", 1, "nl") + "_"
    assert same.button is None


def test_a_suggestion_without_reasons_is_just_the_person() -> None:
    assert suggestion_item(suggestion(), "", "en").text == "<@U1>"


def test_shared_terms_are_a_reason_shown_inert() -> None:
    found = Suggestion(
        user_id="U1",
        score=1.0,
        tag=None,
        tag_posts=0,
        followed_by=0,
        other_department=False,
        terms=("kubernetes", "*migrations*", "<!channel>"),
    )
    text = suggestion_item(found, "", "en").text
    assert text.startswith("<@U1>\n_you both write about kubernetes, ")
    assert "<!channel>" not in text and "*migrations*" not in text
    assert "jullie schrijven allebei over kubernetes" in suggestion_item(found, "", "nl").text
