"""Admin statistics: weekly activity and per-channel counts, on both databases."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from storage.digests import claim, finish
from storage.follows import Target, follow
from storage.people import Profile, upsert_profile
from storage.posts import NewPost, record_post
from storage.stats import WeekStats, channel_activity, week_bounds, weekly_stats

# A Saturday morning: the four weeks are the UTC days Nov 1–7, 8–14, 15–21 and 22–28.
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
WEEK_STARTS = [datetime(2026, 11, d, tzinfo=UTC) for d in (1, 8, 15, 22)]
seq = itertools.count(1)


def post(s: Session, user: str, at: datetime, *, channel: str = "C1", team: str = "T1") -> None:
    stamp = f"{at.timestamp():.0f}.{next(seq):06d}"
    record_post(session=s, post=NewPost(team, channel, stamp, user, "text"))


def person(s: Session, uid: str, title: str) -> None:
    upsert_profile(
        session=s, team_id="T1", profile=Profile(uid, name=uid.lower(), title=title), now=NOW
    )


def follows(s: Session, follower: str, *targets: str, at: datetime) -> None:
    wanted = [Target("tag", x[1:]) if x.startswith("#") else Target("person", x) for x in targets]
    follow(session=s, team_id="T1", follower_id=follower, targets=wanted, now=at)


def test_weeks_are_whole_utc_days_ending_with_today() -> None:
    assert week_bounds(NOW, 4) == [*WEEK_STARTS, datetime(2026, 11, 29, tzinfo=UTC)]
    late = datetime(2026, 11, 28, 23, 59, tzinfo=UTC)
    assert week_bounds(late, 1) == [WEEK_STARTS[3], datetime(2026, 11, 29, tzinfo=UTC)]


def test_an_empty_workspace_has_four_quiet_weeks(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        weeks = weekly_stats(session=s, team_id="T1", now=NOW)
    assert [w.start for w in weeks] == WEEK_STARTS
    assert weeks[-1].end == datetime(2026, 11, 29, tzinfo=UTC)
    assert all(
        (w.posts, w.active_posters, w.new_follows, w.digests_sent) == (0, 0, 0, 0) for w in weeks
    )
    assert all(w.cross_department_share is None for w in weeks)


def test_posts_and_active_posters_per_week(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        post(s, "U1", datetime(2026, 11, 23, 10, tzinfo=UTC))
        post(s, "U1", datetime(2026, 11, 28, 8, tzinfo=UTC))
        post(s, "U2", datetime(2026, 11, 27, 8, tzinfo=UTC), channel="C2")
        post(s, "U1", datetime(2026, 11, 2, 8, tzinfo=UTC))
        post(s, "U3", datetime(2026, 11, 8, tzinfo=UTC))  # the first instant of week 2
        post(s, "U3", datetime(2026, 10, 31, 23, 59, tzinfo=UTC))  # before the four weeks
        post(s, "U9", datetime(2026, 11, 27, 8, tzinfo=UTC), team="T2")  # another workspace
    with sessions.begin() as s:
        weeks = weekly_stats(session=s, team_id="T1", now=NOW)
    assert [(w.posts, w.active_posters) for w in weeks] == [(1, 1), (1, 1), (0, 0), (3, 2)]


def test_follows_and_the_share_that_crosses_departments(sessions: sessionmaker[Session]) -> None:
    this_week = datetime(2026, 11, 24, 12, tzinfo=UTC)
    with sessions.begin() as s:
        person(s, "UANN", "Designer, Design")
        person(s, "UBOB", "Backend engineer, Engineering")
        person(s, "UCAT", "Frontend engineer - engineering")
        person(s, "UNOTITLE", "")
        follows(s, "UANN", "UBOB", "UNOTITLE", "#design", at=this_week)  # crosses; unknown; tag
        follows(s, "UBOB", "UCAT", at=this_week)  # same department, however it is written
        follows(s, "UCAT", "UANN", at=this_week)  # crosses
        follows(s, "USTRANGER", "UANN", at=this_week)  # no profile: department unknown
        follows(s, "UBOB", "#release", at=datetime(2026, 11, 16, tzinfo=UTC))
        follows(s, "UCAT", "UBOB", at=datetime(2026, 10, 20, tzinfo=UTC))  # too long ago
    with sessions.begin() as s:
        weeks = weekly_stats(session=s, team_id="T1", now=NOW)
    assert [w.new_follows for w in weeks] == [0, 0, 1, 6]
    last = weeks[-1]
    assert (last.cross_department_follows, last.known_department_follows) == (2, 3)
    assert last.cross_department_share == pytest.approx(2 / 3)
    assert weeks[2].cross_department_share is None  # a tag follow has no departments


def test_only_sent_digests_count(sessions: sessionmaker[Session]) -> None:
    days = [
        ("UA", datetime(2026, 11, 3, 9, tzinfo=UTC), "sent"),
        ("UB", datetime(2026, 11, 25, 9, tzinfo=UTC), "sent"),
        ("UC", datetime(2026, 11, 25, 9, tzinfo=UTC), "sent"),
        ("UD", datetime(2026, 11, 25, 9, tzinfo=UTC), "empty"),
        ("UE", datetime(2026, 11, 25, 9, tzinfo=UTC), "failed"),
        ("UF", datetime(2026, 10, 25, 9, tzinfo=UTC), "sent"),
    ]
    with sessions.begin() as s:
        for user, when, status in days:
            (won,) = claim(
                session=s, wanted=[("T1", user, when.date(), when - timedelta(days=1))], now=when
            )
            finish(session=s, delivery_id=won.delivery_id, status=status, now=when)
    with sessions.begin() as s:
        weeks = weekly_stats(session=s, team_id="T1", now=NOW)
        other = weekly_stats(session=s, team_id="T2", now=NOW)
    assert [w.digests_sent for w in weeks] == [1, 0, 0, 2]
    assert [w.digests_sent for w in other] == [0, 0, 0, 0]


def test_a_single_week_and_no_weeks(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        post(s, "U1", datetime(2026, 11, 26, tzinfo=UTC))
        post(s, "U1", datetime(2026, 11, 20, tzinfo=UTC))
    with sessions.begin() as s:
        (week,) = weekly_stats(session=s, team_id="T1", now=NOW, weeks=1)
        assert weekly_stats(session=s, team_id="T1", now=NOW, weeks=0) == []
    assert (week.start, week.posts) == (WEEK_STARTS[3], 1)


def test_the_department_field_decides_which_follows_cross(sessions: sessionmaker[Session]) -> None:
    this_week = datetime(2026, 11, 24, 12, tzinfo=UTC)
    with sessions.begin() as s:
        for uid, title, department in (
            ("UANN", "Designer, Design", "Product"),
            ("UBOB", "Backend engineer, Engineering", "Product"),  # titles say: crosses
            ("UEVE", "Designer, Design", "Marketing"),  # titles say: the same
            ("UDAN", "Sales", ""),  # left empty: the title tells
        ):
            profile = Profile(uid, name=uid.lower(), title=title, department=department)
            upsert_profile(session=s, team_id="T1", profile=profile, now=NOW)
        follows(s, "UANN", "UBOB", "UEVE", "UDAN", at=this_week)
    with sessions.begin() as s:
        last = weekly_stats(session=s, team_id="T1", now=NOW)[-1]
    assert (last.cross_department_follows, last.known_department_follows) == (2, 3)


def test_cross_department_share_is_none_without_known_departments() -> None:
    week = WeekStats(WEEK_STARTS[0], WEEK_STARTS[1], known_department_follows=4)
    assert week.cross_department_share == 0.0
    assert WeekStats(WEEK_STARTS[0], WEEK_STARTS[1]).cross_department_share is None


def test_channel_activity_counts_posts_and_the_latest(sessions: sessionmaker[Session]) -> None:
    latest = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)
    with sessions.begin() as s:
        post(s, "U1", datetime(2026, 1, 5, tzinfo=UTC), channel="CGEN")
        post(s, "U2", latest, channel="CGEN")
        post(s, "U2", datetime(2026, 11, 1, tzinfo=UTC), channel="CDESIGN")
        post(s, "U9", datetime(2026, 11, 28, tzinfo=UTC), channel="CGEN", team="T2")
    with sessions.begin() as s:
        activity = channel_activity(
            session=s, team_id="T1", channel_ids=["CGEN", "CDESIGN", "CQUIET"]
        )
        assert channel_activity(session=s, team_id="T1", channel_ids=[]) == {}
    assert activity["CGEN"].posts == 2
    last_post = activity["CGEN"].last_post
    assert last_post is not None and abs(last_post - latest) < timedelta(seconds=1)
    assert activity["CDESIGN"].posts == 1
    assert (activity["CQUIET"].posts, activity["CQUIET"].last_post) == (0, None)
