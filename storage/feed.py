"""The Home tab's feed: the newest posts someone follows, read newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Executable, Select, exists, or_, select, union_all
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
    sources = _sources(session, team_id, user_id)
    if limit <= 0 or not (sources.people or sources.tags or sources.channels):
        return []
    shown = _shown(session, team_id, user_id, sources, kept_since)
    window = _Window(team_id, since, until, limit, shown)
    statements: list[Executable] = []
    if sources.people:
        statements.append(_by_people(window, sources.people))
    if len(sources.tags) > TAGS_ONE_BY_ONE:
        statements.append(_newest_tagged(session, _by_followed_tags(window, user_id), limit))
    else:
        statements.extend(_by_each_tag(window, sources.tags))
    statements.extend(_by_each_channel(window, sources.channels))
    return _merged(session, statements, limit)


@dataclass(frozen=True)
class _Sources:
    """What someone follows (open channels only) and mutes, each sorted."""

    people: list[str]
    tags: list[str]
    channels: list[str]
    muted_people: list[str]
    muted_tags: list[str]


@dataclass(frozen=True)
class _Window:
    """What every source's statement shares: the posts wanted and the conditions they meet."""

    team_id: str
    since: datetime
    until: datetime
    limit: int
    shown: list[Any]


_COLUMNS = (Post.id, Post.user_id, Post.channel_id, Post.ts, Post.posted_at, Post.text, Post.files)


def _sources(session: Session, team_id: str, user_id: str) -> _Sources:
    """The follows and mutes of ``user_id``."""
    follows = session.execute(
        select(Follow.kind, Follow.target).where(
            Follow.team_id == team_id, Follow.follower_id == user_id
        )
    ).all()
    # A channel that closed keeps no posts; skipping it spares the reads.
    channels = open_channels(
        session=session,
        team_id=team_id,
        channel_ids=[target for kind, target in follows if kind == "channel"],
    )
    mutes = session.execute(
        select(Mute.kind, Mute.target).where(Mute.team_id == team_id, Mute.user_id == user_id)
    ).all()
    return _Sources(
        people=sorted({target for kind, target in follows if kind == "person"}),
        tags=sorted({target for kind, target in follows if kind == "tag"}),
        channels=channels,
        muted_people=sorted({target for kind, target in mutes if kind == "person"}),
        muted_tags=sorted({target for kind, target in mutes if kind == "tag"}),
    )


def _shown(
    session: Session,
    team_id: str,
    user_id: str,
    sources: _Sources,
    kept_since: datetime | None,
) -> list[Any]:
    """The conditions on a post that ``user_id``'s feed shows."""
    shown: list[Any] = [
        Post.user_id != user_id,
        or_(Post.thread_ts.is_(None), Post.thread_ts == Post.ts, Post.is_broadcast),
        # Closed channels read once (usually none): no lookup per post for them.
        visible_post(team_id, Post, kept_since, closed_channel_ids(session, team_id)),
    ]
    if sources.muted_people:
        shown.append(Post.user_id.not_in(sources.muted_people))
    if sources.muted_tags:
        other = aliased(PostTag)
        shown.append(~exists().where(other.post_id == Post.id, other.tag.in_(sources.muted_tags)))
    return shown


def _posts(window: _Window, which: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    """The window's ``limit`` newest shown posts that ``which`` picks, from ``posts``."""
    return (
        select(*_COLUMNS)
        .where(
            Post.team_id == window.team_id,
            which,
            Post.posted_at >= window.since,
            Post.posted_at < window.until,
            *window.shown,
        )
        .order_by(Post.posted_at.desc(), Post.id.desc())
        .limit(window.limit)
    )


def _tagged(window: _Window, which: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    """The window's shown posts whose tags ``which`` picks, newest first, a row per tag, read
    through ``post_tags`` (unlimited: callers limit)."""
    return (
        select(*_COLUMNS)
        .select_from(PostTag)
        .join(Post, Post.id == PostTag.post_id)
        .where(
            PostTag.team_id == window.team_id,
            which,
            PostTag.posted_at >= window.since,
            PostTag.posted_at < window.until,
            *window.shown,
        )
        .order_by(PostTag.posted_at.desc(), PostTag.post_id.desc())
    )


def _by_people(window: _Window, people: list[str]) -> Executable:
    """The newest posts of the followed people, together."""
    return _posts(window, Post.user_id.in_(people))


def _by_followed_tags(window: _Window, user_id: str) -> Select[*tuple[Any, ...]]:
    """The window's posts carrying any tag ``user_id`` follows, newest first, a row per tag
    (see :func:`_newest_tagged`)."""
    followed = select(Follow.target).where(
        Follow.team_id == window.team_id,
        Follow.follower_id == user_id,
        Follow.kind == "tag",
    )
    return _tagged(window, PostTag.tag.in_(followed))


def _by_each_tag(window: _Window, tags: list[str]) -> list[Executable]:
    """Each tag's newest posts, read from its own index: a UNION per TAG_CHUNK tags."""
    statements: list[Executable] = []
    for chunk in chunked(tags, TAG_CHUNK):
        parts = [
            select(_tagged(window, PostTag.tag == tag).limit(window.limit).subquery())
            for tag in chunk
        ]
        statements.append(select(union_all(*parts).subquery()))
    return statements


def _by_each_channel(window: _Window, channels: list[str]) -> list[Executable]:
    """Each followed channel's newest posts: a UNION per TAG_CHUNK channels."""
    statements: list[Executable] = []
    for chunk in chunked(channels, TAG_CHUNK):
        # Each channel's newest from ix_posts_channel_time, as each tag's from its own index.
        in_channel = [
            select(_posts(window, Post.channel_id == channel_id).subquery()) for channel_id in chunk
        ]
        statements.append(select(union_all(*in_channel).subquery()))
    return statements


def _merged(session: Session, statements: list[Executable], limit: int) -> list[FeedPost]:
    """The ``limit`` newest posts of all ``statements`` together, each once."""
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
