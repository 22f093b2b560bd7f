"""The Home tab's feed: the newest posts someone follows, read newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Executable, Select, exists, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from storage.channels import open_channels
from storage.db import chunked
from storage.models import Follow, Mute, Post, PostTag
from storage.visibility import closed_channel_ids, visible_post

# Followed tags per statement (SQLite allows 500 parts in a UNION).
TAG_CHUNK = 100
# Up to this many followed tags, each tag's newest posts are read from its own index: best for a
# few tags, however quiet. Past it, building one part per tag costs more than the reading, so
# the tagged posts of the window are read newest first instead, stopping at the newest ones: at
# most the window's posts, however many tags are followed (up to the cap, MAX_FOLLOWS).
TAGS_ONE_BY_ONE = 25


@dataclass(frozen=True)
class FeedPost:
    post_id: int
    author_id: str
    channel_id: str
    ts: str
    posted_at: datetime
    text: str
    files: tuple[str, ...] = ()  # file names, as Slack sent them


def latest_posts(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    since: datetime,
    until: datetime,
    limit: int,
    kept_since: datetime | None = None,
) -> list[FeedPost]:
    """The ``limit`` newest posts (``since <= posted_at < until``) by people ``user_id``
    follows, carrying tags they follow or in channels they follow, newest first (each once): the
    digest's candidates (top-level posts and broadcast replies, never their own, only those
    :func:`storage.visibility.visible_post` allows: shown authors, open channels, nothing before
    ``kept_since``), without muted people and posts carrying a muted tag.

    Each source (the followed people together, then each followed tag, or all followed tags
    together when there are many, then each followed channel) gives its own newest ``limit``
    from an index read newest first; the newest ``limit`` of all of them are the answer, as any of those is among the
    newest ``limit`` of its source.
    """
    follows = session.execute(
        select(Follow.kind, Follow.target).where(
            Follow.team_id == team_id, Follow.follower_id == user_id
        )
    ).all()
    people = sorted({target for kind, target in follows if kind == "person"})
    tags = sorted({target for kind, target in follows if kind == "tag"})
    # A channel that closed keeps no posts; skipping it spares the reads.
    channels = open_channels(
        session=session,
        team_id=team_id,
        channel_ids=[target for kind, target in follows if kind == "channel"],
    )
    mutes = session.execute(
        select(Mute.kind, Mute.target).where(Mute.team_id == team_id, Mute.user_id == user_id)
    ).all()
    muted_people = sorted({target for kind, target in mutes if kind == "person"})
    muted_tags = sorted({target for kind, target in mutes if kind == "tag"})
    if limit <= 0 or not (people or tags or channels):
        return []
    shown: list[Any] = [
        Post.user_id != user_id,
        or_(Post.thread_ts.is_(None), Post.thread_ts == Post.ts, Post.is_broadcast),
        # Closed channels read once (usually none): no lookup per post for them.
        visible_post(team_id, Post, kept_since, closed_channel_ids(session, team_id)),
    ]
    if muted_people:
        shown.append(Post.user_id.not_in(muted_people))
    if muted_tags:
        other = aliased(PostTag)
        shown.append(~exists().where(other.post_id == Post.id, other.tag.in_(muted_tags)))
    cols = (Post.id, Post.user_id, Post.channel_id, Post.ts, Post.posted_at, Post.text, Post.files)
    statements: list[Executable] = []
    if people:
        statements.append(
            select(*cols)
            .where(
                Post.team_id == team_id,
                Post.user_id.in_(people),
                Post.posted_at >= since,
                Post.posted_at < until,
                *shown,
            )
            .order_by(Post.posted_at.desc(), Post.id.desc())
            .limit(limit)
        )
    if len(tags) > TAGS_ONE_BY_ONE:
        tagged = (
            select(*cols)
            .select_from(PostTag)
            .join(Post, Post.id == PostTag.post_id)
            .where(
                PostTag.team_id == team_id,
                PostTag.tag.in_(
                    select(Follow.target).where(
                        Follow.team_id == team_id,
                        Follow.follower_id == user_id,
                        Follow.kind == "tag",
                    )
                ),
                PostTag.posted_at >= since,
                PostTag.posted_at < until,
                *shown,
            )
            .order_by(PostTag.posted_at.desc(), PostTag.post_id.desc())
        )
        statements.append(_newest_tagged(session, tagged, limit))
        tags = []
    for chunk in chunked(tags, TAG_CHUNK):
        parts = [
            select(
                select(*cols)
                .select_from(PostTag)
                .join(Post, Post.id == PostTag.post_id)
                .where(
                    PostTag.team_id == team_id,
                    PostTag.tag == tag,
                    PostTag.posted_at >= since,
                    PostTag.posted_at < until,
                    *shown,
                )
                .order_by(PostTag.posted_at.desc(), PostTag.post_id.desc())
                .limit(limit)
                .subquery()
            )
            for tag in chunk
        ]
        statements.append(select(union_all(*parts).subquery()))
    for chunk in chunked(channels, TAG_CHUNK):
        # Each channel's newest from ix_posts_channel_time, as each tag's from its own index.
        in_channel = [
            select(
                select(*cols)
                .where(
                    Post.team_id == team_id,
                    Post.channel_id == channel_id,
                    Post.posted_at >= since,
                    Post.posted_at < until,
                    *shown,
                )
                .order_by(Post.posted_at.desc(), Post.id.desc())
                .limit(limit)
                .subquery()
            )
            for channel_id in chunk
        ]
        statements.append(select(union_all(*in_channel).subquery()))
    found: dict[int, FeedPost] = {}
    for statement in statements:
        for pid, author, channel, ts, posted, text, files in session.execute(statement):
            found[int(pid)] = FeedPost(
                int(pid), author, channel, ts, posted, text or "", tuple(files or ())
            )
    newest = sorted(found.values(), key=lambda p: (p.posted_at, p.post_id), reverse=True)
    return newest[:limit]


def _newest_tagged(session: Session, statement: Select[*tuple[Any, ...]], limit: int) -> Executable:
    """``statement`` (a row per post and followed tag, newest first) limited to enough rows for
    its ``limit`` newest posts, as a post carrying several followed tags comes once for each."""
    rows = limit * 2
    while True:
        ids = session.scalars(statement.with_only_columns(PostTag.post_id).limit(rows)).all()
        if len(ids) < rows or len(set(ids)) >= limit:
            return statement.limit(rows)
        rows *= 4
