"""Retention: what is older than the workspace keeps is deleted, with what hangs on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Delete, and_, delete, select
from sqlalchemy.orm import Session

from storage.models import (
    DeletedMessage,
    Mention,
    Permalink,
    Post,
    PostTag,
    ProcessedEvent,
    Reaction,
    Reference,
    TagDay,
)

# Slack retries an event for about an hour; a day of event ids is plenty to stop duplicates.
EVENT_MEMORY = timedelta(days=1)


@dataclass(frozen=True)
class Purged:
    posts: int
    events: int
    permalinks: int = 0


def _deleted(session: Session, stmt: Delete) -> int:
    result = session.execute(stmt, execution_options={"synchronize_session": False})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def delete_posts(*, session: Session, where: ColumnElement[bool]) -> int:
    """Delete the posts ``where`` selects with their tags, mentions, reactions and references,
    set-based;
    returns how many posts went.

    The children go first and explicitly (SQLite only cascades with its foreign_keys pragma
    on); ``tag_days`` follows the ``post_tags`` rows by its triggers. Reaction and reply counts
    of other posts (and the reference counts of what the deleted posts referenced) are the
    caller's business: they only change when a deleted post was a
    reply to (or shared a thread with) a post that stays.
    """
    doomed = select(Post.id).where(where)
    for model in (PostTag, Mention, Reaction, Reference):
        _deleted(session, delete(model).where(model.post_id.in_(doomed)))
    return _deleted(session, delete(Post).where(where))


def delete_orphan_permalinks(*, session: Session) -> int:
    """Delete cached permalinks whose post is no longer stored (deleted, purged, forgotten)."""
    stored = (
        select(Post.id)
        .where(
            and_(
                Post.team_id == Permalink.team_id,
                Post.channel_id == Permalink.channel_id,
                Post.ts == Permalink.ts,
            )
        )
        .exists()
    )
    return _deleted(session, delete(Permalink).where(~stored))


def purge(*, session: Session, before: datetime, now: datetime) -> Purged:
    """Delete posts older than ``before`` with what hangs on them (tags, mentions, reactions,
    cached permalinks, empty per-day tag counts), old deletion markers, and event ids Slack
    can no longer retry.

    A thread's replies are never older than its parent, and a share never older than what it
    shares, so no post that stays loses a reply or a reference: no counts need recounting.
    """
    posts = delete_posts(session=session, where=Post.posted_at < before)
    permalinks = delete_orphan_permalinks(session=session)
    # The tag_days triggers count rows down but never delete them.
    _deleted(session, delete(TagDay).where(TagDay.posts <= 0))
    _deleted(session, delete(DeletedMessage).where(DeletedMessage.deleted_at < before))
    events = _deleted(
        session, delete(ProcessedEvent).where(ProcessedEvent.processed_at < now - EVENT_MEMORY)
    )
    return Purged(posts=posts, events=events, permalinks=permalinks)
