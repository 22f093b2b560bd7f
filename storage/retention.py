"""Retention: what is older than the workspace keeps is deleted, with what hangs on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import DeletedMessage, Mention, Post, PostTag, ProcessedEvent, Reaction

# Slack retries an event for about an hour; a day of event ids is plenty to stop duplicates.
EVENT_MEMORY = timedelta(days=1)


@dataclass(frozen=True)
class Purged:
    posts: int
    events: int


def purge(*, session: Session, before: datetime, now: datetime) -> Purged:
    """Delete posts older than ``before`` (their tags, mentions and reactions first), old
    deletion markers, and event ids Slack can no longer retry."""
    old = select(Post.id).where(Post.posted_at < before)
    for model in (PostTag, Mention, Reaction):
        session.execute(delete(model).where(model.post_id.in_(old)))
    posts = session.execute(delete(Post).where(Post.posted_at < before))
    session.execute(delete(DeletedMessage).where(DeletedMessage.deleted_at < before))
    events = session.execute(
        delete(ProcessedEvent).where(ProcessedEvent.processed_at < now - EVENT_MEMORY)
    )
    return Purged(int(posts.rowcount or 0), int(events.rowcount or 0))  # type: ignore[attr-defined]
