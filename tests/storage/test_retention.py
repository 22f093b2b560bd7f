"""Retention removes old posts and everything that hangs on them, and nothing newer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.digests import remember_permalinks
from storage.events import claim_event
from storage.models import Mention, Permalink, Post, PostTag, ProcessedEvent, Reaction, TagDay
from storage.posts import NewPost, record_post, set_reaction
from storage.retention import purge

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


def add(s: Session, days_ago: int, seq: int) -> None:
    ts = f"{(NOW - timedelta(days=days_ago)).timestamp():.0f}.{seq:06d}"
    record_post(
        session=s,
        post=NewPost("T1", "C1", ts, "U1", "x", tags=frozenset({"a"}), mentions=frozenset({"U2"})),
    )
    set_reaction(
        session=s, team_id="T1", channel_id="C1", ts=ts, user_id="U3", name="+1", present=True
    )


def test_old_posts_go_with_their_tags_mentions_and_reactions(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        add(s, 400, 1)
        add(s, 10, 2)
        claim_event(session=s, team_id="T1", event_id="Ev-old", now=NOW - timedelta(days=3))
        claim_event(session=s, team_id="T1", event_id="Ev-new", now=NOW - timedelta(hours=1))
    with sessions.begin() as s:
        result = purge(session=s, before=NOW - timedelta(days=365), now=NOW)
    assert (result.posts, result.events) == (1, 1)
    with sessions.begin() as s:
        counts = [
            s.scalar(select(func.count()).select_from(m))
            for m in (Post, PostTag, Mention, Reaction)
        ]
        assert counts == [1, 1, 1, 1]
        assert s.scalars(select(ProcessedEvent.event_id)).all() == ["Ev-new"]


def test_purged_posts_take_their_cached_permalinks_and_empty_tag_days_along(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        add(s, 400, 1)
        add(s, 10, 2)
        stamps = sorted(s.scalars(select(Post.ts)))
        remember_permalinks(
            session=s,
            team_id="T1",
            # The third belongs to no stored post any more (deleted before it was cleaned up).
            links={("C1", ts): f"https://x/{ts}" for ts in [*stamps, "1600000000.000100"]},
        )
    with sessions.begin() as s:
        result = purge(session=s, before=NOW - timedelta(days=365), now=NOW)
    assert (result.posts, result.permalinks) == (1, 2)
    with sessions.begin() as s:
        assert s.scalars(select(Permalink.ts)).all() == [stamps[1]]
        # One tag on one day is left, counted exactly once.
        assert [(d.tag, d.posts) for d in s.scalars(select(TagDay))] == [("a", 1)]
