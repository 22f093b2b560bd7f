"""Which posts may go into whose digest: one set-based query for a whole batch of readers."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, literal, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Join

from storage.models import Follow, Post, PostTag
from storage.privacy import hidden_authors


@dataclass(slots=True)
class Row:
    """A candidate as the query returns it, before it is merged per reader and post.

    A batch holds hundreds of thousands of these at once, hence the slots.
    """

    post_id: int
    author_id: str
    channel_id: str
    ts: str
    posted_at: datetime
    reaction_count: int
    reactor_count: int
    reply_count: int
    via_person: bool = False
    via_tags: list[str] = field(default_factory=list)


class FollowsFirst(Join):
    """An inner join that starts from its left side: the follows of the readers in a batch.

    Without statistics SQLite takes ``team_id = ?`` for selective and would rather walk every
    post of the window, probing each reader's follows for each post (about 500 probes per post
    for a batch of 500 readers); with statistics it still mis-orders the tag join. Its documented
    way to fix the order is ``CROSS JOIN`` (the left table stays the outer loop), which on
    SQLite means nothing else. PostgreSQL, whose planner has statistics and would reject
    ``CROSS JOIN … ON``, gets an ordinary ``JOIN``.
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


def candidate_query(
    team_id: str, reader_ids: Sequence[str], since: datetime, until: datetime
) -> Select[Any]:
    """Posts by followed people plus posts carrying followed tags, for many readers at once.

    Thread replies are left out (they count on their parent) unless also sent to the channel.
    """
    top_level = or_(Post.thread_ts.is_(None), Post.thread_ts == Post.ts, Post.is_broadcast)
    # Deactivated, opted-out and forgotten people: a small NOT IN, evaluated once per query.
    shown = Post.user_id.not_in(hidden_authors(team_id))
    cols = (
        Post.id,
        Post.user_id,
        Post.channel_id,
        Post.ts,
        Post.posted_at,
        Post.reaction_count,
        Post.reactor_count,
        Post.reply_count,
    )
    by_person = (
        select(Follow.follower_id, *cols, literal(None).label("tag"))
        .select_from(
            FollowsFirst(
                Follow, Post, and_(Post.team_id == Follow.team_id, Post.user_id == Follow.target)
            )
        )
        .where(
            Follow.team_id == team_id,
            Follow.kind == "person",
            Follow.follower_id.in_(reader_ids),
            Post.posted_at >= since,
            Post.posted_at < until,
            top_level,
            shown,
        )
    )
    by_tag = (
        select(Follow.follower_id, *cols, PostTag.tag)
        .select_from(
            FollowsFirst(
                FollowsFirst(
                    Follow,
                    PostTag,
                    and_(PostTag.team_id == Follow.team_id, PostTag.tag == Follow.target),
                ),
                Post,
                Post.id == PostTag.post_id,
            )
        )
        .where(
            Follow.team_id == team_id,
            Follow.kind == "tag",
            Follow.follower_id.in_(reader_ids),
            PostTag.posted_at >= since,
            PostTag.posted_at < until,
            Post.user_id != Follow.follower_id,
            top_level,
            shown,
        )
    )
    # Columns: reader, post id, author, channel, ts, posted_at, reactions, reactors, replies, tag
    return select(union_all(by_person, by_tag).subquery())


def candidates(
    *,
    session: Session,
    team_id: str,
    windows: Mapping[str, tuple[datetime, datetime]],
) -> dict[str, list[Row]]:
    """Each reader's candidate posts within their own (since, until) window, never their own."""
    if not windows:
        return {}
    since = min(w[0] for w in windows.values())
    until = max(w[1] for w in windows.values())
    merged: dict[str, dict[int, Row]] = {}
    shared: dict[int, tuple[str, str, str, datetime]] = {}
    # A batch returns hundreds of thousands of rows, each reader's mostly in one run: look the
    # reader's window and posts up once per run, not once per row.
    current: str | None = None
    start = end = since
    mine: dict[int, Row] | None = None
    # Core, not ORM, execution (no entities to load), streamed in large chunks (a server-side
    # cursor on PostgreSQL): a batch's rows never all exist at once, in Python or in libpq.
    result = session.connection().execute(
        candidate_query(team_id, sorted(windows), since, until),
        execution_options={"yield_per": 20_000},
    )
    for reader, pid, author, channel, ts, posted, reactions, reactors, replies, tag in result:
        if reader != current:
            current = reader
            start, end = windows[reader]
            mine = merged.get(reader)
        if author == reader:
            continue
        if not posted.tzinfo:
            posted = posted.replace(tzinfo=start.tzinfo)
        if not start <= posted < end:
            continue
        if mine is None:
            mine = merged[reader] = {}
        row = mine.get(pid)
        if row is None:
            # The driver makes new strings and datetimes for every row: keep one set per post
            # (a popular post is a candidate for hundreds of readers in the batch).
            seen = shared.get(pid)
            if seen is None:
                shared[pid] = (author, channel, ts, posted)
            elif seen[3] == posted and seen[3].tzinfo is posted.tzinfo:
                author, channel, ts, posted = seen
            via_tags = [] if tag is None else [tag]
            mine[pid] = Row(
                pid,
                author,
                channel,
                ts,
                posted,
                reactions,
                reactors,
                replies,
                tag is None,
                via_tags,
            )
        elif tag is None:
            row.via_person = True
        else:
            row.via_tags.append(tag)
    return {reader: list(rows.values()) for reader, rows in merged.items()}
