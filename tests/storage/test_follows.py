"""Following and unfollowing people and tags."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from storage.follows import (
    MAX_FOLLOWS,
    Followed,
    Target,
    follow,
    follow_count,
    followers,
    following,
    unfollow,
)

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
ANN = Target("person", "U2")
RELEASE = Target("tag", "release")


def test_following_twice_reports_already_following(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        assert follow(
            session=s, team_id="T1", follower_id="U1", targets=[RELEASE, ANN], now=NOW
        ) == Followed(new=[ANN, RELEASE], already=[], over_limit=[])
    with sessions.begin() as s:
        assert follow(
            session=s, team_id="T1", follower_id="U1", targets=[RELEASE], now=NOW
        ) == Followed(new=[], already=[RELEASE], over_limit=[])
        assert following(session=s, team_id="T1", follower_id="U1") == [ANN, RELEASE]
        assert followers(session=s, team_id="T1", user_id="U2") == ["U1"]


def test_unfollowing_what_you_do_not_follow_is_reported(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        follow(session=s, team_id="T1", follower_id="U1", targets=[ANN], now=NOW)
    with sessions.begin() as s:
        assert unfollow(session=s, team_id="T1", follower_id="U1", targets=[ANN, RELEASE]) == (
            [ANN],
            [RELEASE],
        )
        assert following(session=s, team_id="T1", follower_id="U1") == []


def test_follows_are_per_team(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        follow(session=s, team_id="T1", follower_id="U1", targets=[ANN], now=NOW)
        assert following(session=s, team_id="T2", follower_id="U1") == []


def tags(*names: str) -> list[Target]:
    return [Target("tag", name) for name in names]


def test_follows_stop_at_the_limit_in_the_order_asked(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        follow(session=s, team_id="T1", follower_id="U1", targets=tags("a"), now=NOW, limit=3)
    with sessions.begin() as s:
        done = follow(
            session=s,
            team_id="T1",
            follower_id="U1",
            targets=tags("z", "a", "y", "b"),
            now=NOW,
            limit=3,
        )
        # "a" is already followed and takes no new place; "z" and "y" fill the two left.
        assert done == Followed(new=tags("y", "z"), already=tags("a"), over_limit=tags("b"))
        assert follow_count(session=s, team_id="T1", follower_id="U1") == 3


def test_unfollowing_makes_room_again(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        follow(session=s, team_id="T1", follower_id="U1", targets=tags("a", "b"), now=NOW, limit=2)
        assert follow(
            session=s, team_id="T1", follower_id="U1", targets=tags("c"), now=NOW, limit=2
        ).over_limit == tags("c")
        unfollow(session=s, team_id="T1", follower_id="U1", targets=tags("a"))
        assert follow(
            session=s, team_id="T1", follower_id="U1", targets=tags("c"), now=NOW, limit=2
        ).new == tags("c")


def test_the_default_limit_is_a_thousand_follows(sessions: sessionmaker[Session]) -> None:
    assert MAX_FOLLOWS == 1_000
    with sessions.begin() as s:
        many = [Target("tag", f"t{n:04d}") for n in range(MAX_FOLLOWS + 5)]
        done = follow(session=s, team_id="T1", follower_id="U1", targets=many, now=NOW)
        assert (len(done.new), len(done.over_limit)) == (MAX_FOLLOWS, 5)
        assert follow_count(session=s, team_id="T1", follower_id="U1") == MAX_FOLLOWS
        # Someone else's follows don't count towards U1's.
        assert (
            follow(session=s, team_id="T1", follower_id="U2", targets=many[:1], now=NOW).new
            == many[:1]
        )


def test_a_channel_is_followed_by_id_beside_its_tag(sessions: sessionmaker[Session]) -> None:
    design = [Target("channel", "C0DESIGN"), Target("tag", "design")]
    with sessions.begin() as s:
        done = follow(session=s, team_id="T1", follower_id="U1", targets=design, now=NOW)
        assert done == Followed(sorted(design), [], [])
        assert following(session=s, team_id="T1", follower_id="U1") == sorted(design)
        assert follow_count(session=s, team_id="T1", follower_id="U1") == 2
        gone, absent = unfollow(
            session=s,
            team_id="T1",
            follower_id="U1",
            targets=[Target("channel", "C0DESIGN"), Target("channel", "C0OTHER")],
        )
        assert (gone, absent) == ([Target("channel", "C0DESIGN")], [Target("channel", "C0OTHER")])
        assert following(session=s, team_id="T1", follower_id="U1") == [Target("tag", "design")]
