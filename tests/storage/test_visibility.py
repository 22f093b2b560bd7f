"""The one visibility rule (storage.visibility) and the readers that use it, on both databases.

Every post below is recorded while its author is an ordinary colleague in an open channel;
only afterwards does each author become what must hide them (opted out, forgotten, deactivated,
a bot), does a channel close without its posts being purged yet, or does a post grow older
than retention without maintenance having run: the readers must hide them all the same.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from digests.build import Request, build_digests
from storage.candidates import scored_posts
from storage.digests import claim, finish, new_followers
from storage.discovery import experts, follower_ids, profile, suggest, trending
from storage.feed import latest_posts
from storage.follows import Target, follow
from storage.models import ClosedChannel, Person, Post
from storage.people import Profile, upsert_profile
from storage.posts import NewPost, record_post
from storage.privacy import export
from storage.references import top_quoters
from storage.search import experts_by_words, search_posts
from storage.stats import channel_activity, weekly_stats
from storage.visibility import kept_since, visible_post, visible_posts
from storage.welcome import starter_people

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
T = "T1"
RETENTION_DAYS = 30
KEPT = kept_since(NOW, RETENTION_DAYS)
READER = "UREADER"
# Who wrote what, and what then happens to make it invisible.
SHOWN = "USHOWN"
HIDING = {
    "opted_out": "UOPTED",
    "forgotten": "UFORGOT",
    "deactivated": "UGONE",
    "bot": "UBOT",
}
CLOSED = "CCLOSED"
OLD = "UOLD"  # an ordinary colleague whose only post is older than retention
SCORING_ARGS = {"reply_weight": 2.0, "reference_weight": 2.0, "floor": 0.1, "half_life_hours": 24.0}
seq = iter(range(1, 1_000_000))


def stamp(days_ago: float) -> str:
    return f"{(NOW - timedelta(days=days_ago)).timestamp():.0f}.{next(seq):06d}"


def write(
    s: Session, user: str, *, channel: str = "C1", days_ago: float = 1, text: str = ""
) -> str:
    ts = stamp(days_ago)
    body = text or "kubernetes rollout <@UREADER> #infra"
    record_post(
        session=s,
        post=NewPost(
            T, channel, ts, user, body, tags=frozenset({"infra"}), mentions=frozenset({READER})
        ),
    )
    return ts


def hide(s: Session, user: str, how: str) -> None:
    values = {
        "opted_out": {"opted_out": True},
        "forgotten": {"opted_out": True, "forgotten": True},
        "deactivated": {"deleted": True},
        "bot": {"is_bot": True},
    }[how]
    s.execute(update(Person).where(Person.team_id == T, Person.user_id == user).values(**values))


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> dict[str, str]:
    """Who wrote which post (by ts); the reader follows everyone and #infra, and everyone
    follows the reader."""
    posts: dict[str, str] = {}
    with sessions.begin() as s:
        everyone = [READER, SHOWN, OLD, "UCLOSER", *HIDING.values()]
        for uid in everyone:
            upsert_profile(
                session=s,
                team_id=T,
                profile=Profile(uid, name=uid.lower(), title=f"Engineer, {uid}"),
                now=NOW,
            )
        for day in (1, 2):
            posts[write(s, SHOWN, days_ago=day)] = SHOWN
            for uid in HIDING.values():
                posts[write(s, uid, days_ago=day)] = uid
            posts[write(s, "UCLOSER", channel=CLOSED, days_ago=day)] = CLOSED
        posts[write(s, OLD, days_ago=RETENTION_DAYS + 5)] = OLD
        follow(
            session=s,
            team_id=T,
            follower_id=READER,
            targets=[Target("person", uid) for uid in everyone if uid != READER]
            + [Target("tag", "infra")],
            now=NOW - timedelta(days=3),
        )
        for uid in everyone:
            if uid != READER:
                follow(
                    session=s,
                    team_id=T,
                    follower_id=uid,
                    targets=[Target("person", READER)],
                    now=NOW - timedelta(days=3),
                )
        for how, uid in HIDING.items():
            hide(s, uid, how)
        # Closed, but the purge of its posts has not happened (yet).
        s.add(ClosedChannel(team_id=T, channel_id=CLOSED, reason="left", closed_at=NOW))
    return posts


VISIBLE_AUTHORS = {SHOWN}
INVISIBLE = {*HIDING.values(), CLOSED, OLD, "UCLOSER"}


def authors_of(world: dict[str, str], tss: list[str]) -> set[str]:
    return {world[ts] for ts in tss}


def with_closed_list(team_id: str, post: object, since: object) -> object:
    """visible_post checking channels against the list of closed ones read beforehand."""
    return visible_post(team_id, post, since, [CLOSED])  # type: ignore[arg-type]


@pytest.mark.parametrize("shape", [visible_post, visible_posts, with_closed_list])
def test_each_condition_of_the_rule_hides_a_post(
    sessions: sessionmaker[Session], world: dict[str, str], shape: object
) -> None:
    with sessions.begin() as s:
        rows = s.execute(
            select(Post.ts, Post.user_id, Post.channel_id).where(
                Post.team_id == T,
                shape(T, Post, KEPT),  # type: ignore[operator]
            )
        ).all()
        everything = s.execute(select(Post.ts).where(Post.team_id == T)).scalars().all()
    assert {world[ts] for ts, _, _ in rows} == {SHOWN}
    assert len(rows) == 2
    # Everything else is still stored: it is the readers who must leave it out.
    assert len(everything) == len(world)


def test_without_retention_only_old_posts_come_back(
    sessions: sessionmaker[Session], world: dict[str, str]
) -> None:
    with sessions.begin() as s:
        tss = s.scalars(select(Post.ts).where(Post.team_id == T, visible_post(T, Post))).all()
    assert authors_of(world, list(tss)) == {SHOWN, OLD}


def test_kept_since_counts_back_from_now() -> None:
    assert kept_since(NOW, 30) == NOW - timedelta(days=30)
    assert kept_since(NOW, None) is None


def test_home_feed_shows_only_visible_posts(
    sessions: sessionmaker[Session], world: dict[str, str]
) -> None:
    with sessions.begin() as s:
        feed = latest_posts(
            session=s,
            team_id=T,
            user_id=READER,
            since=NOW - timedelta(days=60),
            until=NOW,
            limit=50,
            kept_since=KEPT,
        )
    assert {p.author_id for p in feed} == {SHOWN}


def test_digest_candidates_and_digests_show_only_visible_posts(
    sessions: sessionmaker[Session], world: dict[str, str]
) -> None:
    from storage.candidates import Scoring

    with sessions.begin() as s:
        by_author, by_tag = scored_posts(
            session=s,
            team_id=T,
            authors=[SHOWN, OLD, "UCLOSER", *HIDING.values()],
            tags=["infra"],
            since=NOW - timedelta(days=3),
            until=NOW,
            now=NOW,
            scoring=Scoring(**SCORING_ARGS),
        )
        digest = build_digests(
            session=s,
            team_id=T,
            requests=[Request(READER, NOW - timedelta(days=60), NOW)],
            now=NOW,
            kept_since=KEPT,
        )[READER]
        followers = new_followers(
            session=s, team_id=T, user_ids=[READER], since=NOW - timedelta(days=7)
        )
    assert {row[0] for row in by_author} == {SHOWN}
    assert {row[2] for row in by_tag} == {SHOWN}
    assert {item.author_id for item in digest.items} == {SHOWN}
    assert set(followers[READER]) == {SHOWN, OLD, "UCLOSER"}


def test_who_search_and_trending_count_only_visible_posts(
    sessions: sessionmaker[Session], world: dict[str, str]
) -> None:
    with sessions.begin() as s:
        by_tag = experts(session=s, team_id=T, tag="infra", now=NOW, kept_since=KEPT)
        by_words = experts_by_words(
            session=s, team_id=T, query="kubernetes", now=NOW, kept_since=KEPT
        )
        hits = search_posts(
            session=s, team_id=T, query="kubernetes rollout", now=NOW, limit=50, kept_since=KEPT
        )
        trends = trending(session=s, team_id=T, now=NOW, days=3, kept_since=KEPT)
    assert [e.user_id for e in by_tag] == [SHOWN]
    assert [e.user_id for e in by_words] == [SHOWN]
    assert {h.user_id for h in hits} == {SHOWN}
    assert [(t.tag, t.current) for t in trends] == [("infra", 2)]


def test_profiles_show_only_visible_posts_and_shown_people(
    sessions: sessionmaker[Session], world: dict[str, str]
) -> None:
    with sessions.begin() as s:
        reader = profile(session=s, team_id=T, user_id=READER, viewer_id=SHOWN, kept_since=KEPT)
        opted = profile(
            session=s, team_id=T, user_id=HIDING["opted_out"], viewer_id=READER, kept_since=KEPT
        )
        old = profile(session=s, team_id=T, user_id=OLD, viewer_id=READER, kept_since=KEPT)
        quoters = top_quoters(session=s, team_id=T, user_id=HIDING["opted_out"])
    # Followed by everyone, but only the shown count; follows (everyone) likewise.
    assert reader.followers == 3  # SHOWN, OLD, UCLOSER
    assert reader.following == 4  # SHOWN, OLD, UCLOSER and #infra
    assert opted.recent == [] and opted.top_tags == []
    assert old.recent == [] and old.top_tags == []
    assert quoters == []


def test_followers_suggestions_starters_and_stats_leave_hidden_people_out(
    sessions: sessionmaker[Session], world: dict[str, str]
) -> None:
    with sessions.begin() as s:
        followers = follower_ids(session=s, team_id=T, user_id=READER)
        # Someone new who follows #infra: suggestions come from its posts.
        upsert_profile(session=s, team_id=T, profile=Profile("UNEW", name="new"), now=NOW)
        follow(session=s, team_id=T, follower_id="UNEW", targets=[Target("tag", "infra")], now=NOW)
        suggested = suggest(session=s, team_id=T, user_id="UNEW", now=NOW, kept_since=KEPT)
        starters = starter_people(
            session=s, team_id=T, user_id="UNEW", department="", now=NOW, kept_since=KEPT
        )
        day = NOW.date()
        for c in claim(
            session=s, wanted=[(T, SHOWN, day, NOW), (T, HIDING["opted_out"], day, NOW)], now=NOW
        ):
            finish(session=s, delivery_id=c.delivery_id, status="sent", now=NOW)
        weeks = weekly_stats(session=s, team_id=T, now=NOW, weeks=1, kept_since=KEPT)
        activity = channel_activity(
            session=s, team_id=T, channel_ids=["C1", CLOSED], kept_since=KEPT
        )
    assert set(followers) == {SHOWN, OLD, "UCLOSER"}
    assert [x.user_id for x in suggested] == [SHOWN]
    assert {x.user_id for x in starters} <= {READER, SHOWN, OLD, "UCLOSER"}
    assert READER in {x.user_id for x in starters}
    assert weeks[0].posts == 2 and weeks[0].active_posters == 1
    # Follows between shown people only: READER → SHOWN, OLD, UCLOSER, #infra; the three back;
    # UNEW → #infra.
    assert weeks[0].new_follows == 8
    assert weeks[0].digests_sent == 1
    assert activity["C1"].posts == 2 and activity[CLOSED].posts == 0


def test_following_a_hidden_person_is_refused(
    sessions: sessionmaker[Session], world: dict[str, str]
) -> None:
    with sessions.begin() as s:
        done = follow(
            session=s,
            team_id=T,
            follower_id=SHOWN,
            targets=[
                Target("person", HIDING["opted_out"]),
                Target("person", HIDING["forgotten"]),
                Target("person", OLD),
            ],
            now=NOW,
        )
    assert done.new == [Target("person", OLD)]
    assert done.refused == [
        Target("person", HIDING["forgotten"]),
        Target("person", HIDING["opted_out"]),
    ]


def test_export_names_only_visible_posts_of_others_and_shown_followers(
    sessions: sessionmaker[Session], world: dict[str, str]
) -> None:
    with sessions.begin() as s:
        data = export(session=s, team_id=T, user_id=READER)
    assert {m["author_id"] for m in data["mentioned_in"]} == {SHOWN, OLD}
    assert all("text" not in m for m in data["mentioned_in"])
    assert {f["user_id"] for f in data["followers"]} == {SHOWN, OLD, "UCLOSER"}
