"""The SQL behind digest candidates: the posts of followed people and tags, each with its
reader-independent score part computed by the database.

:mod:`digests.select` groups readers and puts each reader's candidates together from these
shared lists; the formula's parameters come from :mod:`digests.rank` as a :class:`Scoring`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, Select, and_, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import Join

from storage.db import chunked
from storage.models import Follow, Post, PostTag, UTCDateTime
from storage.visibility import visible_posts

# Ages are clamped so that exp() stays far from underflow (PostgreSQL raises on underflow).
MAX_AGE_HOURS = 24.0 * 366


@dataclass(frozen=True)
class Scoring:
    """The parameters of a post's reader-independent score part (see
    :func:`digests.rank.post_part`, the same formula in Python)."""

    reply_weight: float  # a reply, or one more person reacting, against one reaction
    reference_weight: float  # one more person sharing the post, against one reaction
    floor: float  # what an old post keeps of a new one's weight
    half_life_hours: float  # recency halves every this many hours


class FollowsFirst(Join):
    """An inner join whose left side stays the outer loop on SQLite (a tag's posts, then each
    post by id; in the benchmark's bare query, readers' follows first).

    Without statistics SQLite takes ``team_id = ?`` for selective and may rather walk every
    post of the window, probing the other side for each. Its documented way to fix the order
    is ``CROSS JOIN`` (the left table stays the outer loop), which on SQLite means nothing
    else. PostgreSQL, whose planner has statistics and would reject ``CROSS JOIN … ON``, gets
    an ordinary ``JOIN``.
    """

    inherit_cache = True


@compiles(FollowsFirst, "sqlite")
def _sqlite_follows_first(join: FollowsFirst, compiler: SQLCompiler, **kw: Any) -> str:
    linter = kw.get("from_linter")
    if linter is not None:
        linter.edges.update(itertools.product(join.left._from_objects, join.right._from_objects))
    kw["asfrom"] = True
    left = join.left._compiler_dispatch(compiler, **kw)
    right = join.right._compiler_dispatch(compiler, **kw)
    del kw["asfrom"]
    assert join.onclause is not None
    return f"{left} CROSS JOIN {right} ON {join.onclause._compiler_dispatch(compiler, **kw)}"


class age_hours(FunctionElement[float]):  # noqa: N801 (a SQL function, named like one)
    """Hours from a timestamp column to a moment, at least 0 and at most MAX_AGE_HOURS."""

    type = Float()
    inherit_cache = True
    name = "age_hours"


@compiles(age_hours, "sqlite")
def _sqlite_age_hours(element: age_hours, compiler: SQLCompiler, **kw: Any) -> str:
    moment, stamp = (compiler.process(c, **kw) for c in element.clauses)
    hours = f"(julianday({moment}) - julianday({stamp})) * 24.0"
    return f"min(max({hours}, 0.0), {MAX_AGE_HOURS})"


@compiles(age_hours, "postgresql")
def _pg_age_hours(element: age_hours, compiler: SQLCompiler, **kw: Any) -> str:
    moment, stamp = (compiler.process(c, **kw) for c in element.clauses)
    hours = f"extract(epoch from ({moment} - {stamp})) / 3600.0"
    return f"least(greatest(({hours})::float8, 0.0), {MAX_AGE_HOURS})"


def score_part(now: datetime, scoring: Scoring) -> ColumnElement[float]:
    """:func:`digests.rank.post_part` as SQL over ``posts``: the same formula, the same floats
    up to rounding in the last bits."""
    engagement = func.ln(
        1.0
        + Post.reaction_count
        + scoring.reply_weight * Post.reply_count
        + scoring.reply_weight * Post.reactor_count
        + scoring.reference_weight * Post.reference_count
    )
    decay = -math.log(2) / scoring.half_life_hours
    recency = func.exp(decay * age_hours(literal(now, UTCDateTime()), Post.posted_at))
    return ((1.0 + engagement) * (scoring.floor + recency)).label("part")


def _shown(team_id: str) -> ColumnElement[bool]:
    """Posts a digest may show: top-level (thread replies count on their parent, unless also
    sent to the channel) and visible (:func:`storage.visibility.visible_posts`: small NOT IN
    lists of hidden people and closed channels, evaluated once). Retention is the window's:
    :func:`digests.build.build_digests` starts no window before it."""
    return and_(
        or_(Post.thread_ts.is_(None), Post.thread_ts == Post.ts, Post.is_broadcast),
        visible_posts(team_id, Post),
    )


def posts_by_authors(
    team_id: str,
    authors: Sequence[str],
    since: datetime,
    until: datetime,
    now: datetime,
    scoring: Scoring,
) -> Select[str, int, float]:
    """Columns: author, post id, score part — the authors' posts shown in digests."""
    return select(Post.user_id, Post.id, score_part(now, scoring)).where(
        Post.team_id == team_id,
        Post.user_id.in_(authors),
        Post.posted_at >= since,
        Post.posted_at < until,
        _shown(team_id),
    )


