"""Which posts may go into whose digest: one set-based query for a whole batch of readers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, literal, or_, select, union_all
from sqlalchemy.orm import Session

from storage.models import Follow, Post, PostTag


@dataclass
class Row:
    """A candidate as the query returns it, before it is merged per reader and post."""

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


def candidate_query(
    team_id: str, reader_ids: Sequence[str], since: datetime, until: datetime
) -> Select[Any]:
    """Posts by followed people plus posts carrying followed tags, for many readers at once.

    Thread replies are left out (they count on their parent) unless also sent to the channel.
    """
    top_level = or_(Post.thread_ts.is_(None), Post.thread_ts == Post.ts, Post.is_broadcast)
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
        .join(Post, and_(Post.team_id == Follow.team_id, Post.user_id == Follow.target))
        .where(
            Follow.team_id == team_id,
            Follow.kind == "person",
            Follow.follower_id.in_(reader_ids),
            Post.posted_at >= since,
            Post.posted_at < until,
            top_level,
        )
    )
    by_tag = (
        select(Follow.follower_id, *cols, PostTag.tag)
        .join(PostTag, and_(PostTag.team_id == Follow.team_id, PostTag.tag == Follow.target))
        .join(Post, Post.id == PostTag.post_id)
        .where(
            Follow.team_id == team_id,
            Follow.kind == "tag",
            Follow.follower_id.in_(reader_ids),
            PostTag.posted_at >= since,
            PostTag.posted_at < until,
            Post.user_id != Follow.follower_id,
            top_level,
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
    merged: dict[str, dict[int, Row]] = defaultdict(dict)
    result = session.execute(candidate_query(team_id, sorted(windows), since, until))
    for reader, pid, author, channel, ts, posted, reactions, reactors, replies, tag in result:
        if author == reader:
            continue
        start, end = windows[reader]
        posted_at = posted if posted.tzinfo else posted.replace(tzinfo=start.tzinfo)
        if not start <= posted_at < end:
            continue
        row = merged[reader].get(pid)
        if row is None:
            row = merged[reader][pid] = Row(
                pid, author, channel, ts, posted_at, reactions, reactors, replies
            )
        if tag is None:
            row.via_person = True
        else:
            row.via_tags.append(tag)
    return {reader: list(rows.values()) for reader, rows in merged.items()}
