"""Following and unfollowing people and tags."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from storage.follows import Target, follow, followers, following, unfollow

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
ANN = Target("person", "U2")
RELEASE = Target("tag", "release")


def test_following_twice_reports_already_following(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        assert follow(
            session=s, team_id="T1", follower_id="U1", targets=[ANN, RELEASE], now=NOW
        ) == (
            [ANN, RELEASE],
            [],
        )
    with sessions.begin() as s:
        assert follow(session=s, team_id="T1", follower_id="U1", targets=[RELEASE], now=NOW) == (
            [],
            [RELEASE],
        )
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
