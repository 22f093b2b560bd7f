"""Where each channel's history import stands, so a restart resumes it at the page it reached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import BackfillState


@dataclass(frozen=True)
class Progress:
    """An import under way: its ``oldest`` ts, the cursor of the next page (None: the first)
    and what it did so far."""

    team_id: str
    channel_id: str
    oldest: str
    cursor: str | None
    pages: int
    posts: int


def _progress(row: BackfillState) -> Progress:
    return Progress(row.team_id, row.channel_id, row.oldest, row.cursor, row.pages, row.posts)


def begin_backfill(
    *, session: Session, team_id: str, channel_id: str, oldest: str, now: datetime
) -> Progress:
    """The channel's unfinished import, to resume where it stopped; else a new one reaching
    back to ``oldest`` (a finished import's row is reused)."""
    row = session.get(BackfillState, (team_id, channel_id), with_for_update=True)
    if row is not None and row.finished_at is None:
        return _progress(row)
    if row is None:
        row = BackfillState(team_id=team_id, channel_id=channel_id)
        session.add(row)
    row.oldest, row.cursor, row.pages, row.posts = oldest, None, 0, 0
    row.started_at, row.finished_at = now, None
    session.flush()
    return _progress(row)


def save_page(
    *, session: Session, team_id: str, channel_id: str, next_cursor: str | None, posts: int
) -> None:
    """One page is in (with ``posts`` new posts); the next starts at ``next_cursor``."""
    session.execute(
        update(BackfillState)
        .where(BackfillState.team_id == team_id, BackfillState.channel_id == channel_id)
        .values(
            cursor=next_cursor,
            pages=BackfillState.pages + 1,
            posts=BackfillState.posts + posts,
        )
    )


def finish_backfill(*, session: Session, team_id: str, channel_id: str, now: datetime) -> None:
    """The import reached its last page."""
    session.execute(
        update(BackfillState)
        .where(BackfillState.team_id == team_id, BackfillState.channel_id == channel_id)
        .values(cursor=None, finished_at=now)
    )


def unfinished_backfills(*, session: Session) -> list[tuple[str, str]]:
    """(team id, channel id) of every import a restart cut off."""
    rows = session.execute(
        select(BackfillState.team_id, BackfillState.channel_id)
        .where(BackfillState.finished_at.is_(None))
        .order_by(BackfillState.started_at)
    )
    return [(team_id, channel_id) for team_id, channel_id in rows]
