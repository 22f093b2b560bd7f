"""`/kring trending [7d|30d]`: the tags growing fastest against the window before."""

from __future__ import annotations

from handlers.calls import Call, Reply, is_word
from handlers.discovery.common import answer, follow_button, follows
from handlers.targets import shorten
from storage.discovery import trending
from storage.follows import Target
from ui.blocks import Item
from ui.i18n import tn
from ui.mrkdwn import tag

MAX_TRENDS = 10
# Catalog keys of the words for each window, by its length in days.
WINDOW_WORDS = {7: "input.trending.week", 30: "input.trending.month"}


def parse_window(arg: str | None) -> int | None:
    """Days of a `/kring trending` window: `7d` (the default) or `30d`; None when unknown."""
    if arg is None:
        return 7
    return next((days for days, key in WINDOW_WORDS.items() if is_word(arg.strip(), key)), None)


def cmd_trending(call: Call) -> Reply:
    if len(call.args) > 1:
        return Reply(call.t("usage.trending"))
    days = parse_window(call.args[0] if call.args else None)
    if days is None:
        return Reply(call.t("trending.bad_window", bad=shorten(call.args[0])))
    return trends(call, days)


def redraw(call: Call, arg: str) -> Reply:
    """The answer for the window of ``arg`` days drawn again after a click."""
    days = parse_window(arg)
    return trends(call, days) if days else Reply(call.t("usage.trending"))


def trends(call: Call, days: int) -> Reply:
    found = trending(
        session=call.session,
        team_id=call.asker.team_id,
        now=call.deps.clock(),
        days=days,
        limit=MAX_TRENDS,
        kept_since=call.deps.kept_since(call.deps.clock()),
    )
    if not found:
        return Reply(call.t("trending.none", days=days))
    followed = follows(call)
    items = [
        Item(
            call.t(
                "trending.line",
                tag=tag(trend.tag),
                posts=tn("discovery.posts", trend.current, call.asker.lang),
                before=trend.previous,
            ),
            follow_button(call, Target("tag", trend.tag), followed, "discovery.button.follow"),
        )
        for trend in found
    ]
    return answer("trending", str(days), head=call.t("trending.header", days=days), items=items)
