"""`/kring followers`: who follows you, with Follow back for those you don't follow."""

from __future__ import annotations

from handlers.calls import Call, Reply
from handlers.discovery.common import active, answer, follow_button, follows, people, title_of
from storage.discovery import follower_ids
from storage.follows import Target
from ui.blocks import Item
from ui.i18n import tn
from ui.mrkdwn import named

MAX_FOLLOWERS_SHOWN = 30


def cmd_followers(call: Call) -> Reply:
    if call.args:
        return Reply(call.t("usage.followers"))
    return followers(call)


def redraw(call: Call, arg: str) -> Reply:
    """The followers drawn again after a click (``arg`` is always empty)."""
    return followers(call)


def followers(call: Call) -> Reply:
    ids = follower_ids(session=call.session, team_id=call.asker.team_id, user_id=call.asker.user_id)
    shown = ids[:MAX_FOLLOWERS_SHOWN]
    profiles = people(call, shown)
    still_here = [uid for uid in shown if active(profiles, uid)]
    if not still_here:
        return Reply(call.t("followers.none"))
    followed = follows(call)
    items = [
        Item(
            named(uid, title_of(profiles.get(uid))),
            follow_button(call, Target("person", uid), followed, "discovery.button.follow_back"),
        )
        for uid in still_here
    ]
    total = len(ids) - (len(shown) - len(still_here))
    return answer(
        "followers",
        "",
        head=tn("followers.header", total, call.asker.lang),
        items=items,
        more=len(ids) - len(shown),
        more_line=lambda count: call.t("discovery.more", count=count),
    )
