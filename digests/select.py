"""Which posts may go into whose digest, fetched once per group of readers and shared.

Readers in a batch follow many of the same people and, above all, the same tags: a busy tag's
posts of the day are candidates for hundreds of them. So the database is asked once per group
of readers with the same window for the posts of every person and every tag the group
follows (with each post's reader-independent score part computed by the database), and each
reader's candidates are then put together from those shared lists in Python. The database
hands over each post once per group instead of once per reader who may see it.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
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

from digests.rank import (
    ENGAGEMENT_REPLY_WEIGHT,
    RECENCY_FLOOR,
    RECENCY_HALF_LIFE_HOURS,
    Entry,
    Shared,
)
from storage.db import chunked
from storage.models import Follow, Post, PostTag, UTCDateTime
from storage.privacy import hidden_authors

# Readers whose candidates are put together from one set of shared lists. The lists hold the
# group's followed people's and tags' posts of one window: tens of thousands of small tuples.
READERS_PER_GROUP = 500
# Ages are clamped so that exp() stays far from underflow (PostgreSQL raises on underflow).
MAX_AGE_HOURS = 24.0 * 366


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


def score_part(now: datetime) -> ColumnElement[float]:
    """:func:`digests.rank.post_part` as SQL over ``posts``: the same formula, the same floats
    up to rounding in the last bits."""
    engagement = func.ln(
        1.0
        + Post.reaction_count
        + ENGAGEMENT_REPLY_WEIGHT * Post.reply_count
        + ENGAGEMENT_REPLY_WEIGHT * Post.reactor_count
    )
    decay = -math.log(2) / RECENCY_HALF_LIFE_HOURS
    recency = func.exp(decay * age_hours(literal(now, UTCDateTime()), Post.posted_at))
    return ((1.0 + engagement) * (RECENCY_FLOOR + recency)).label("part")


def _shown(team_id: str) -> ColumnElement[bool]:
    """Posts a digest may show: top-level (thread replies count on their parent, unless also
    sent to the channel), by people not deactivated, opted out or forgotten (a small NOT IN,
    evaluated once)."""
    return and_(
        or_(Post.thread_ts.is_(None), Post.thread_ts == Post.ts, Post.is_broadcast),
        Post.user_id.not_in(hidden_authors(team_id)),
    )


def posts_by_authors(
    team_id: str, authors: Sequence[str], since: datetime, until: datetime, now: datetime
) -> Select[str, int, float]:
    """Columns: author, post id, score part — the authors' posts shown in digests."""
    return select(Post.user_id, Post.id, score_part(now)).where(
        Post.team_id == team_id,
        Post.user_id.in_(authors),
        Post.posted_at >= since,
        Post.posted_at < until,
        _shown(team_id),
    )


def posts_by_tags(
    team_id: str, tags: Sequence[str], since: datetime, until: datetime, now: datetime
) -> Select[str, int, str, float]:
    """Columns: tag, post id, author, score part — posts carrying the tags, shown in digests."""
    return (
        select(PostTag.tag, Post.id, Post.user_id, score_part(now))
        .select_from(FollowsFirst(PostTag, Post, Post.id == PostTag.post_id))
        .where(
            PostTag.team_id == team_id,
            PostTag.tag.in_(tags),
            PostTag.posted_at >= since,
            PostTag.posted_at < until,
            _shown(team_id),
        )
    )


@dataclass(frozen=True)
class Group:
    """The candidates of a group of readers with one window: shared lists, and what each
    reader follows (readers following nothing left out)."""

    shared: Shared
    follows: dict[str, tuple[frozenset[str], tuple[str, ...]]]  # reader: (people, tags)


def groups(
    *,
    session: Session,
    team_id: str,
    windows: Mapping[str, tuple[datetime, datetime]],
    now: datetime,
) -> Iterator[Group]:
    """The readers' candidates within their own [since, until) windows, a group at a time.

    Posts by the people they follow plus posts carrying the tags they follow (never their own:
    see :func:`digests.rank.rank_follows` and :meth:`digests.rank.Shared.pool`). Readers with
    the same window share one group's lists; a group is at most READERS_PER_GROUP readers.
    """
    by_window: dict[tuple[datetime, datetime], list[str]] = defaultdict(list)
    for reader, window in sorted(windows.items()):
        by_window[window].append(reader)
    for (since, until), readers in by_window.items():
        for chunk in chunked(readers, READERS_PER_GROUP):
            yield _group(session, team_id, chunk, since, until, now)


def candidates(
    *,
    session: Session,
    team_id: str,
    windows: Mapping[str, tuple[datetime, datetime]],
    now: datetime,
) -> Iterator[tuple[str, dict[int, Entry]]]:
    """Each reader's candidates merged per post, ``(reader, {post id: Entry})`` one reader
    at a time (readers without candidates left out)."""
    for group in groups(session=session, team_id=team_id, windows=windows, now=now):
        for reader, (people, tags) in group.follows.items():
            pool = group.shared.pool(reader, people, tags)
            if pool:
                yield reader, pool


def _group(
    session: Session,
    team_id: str,
    readers: Sequence[str],
    since: datetime,
    until: datetime,
    now: datetime,
) -> Group:
    people: dict[str, set[str]] = defaultdict(set)
    tags: dict[str, list[str]] = defaultdict(list)
    for reader, kind, target in session.execute(
        select(Follow.follower_id, Follow.kind, Follow.target).where(
            Follow.team_id == team_id, Follow.follower_id.in_(readers)
        )
    ):
        if kind == "person":
            people[reader].add(target)
        else:
            tags[reader].append(target)
    conn = session.connection()
    # Core, not ORM, execution: plain tuples, no entities.
    author_rows: list[Any] = []
    for chunk in chunked(sorted({p for ps in people.values() for p in ps})):
        author_rows += conn.execute(posts_by_authors(team_id, chunk, since, until, now)).all()
    tag_rows: list[Any] = []
    for chunk in chunked(sorted({t for ts in tags.values() for t in ts})):
        tag_rows += conn.execute(posts_by_tags(team_id, chunk, since, until, now)).all()
    follows = {
        reader: (frozenset(people.get(reader, ())), tuple(sorted(tags.get(reader, ()))))
        for reader in readers
        if reader in people or reader in tags
    }
    return Group(Shared.build(author_rows, tag_rows), follows)
