"""`/kring suggest`: people worth following, each with the reason why.

:func:`suggestion_item` draws one suggestion; the Home tab (handlers.home) shows its
suggestions with it too, so both read the same.
"""

from __future__ import annotations

from handlers.calls import Call, Reply
from handlers.discovery.common import active, answer, follows, people, title_of
from storage.discovery import Suggestion, suggest
from storage.follows import Target
from storage.models import Person
from ui.blocks import FOLLOW_ACTION, Button, Item
from ui.i18n import t, tn
from ui.mrkdwn import mrkdwn_name, named, tag
from ui.text import SEPARATOR

MAX_SUGGESTIONS = 10


def suggestion_item(
    found: Suggestion,
    title: str,
    lang: str,
    *,
    other_department: bool | None = None,
    followable: bool = True,
) -> Item:
    """A suggested person: who, their title and, in italics, why; with a Follow button unless
    ``followable`` is false. ``other_department`` overrides the one the suggestion was weighed
    with."""
    reasons = []
    if found.tag:
        reasons.append(t("suggest.reason.tag", lang, tag=tag(found.tag)))
    if found.terms:
        terms = ", ".join(mrkdwn_name(term) for term in found.terms)
        reasons.append(t("suggest.reason.terms", lang, terms=terms))
    if found.followed_by:
        reasons.append(tn("suggest.reason.followed_by", found.followed_by, lang))
    if found.other_department if other_department is None else other_department:
        reasons.append(t("suggest.reason.department", lang))
    text = named(found.user_id, title)
    if reasons:
        text += "\n_" + SEPARATOR.join(reasons) + "_"
    label = t("discovery.button.follow", lang)
    return Item(
        text, Button(FOLLOW_ACTION, label, f"person:{found.user_id}") if followable else None
    )


def cmd_suggest(call: Call) -> Reply:
    if call.args:
        return Reply(call.t("usage.suggest"))
    return suggestions(call)


def redraw(call: Call, arg: str) -> Reply:
    """The suggestions drawn again after a click (``arg`` is always empty)."""
    return suggestions(call)


def suggestions(call: Call) -> Reply:
    found = suggest(
        session=call.session,
        team_id=call.asker.team_id,
        user_id=call.asker.user_id,
        now=call.deps.clock(),
        limit=MAX_SUGGESTIONS,
        kept_since=call.deps.kept_since(call.deps.clock()),
    )
    me = call.asker.user_id
    profiles = people(call, [me, *(s.user_id for s in found)])
    followed = follows(call)
    items: list[Item] = []
    for s in found:
        if not active(profiles, s.user_id):
            continue
        item = suggestion_item(
            s,
            title_of(profiles.get(s.user_id)),
            call.asker.lang,
            other_department=_other_department(profiles.get(me), profiles.get(s.user_id)),
            followable=Target("person", s.user_id) not in followed and s.user_id != me,
        )
        items.append(item)
    if not items:
        return Reply(call.t("suggest.none"))
    return answer("suggest", "", head=call.t("suggest.header"), items=items)


def _other_department(me: Person | None, them: Person | None) -> bool | None:
    """Whether the fresh profiles put us in different departments; None when one is unknown.

    The suggestions were weighed with cached profiles, which for someone whose profile was
    never fetched say nothing: the reason shown follows the profiles just fetched.
    """
    mine = me.department if me is not None else ""
    theirs = them.department if them is not None else ""
    if not mine or not theirs:
        return None
    return mine != theirs
