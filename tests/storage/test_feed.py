"""The Home tab's reads at any number of follows: the feed finds the same posts, suggestions stay
bounded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from storage.channels import LEFT, close_channel, remember_channel
from storage.feed import TAGS_ONE_BY_ONE, latest_posts
from storage.follows import Target, follow
from storage.mutes import mute
from storage.posts import NewPost, record_post
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


def test_a_followed_channel_brings_its_posts_beside_the_tag_each_once_until_it_closes(
    sessions: sessionmaker[Session],
) -> None:
    stamps = iter(range(1, 100))

    def say(channel: str, user: str, *tags: str, hours_ago: float = 1) -> str:
        stamp = f"{(NOW - timedelta(hours=hours_ago)).timestamp():.0f}.{next(stamps):06d}"
        record_post(
            session=s,
            post=NewPost("T1", channel, stamp, user, "text", tags=frozenset(tags)),
        )
        return stamp

    with sessions.begin() as s:
        for uid in ("UME", "UA", "UB"):
            person(s, uid)
        remember_channel(session=s, team_id="T1", channel_id="CDESIGN", name="design", now=NOW)
        follow(
            session=s,
            team_id="T1",
            follower_id="UME",
            targets=[Target("tag", "design"), Target("channel", "CDESIGN")],
            now=NOW,
        )
        plain = say("CDESIGN", "UA", hours_ago=1)  # no hashtag, in the channel
        tagged = say("COTHER", "UB", "design", hours_ago=2)  # tagged elsewhere
        both = say("CDESIGN", "UB", "design", hours_ago=3)  # tagged, in the channel: once
        say("CDESIGN", "UME", hours_ago=0.5)  # their own
        say("COTHER", "UA", hours_ago=0.5)  # neither
        say("CDESIGN", "UA", hours_ago=24 * 8)  # too old

    def feed() -> list[str]:
        with sessions.begin() as s:
            found = latest_posts(
                session=s,
                team_id="T1",
                user_id="UME",
                since=NOW - timedelta(days=7),
                until=NOW,
                limit=10,
            )
        return [p.ts for p in found]

    assert feed() == [plain, tagged, both]
    with sessions.begin() as s:  # renamed: still followed, by id
        remember_channel(session=s, team_id="T1", channel_id="CDESIGN", name="ux", now=NOW)
    assert feed() == [plain, tagged, both]
    with sessions.begin() as s:
        close_channel(session=s, team_id="T1", channel_id="CDESIGN", reason=LEFT, now=NOW)
    assert feed() == [tagged]


def test_only_a_followed_channel_is_enough_for_a_feed(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        person(s, "UME")
        follow(
            session=s,
            team_id="T1",
            follower_id="UME",
            targets=[Target("channel", "C1")],
            now=NOW,
        )
        wanted = [post(s, "UA", set(), days_ago=(1 + i) / 24) for i in range(4)]
    with sessions.begin() as s:
        feed = latest_posts(
            session=s,
            team_id="T1",
            user_id="UME",
            since=NOW - timedelta(days=7),
            until=NOW,
            limit=3,
        )
    assert [p.ts for p in feed] == wanted[:3]
