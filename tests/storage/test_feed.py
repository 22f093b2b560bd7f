"""The Home tab's reads at any number of follows: the feed finds the same posts, suggestions stay
bounded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from storage.feed import TAGS_ONE_BY_ONE, latest_posts
from storage.follows import Target, follow
from storage.mutes import mute
from tests.storage.test_discovery import NOW, person, post


@pytest.mark.parametrize("extra_tags", [0, TAGS_ONE_BY_ONE + 5])
def test_posts_with_several_followed_tags_count_once_whichever_way_tags_are_read(
    sessions: sessionmaker[Session], extra_tags: int
) -> None:
    with sessions.begin() as s:
        for uid in ("UME", "UA", "UGONE"):
            person(s, uid, deleted=uid == "UGONE")
        followed = ["x", "y", "z"] + [f"quiet{n}" for n in range(extra_tags)]
        follow(
            session=s,
            team_id="T1",
            follower_id="UME",
            targets=[Target("tag", tag) for tag in followed],
            now=NOW,
        )
        mute(session=s, team_id="T1", user_id="UME", targets=[Target("tag", "m")], now=NOW)
        wanted = []
        for i in range(8):
            # The newest posts each carry all three followed tags: one feed entry apiece.
            wanted.append(post(s, "UA", {"x", "y", "z"}, days_ago=(1 + i) / 24))
        post(s, "UA", {"x", "m"}, days_ago=0.01)  # muted tag
        post(s, "UGONE", {"x"}, days_ago=0.01)  # deactivated author
        post(s, "UME", {"y"}, days_ago=0.01)  # their own
        post(s, "UA", {"z"}, days_ago=8)  # too old
        post(s, "UA", {"other"}, days_ago=0.01)  # not followed
    with sessions.begin() as s:
        feed = latest_posts(
            session=s,
            team_id="T1",
            user_id="UME",
            since=NOW - timedelta(days=7),
            until=NOW,
            limit=5,
        )
    assert [p.ts for p in feed] == wanted[:5]


def test_suggestions_draw_on_recent_follows_but_leave_out_everyone_followed(
    sessions: sessionmaker[Session],
) -> None:
    from storage.discovery import SUGGEST_SOURCE_PEOPLE, suggest

    followed = [f"UP{n:03d}" for n in range(SUGGEST_SOURCE_PEOPLE + 10)]  # oldest first
    with sessions.begin() as s:
        for uid in ["UME", "UOLDFRIEND", "UNEWFRIEND", *followed]:
            person(s, uid)
        for n, uid in enumerate(followed):
            follow(
                session=s,
                team_id="T1",
                follower_id="UME",
                targets=[Target("person", uid)],
                now=NOW - timedelta(minutes=len(followed) - n),
            )
        friends = [
            (followed[0], "UOLDFRIEND"),  # followed by someone UME followed long ago
            (followed[-1], "UNEWFRIEND"),  # followed by someone UME followed just now
            (followed[-1], followed[1]),  # UME follows them already
        ]
        for follower, target in friends:
            follow(
                session=s,
                team_id="T1",
                follower_id=follower,
                targets=[Target("person", target)],
                now=NOW,
            )
    with sessions.begin() as s:
        found = [x.user_id for x in suggest(session=s, team_id="T1", user_id="UME", now=NOW)]
    assert found == ["UNEWFRIEND"]
