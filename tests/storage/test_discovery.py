"""Experts, trending tags, profiles and suggestions, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from storage import discovery
from storage.discovery import department_of, experts, follower_ids, profile, suggest, trending
from storage.follows import Target, follow
from storage.people import Profile, upsert_profile
from storage.posts import NewPost, record_post, set_reaction

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
seq = iter(range(1, 1_000_000))


def post(s: Session, user: str, tags: set[str], *, days_ago: float = 1, reactions: int = 0) -> str:
    stamp = f"{(NOW - timedelta(days=days_ago)).timestamp():.0f}.{next(seq):06d}"
    record_post(
        session=s,
        post=NewPost("T1", "C1", stamp, user, "text", tags=frozenset(tags)),
    )
    for i in range(reactions):
        set_reaction(
            session=s,
            team_id="T1",
            channel_id="C1",
            ts=stamp,
            user_id=f"UR{i}",
            name="+1",
            present=True,
        )
    return stamp


def person(
    s: Session, uid: str, title: str = "", *, deleted: bool = False, bot: bool = False
) -> None:
    upsert_profile(
        session=s,
        team_id="T1",
        profile=Profile(uid, name=uid.lower(), title=title, deleted=deleted, is_bot=bot),
        now=NOW,
    )


def test_experts_weigh_engagement_and_recency(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        for uid in ("UOLD", "UNEW", "UPOP", "UGONE"):
            person(s, uid, deleted=uid == "UGONE")
        for _ in range(3):
            post(s, "UOLD", {"design"}, days_ago=400)  # many, but long ago
        post(s, "UNEW", {"design"}, days_ago=2)
        post(s, "UPOP", {"design"}, days_ago=2, reactions=5)
        post(s, "UGONE", {"design"}, days_ago=1, reactions=9)
        post(s, "UNEW", {"other"}, days_ago=1, reactions=50)
    with sessions.begin() as s:
        ranked = experts(session=s, team_id="T1", tag="design", now=NOW)
    assert [e.user_id for e in ranked] == ["UPOP", "UNEW", "UOLD"]
    assert ranked[0].reactions == 5


def test_trending_prefers_growth_over_size(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        for _ in range(20):
            post(s, "U1", {"big"}, days_ago=2)
            post(s, "U1", {"big"}, days_ago=9)
        for _ in range(6):
            post(s, "U1", {"rising"}, days_ago=2)
        post(s, "U1", {"falling"}, days_ago=2)
        for _ in range(5):
            post(s, "U1", {"falling"}, days_ago=10)
    with sessions.begin() as s:
        trends = trending(session=s, team_id="T1", now=NOW, days=7)
    assert [t.tag for t in trends] == ["rising"]
    assert (trends[0].current, trends[0].previous) == (6, 0)


def test_suggestions_cross_departments_and_skip_the_excluded(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        person(s, "UME", "Designer, Design")
        person(s, "UFRIEND", "Designer, Design")
        person(s, "USALES", "Account manager, Sales")
        person(s, "UDESIGN", "Illustrator, Design")
        person(s, "UBOT", bot=True)
        person(s, "UGONE", deleted=True)
        person(s, "UMUTED", "Engineer, Engineering")
        follow(
            session=s,
            team_id="T1",
            follower_id="UME",
            targets=[Target("tag", "release"), Target("person", "UFRIEND")],
            now=NOW,
        )
        for uid in ("USALES", "UDESIGN", "UBOT", "UGONE", "UMUTED"):
            post(s, uid, {"release"}, days_ago=3)
        post(s, "UFRIEND", {"release"}, days_ago=3)
    with sessions.begin() as s:
        found = suggest(session=s, team_id="T1", user_id="UME", now=NOW, muted_people={"UMUTED"})
    assert [x.user_id for x in found] == ["USALES", "UDESIGN"]
    assert found[0].other_department and found[0].tag == "release"


def test_followed_by_people_you_follow_counts(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        for uid in ("UME", "UA", "UB", "UTARGET"):
            person(s, uid)
        follow(
            session=s,
            team_id="T1",
            follower_id="UME",
            targets=[Target("person", "UA"), Target("person", "UB")],
            now=NOW,
        )
        for uid in ("UA", "UB"):
            follow(
                session=s,
                team_id="T1",
                follower_id=uid,
                targets=[Target("person", "UTARGET")],
                now=NOW,
            )
    with sessions.begin() as s:
        [found] = suggest(session=s, team_id="T1", user_id="UME", now=NOW)
    assert (found.user_id, found.followed_by) == ("UTARGET", 2)


def test_profile_shows_tags_counts_posts_and_mutual_follows(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        for uid in ("UME", "UANN", "UBOB"):
            person(s, uid)
        post(s, "UANN", {"design", "ux"}, days_ago=2)
        post(s, "UANN", {"design"}, days_ago=1)
        follow(
            session=s, team_id="T1", follower_id="UANN", targets=[Target("person", "UBOB")], now=NOW
        )
        follow(
            session=s,
            team_id="T1",
            follower_id="UME",
            targets=[Target("person", "UBOB"), Target("person", "UANN")],
            now=NOW,
        )
    with sessions.begin() as s:
        seen = profile(session=s, team_id="T1", user_id="UANN", viewer_id="UME")
        assert seen.top_tags == [("design", 2), ("ux", 1)]
        assert (seen.followers, seen.following) == (1, 1)
        assert len(seen.recent) == 2 and seen.recent[0].posted_at > seen.recent[1].posted_at
        assert seen.mutual == ["UBOB"]
        assert sorted(follower_ids(session=s, team_id="T1", user_id="UBOB")) == ["UANN", "UME"]


def test_department_comes_from_the_title() -> None:
    assert department_of("Backend engineer, Engineering") == "engineering"
    assert department_of("Sales") == "sales"
    assert department_of("") == ""


def test_muted_people_are_never_suggested(sessions: sessionmaker[Session]) -> None:
    from storage.mutes import mute

    with sessions.begin() as s:
        person(s, "UME")
        person(s, "UX")
        follow(
            session=s, team_id="T1", follower_id="UME", targets=[Target("tag", "release")], now=NOW
        )
        post(s, "UX", {"release"}, days_ago=1)
    with sessions.begin() as s:
        assert [x.user_id for x in suggest(session=s, team_id="T1", user_id="UME", now=NOW)] == [
            "UX"
        ]
        mute(session=s, team_id="T1", user_id="UME", targets=[Target("person", "UX")], now=NOW)
    with sessions.begin() as s:
        assert suggest(session=s, team_id="T1", user_id="UME", now=NOW) == []


def _counted(s: Session, since: datetime, until: datetime) -> dict[str, int]:
    """What tag_counts must say: every post_tags row in the window, counted directly."""
    from sqlalchemy import func, select

    from storage.models import PostTag

    rows = s.execute(
        select(PostTag.tag, func.count())
        .where(PostTag.team_id == "T1", PostTag.posted_at >= since, PostTag.posted_at < until)
        .group_by(PostTag.tag)
    )
    return {tag: int(n) for tag, n in rows}


def test_tag_counts_follow_every_write_and_window_edge(sessions: sessionmaker[Session]) -> None:
    from storage.discovery import tag_counts
    from storage.posts import delete_post, edit_post
    from storage.retention import purge

    with sessions.begin() as s:
        stamps = [
            post(s, f"U{i % 3}", {"design", "ops"} if i % 4 == 0 else {"design"}, days_ago=i / 3)
            for i in range(1, 40)
        ]
    with sessions.begin() as s:
        delete_post(session=s, team_id="T1", channel_id="C1", ts=stamps[3], now=NOW)
        edit_post(
            session=s, post=NewPost("T1", "C1", stamps[5], "U2", "now #qa", tags=frozenset({"qa"}))
        )
        purge(session=s, before=NOW - timedelta(days=11), now=NOW)
    with sessions.begin() as s:
        windows = [
            (NOW - timedelta(days=7), NOW),
            (NOW - timedelta(days=14), NOW - timedelta(days=7)),
            (NOW - timedelta(hours=5), NOW),  # within one day
            (datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 27, tzinfo=UTC)),  # midnights
            (NOW - timedelta(days=30), NOW + timedelta(days=1)),
        ]
        for since, until in windows:
            expected = _counted(s, since, until)
            assert tag_counts(session=s, team_id="T1", since=since, until=until) == expected
        assert tag_counts(session=s, team_id="T1", since=NOW, until=NOW) == {}


def test_feed_is_the_newest_of_every_source(sessions: sessionmaker[Session]) -> None:
    from storage.feed import latest_posts
    from storage.mutes import mute

    with sessions.begin() as s:
        for uid in ("UME", "UA", "UB", "UGONE"):
            person(s, uid, deleted=uid == "UGONE")
        follow(
            session=s,
            team_id="T1",
            follower_id="UME",
            targets=[Target("person", "UA"), Target("tag", "x"), Target("tag", "y")],
            now=NOW,
        )
        mute(session=s, team_id="T1", user_id="UME", targets=[Target("tag", "m")], now=NOW)
        wanted = []
        for i in range(12):
            hours = 1 + i
            stamp = post(s, ["UA", "UB", "UB", "UGONE"][i % 4], {"x", "y"}, days_ago=hours / 24)
            if i % 4 != 3:
                wanted.append(stamp)
        post(s, "UB", {"x", "m"}, days_ago=0.01)  # muted tag
        post(s, "UME", {"x"}, days_ago=0.01)  # their own
        post(s, "UB", {"x"}, days_ago=8)  # too old
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


def test_suggestions_weigh_the_department_field_over_titles(
    sessions: sessionmaker[Session],
) -> None:
    def colleague(s: Session, uid: str, title: str, department: str) -> None:
        profile = Profile(uid, name=uid.lower(), title=title, department=department)
        upsert_profile(session=s, team_id="T1", profile=profile, now=NOW)

    with sessions.begin() as s:
        colleague(s, "UME", "Designer, Design", "Product")
        colleague(s, "UTWIN", "Designer, Design", "Marketing")  # same title, other department
        colleague(s, "UPEER", "Engineer, Engineering", "product")  # other title, same one
        follow(session=s, team_id="T1", follower_id="UME", targets=[Target("tag", "ux")], now=NOW)
        for uid in ("UPEER", "UTWIN"):
            post(s, uid, {"ux"}, days_ago=2)
    with sessions.begin() as s:
        found = suggest(session=s, team_id="T1", user_id="UME", now=NOW)
    assert [(x.user_id, x.other_department) for x in found] == [("UTWIN", True), ("UPEER", False)]
    assert found[0].score == 1.5 * found[1].score


def write(s: Session, user: str, text: str, *, days_ago: float = 1, team: str = "T1") -> None:
    stamp = f"{(NOW - timedelta(days=days_ago)).timestamp():.0f}.{next(seq):06d}"
    record_post(session=s, post=NewPost(team, "C1", stamp, user, text))


def test_people_who_write_about_the_same_things_are_suggested_with_the_shared_terms(
    sessions: sessionmaker[Session],
) -> None:
    from storage.privacy import set_opted_out

    with sessions.begin() as s:
        person(s, "UME", "Engineer, Platform")
        person(s, "USAME", "Engineer, Platform")
        person(s, "UOPS", "Operator, Operations")
        person(s, "UONCE", "Engineer, Finance")
        person(s, "UOUT", "Engineer, Finance")
        person(s, "ULUNCH", "Chef, Facilities")
        # Nobody typed a hashtag or follows anyone.
        for n in range(3):
            write(s, "UME", f"Kubernetes migrations, step {n}", days_ago=1 + n)
        write(s, "USAME", "The kubernetes upgrade is done", days_ago=2)
        write(s, "USAME", "kubernetes nodes are back", days_ago=3)
        write(s, "UOPS", "Kubernetes migration went fine", days_ago=2)
        write(s, "UOPS", "Two migrations left on the kubernetes cluster", days_ago=4)
        write(s, "UONCE", "What is kubernetes?", days_ago=1)
        for n in range(3):
            write(s, "UOUT", f"kubernetes migrations note {n}", days_ago=1)
            write(s, "ULUNCH", f"Lunch is ready {n}", days_ago=1)
        # Long ago, or in another workspace: not counted.
        write(s, "UONCE", "kubernetes again", days_ago=200)
        write(s, "UONCE", "kubernetes migrations", team="T2")
        set_opted_out(session=s, team_id="T1", user_id="UOUT", opted_out=True, now=NOW)
    with sessions.begin() as s:
        found = suggest(session=s, team_id="T1", user_id="UME", now=NOW)
    assert [x.user_id for x in found] == ["UOPS", "USAME"]
    ops, same = found
    # Both terms shared, and from another department: weighted up.
    assert ops.terms == ("kubernetes", "migrations") and ops.other_department
    assert same.terms == ("kubernetes",) and not same.other_department
    assert ops.score > same.score
    assert (ops.tag, ops.followed_by) == (None, 0)


def test_shared_terms_add_to_tags_and_follows(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        for uid in ("UME", "UTAG", "UBOTH"):
            person(s, uid)
        follow(
            session=s, team_id="T1", follower_id="UME", targets=[Target("tag", "release")], now=NOW
        )
        for n in range(2):
            write(s, "UME", f"terraform modules {n}", days_ago=1 + n)
            post(s, "UTAG", {"release"}, days_ago=1)
            post(s, "UBOTH", {"release"}, days_ago=1)
            write(s, "UBOTH", f"terraform plan {n}", days_ago=2)
    with sessions.begin() as s:
        found = suggest(session=s, team_id="T1", user_id="UME", now=NOW)
    assert [(x.user_id, x.tag, x.terms) for x in found] == [
        ("UBOTH", "release", ("terraform",)),
        ("UTAG", "release", ()),
    ]


def test_terms_common_in_the_workspace_are_no_shared_interest(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if "standup" were in more posts than a rare term can be.
    monkeypatch.setattr(discovery, "TERM_COUNT_LIMIT", 5)
    with sessions.begin() as s:
        for uid in ("UME", "UA", "UB"):
            person(s, uid)
        for n in range(2):
            write(s, "UME", f"standup notes and grafana dashboards {n}", days_ago=1 + n)
            write(s, "UA", f"standup {n}", days_ago=1 + n)
            write(s, "UB", f"grafana alerts {n}", days_ago=1 + n)
        write(s, "UA", "standup moved", days_ago=3)
    with sessions.begin() as s:
        found = suggest(session=s, team_id="T1", user_id="UME", now=NOW)
    assert [(x.user_id, x.terms) for x in found] == [("UB", ("grafana",))]
