"""Posts, their tags, mentions and reactions: written idempotently, so Slack's retries are safe."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import Session

from storage.db import insert_ignore
from storage.models import DeletedMessage, Mention, Post, PostTag, Reaction
from storage.people import ensure_known


@dataclass(frozen=True)
class NewPost:
    """A message as plain values, already parsed into tags and mentions."""

    team_id: str
    channel_id: str
    ts: str
    user_id: str
    text: str
    tags: frozenset[str] = frozenset()
    mentions: frozenset[str] = frozenset()
    links: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    thread_ts: str | None = None
    is_broadcast: bool = False
    edited_at: datetime | None = field(default=None)


def ts_to_datetime(ts: str) -> datetime:
    """A Slack message timestamp (``"1700000000.000100"``) as an aware UTC datetime."""
    return datetime.fromtimestamp(float(ts), tz=UTC)


def _post_id(session: Session, team_id: str, channel_id: str, ts: str) -> int | None:
    return session.scalar(
        select(Post.id).where(Post.team_id == team_id, Post.channel_id == channel_id, Post.ts == ts)
    )


def _write_tags_and_mentions(session: Session, post_id: int, post: NewPost, when: datetime) -> None:
    if post.tags:
        session.execute(
            insert_ignore(session, PostTag),
            [
                {"post_id": post_id, "tag": tag, "team_id": post.team_id, "posted_at": when}
                for tag in sorted(post.tags)
            ],
        )
    mentioned = sorted(post.mentions - {post.user_id})
    if mentioned:
        session.execute(
            insert_ignore(session, Mention),
            [{"post_id": post_id, "user_id": uid, "team_id": post.team_id} for uid in mentioned],
        )


def _refresh_reply_count(session: Session, team_id: str, channel_id: str, parent_ts: str) -> None:
    replies = (
        select(func.count())
        .where(
            Post.team_id == team_id,
            Post.channel_id == channel_id,
            Post.thread_ts == parent_ts,
            Post.ts != parent_ts,
        )
        .scalar_subquery()
    )
    session.execute(
        update(Post)
        .where(Post.team_id == team_id, Post.channel_id == channel_id, Post.ts == parent_ts)
        .values(reply_count=replies)
    )


def _refresh_reaction_counts(session: Session, post_id: int) -> None:
    total = select(func.count()).where(Reaction.post_id == post_id).scalar_subquery()
    people = (
        select(func.count(func.distinct(Reaction.user_id)))
        .where(Reaction.post_id == post_id)
        .scalar_subquery()
    )
    session.execute(
        update(Post).where(Post.id == post_id).values(reaction_count=total, reactor_count=people)
    )


def record_post(*, session: Session, post: NewPost) -> bool:
    """Store a new post with its tags and mentions.

    Returns False, changing nothing, when the message is already stored (a retried or duplicated
    event) or was deleted in Slack before this event arrived.
    """
    deleted = session.get(DeletedMessage, (post.team_id, post.channel_id, post.ts))
    if deleted is not None:
        return False
    when = ts_to_datetime(post.ts)
    result = session.execute(
        insert_ignore(session, Post)
        .values(
            team_id=post.team_id,
            channel_id=post.channel_id,
            ts=post.ts,
            user_id=post.user_id,
            text=post.text,
            thread_ts=post.thread_ts,
            is_broadcast=post.is_broadcast,
            links=list(post.links),
            files=list(post.files),
            posted_at=when,
            edited_at=post.edited_at,
            reaction_count=0,
            reactor_count=0,
            reply_count=0,
        )
        # RETURNING yields no row when the insert was skipped: portable "was it new?".
        .returning(Post.id)
    )
    post_id = result.scalar()
    if post_id is None:
        return False
    _write_tags_and_mentions(session, post_id, post, when)
    ensure_known(session=session, team_id=post.team_id, user_ids=[post.user_id, *post.mentions])
    if post.thread_ts and post.thread_ts != post.ts:
        _refresh_reply_count(session, post.team_id, post.channel_id, post.thread_ts)
    return True


def edit_post(*, session: Session, post: NewPost) -> bool:
    """Replace a stored post's text, tags, mentions, links and files with an edited version.

    A post Kring never saw (edited before Kring was invited, say) is recorded as new.
    Returns True when something was stored.
    """
    post_id = _post_id(session, post.team_id, post.channel_id, post.ts)
    if post_id is None:
        return record_post(session=session, post=post)
    session.execute(
        update(Post)
        .where(Post.id == post_id)
        .values(
            text=post.text,
            links=list(post.links),
            files=list(post.files),
            edited_at=post.edited_at,
            is_broadcast=post.is_broadcast,
        )
    )
    session.execute(delete(PostTag).where(PostTag.post_id == post_id))
    session.execute(delete(Mention).where(Mention.post_id == post_id))
    _write_tags_and_mentions(session, post_id, post, ts_to_datetime(post.ts))
    ensure_known(session=session, team_id=post.team_id, user_ids=post.mentions)
    return True


def delete_post(*, session: Session, team_id: str, channel_id: str, ts: str, now: datetime) -> bool:
    """Remove a message deleted in Slack, with its tags, mentions and reactions.

    Remembers the deletion so that a late retry of the original event cannot bring it back.
    Returns True when a stored post was removed.
    """
    session.execute(
        insert_ignore(session, DeletedMessage).values(
            team_id=team_id, channel_id=channel_id, ts=ts, deleted_at=now
        )
    )
    row = session.execute(
        select(Post.id, Post.thread_ts).where(
            Post.team_id == team_id, Post.channel_id == channel_id, Post.ts == ts
        )
    ).first()
    if row is None:
        return False
    post_id, thread_ts = row
    # Explicit deletes: SQLite only cascades when its foreign_keys pragma is on.
    for model in (PostTag, Mention, Reaction):
        session.execute(delete(model).where(model.post_id == post_id))
    session.execute(delete(Post).where(Post.id == post_id))
    if thread_ts and thread_ts != ts:
        _refresh_reply_count(session, team_id, channel_id, thread_ts)
    return True


def set_reaction(
    *,
    session: Session,
    team_id: str,
    channel_id: str,
    ts: str,
    user_id: str,
    name: str,
    present: bool,
) -> bool:
    """Add (``present``) or remove one person's reaction on a stored post.

    Reactions on messages Kring did not record (private channels, bots) are ignored.
    Returns True when the post is known.
    """
    post_id = _post_id(session, team_id, channel_id, ts)
    if post_id is None:
        return False
    if present:
        session.execute(
            insert_ignore(session, Reaction).values(
                post_id=post_id, user_id=user_id, name=name, team_id=team_id
            )
        )
    else:
        session.execute(
            delete(Reaction).where(
                and_(
                    Reaction.post_id == post_id, Reaction.user_id == user_id, Reaction.name == name
                )
            )
        )
    _refresh_reaction_counts(session, post_id)
    return True


def get_post(*, session: Session, team_id: str, channel_id: str, ts: str) -> Post | None:
    """One stored post, or None."""
    return session.scalars(
        select(Post).where(Post.team_id == team_id, Post.channel_id == channel_id, Post.ts == ts)
    ).first()


def tags_of(*, session: Session, post_ids: Iterable[int]) -> dict[int, list[str]]:
    """The tags of each post, sorted."""
    ids = sorted(set(post_ids))
    out: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        rows = session.execute(
            select(PostTag.post_id, PostTag.tag)
            .where(PostTag.post_id.in_(ids))
            .order_by(PostTag.post_id, PostTag.tag)
        )
        for pid, tag in rows:
            out[pid].append(tag)
    return out


def mentions_of(*, session: Session, post_ids: Iterable[int]) -> dict[int, list[str]]:
    """The people mentioned in each post, sorted."""
    ids = sorted(set(post_ids))
    out: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        rows = session.execute(
            select(Mention.post_id, Mention.user_id)
            .where(Mention.post_id.in_(ids))
            .order_by(Mention.post_id, Mention.user_id)
        )
        for pid, uid in rows:
            out[pid].append(uid)
    return out