def posts_by_tags(
    team_id: str,
    tags: Sequence[str],
    since: datetime,
    until: datetime,
    now: datetime,
    scoring: Scoring,
) -> Select[str, int, str, float]:
    """Columns: tag, post id, author, score part — posts carrying the tags, shown in digests."""
    return (
        select(PostTag.tag, Post.id, Post.user_id, score_part(now, scoring))
        .select_from(FollowsFirst(PostTag, Post, Post.id == PostTag.post_id))
        .where(
            PostTag.team_id == team_id,
            PostTag.tag.in_(tags),
            PostTag.posted_at >= since,
            PostTag.posted_at < until,
            _shown(team_id),
        )
    )


def posts_in_channels(
    team_id: str,
    channels: Sequence[str],
    since: datetime,
    until: datetime,
    now: datetime,
    scoring: Scoring,
) -> Select[str, int, str, float]:
    """Columns: channel id, post id, author, score part — the channels' posts shown in digests
    (an index range of ``ix_posts_channel_time`` per channel; closed channels give none, by
    the visibility rule in ``_shown``)."""
    return select(Post.channel_id, Post.id, Post.user_id, score_part(now, scoring)).where(
        Post.team_id == team_id,
        Post.channel_id.in_(channels),
        Post.posted_at >= since,
        Post.posted_at < until,
        _shown(team_id),
    )


def scored_channel_posts(
    *,
    session: Session,
    team_id: str,
    channels: Sequence[str],
    since: datetime,
    until: datetime,
    now: datetime,
    scoring: Scoring,
) -> list[Any]:
    """The posts in [since, until) that digests may show from ``channels``, as (channel id,
    post id, author, score part) rows: what :func:`scored_posts` gives for tags."""
    conn = session.connection()
    rows: list[Any] = []
    for chunk in chunked(channels):
        rows += conn.execute(posts_in_channels(team_id, chunk, since, until, now, scoring)).all()
    return rows


def readers_follows(
    *, session: Session, team_id: str, readers: Sequence[str]
) -> list[tuple[str, str, str]]:
    """Whom and what the readers follow, as (reader, kind, target) rows."""
    rows = session.execute(
        select(Follow.follower_id, Follow.kind, Follow.target).where(
            Follow.team_id == team_id, Follow.follower_id.in_(readers)
        )
    )
    return [(reader, kind, target) for reader, kind, target in rows]


def scored_posts(
    *,
    session: Session,
    team_id: str,
    authors: Sequence[str],
    tags: Sequence[str],
    since: datetime,
    until: datetime,
    now: datetime,
    scoring: Scoring,
) -> tuple[list[Any], list[Any]]:
    """The posts in [since, until) that digests may show, by ``authors`` and carrying ``tags``.

    Returns (author, post id, score part) rows and (tag, post id, author, score part) rows; a
    post carrying several of the tags comes once per tag.
    """
    conn = session.connection()
    # Core, not ORM, execution: plain tuples, no entities.
    author_rows: list[Any] = []
    for chunk in chunked(authors):
        author_rows += conn.execute(
            posts_by_authors(team_id, chunk, since, until, now, scoring)
        ).all()
    tag_rows: list[Any] = []
    for chunk in chunked(tags):
        tag_rows += conn.execute(posts_by_tags(team_id, chunk, since, until, now, scoring)).all()
    return author_rows, tag_rows
