"""Claims on Slack event ids, so a retried event with side effects acts once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage.db import insert_ignore
from storage.models import ProcessedEvent


def claim_event(*, session: Session, team_id: str, event_id: str, now: datetime) -> bool:
    """True the first time an event id is claimed; False for a retry or duplicate."""
    claimed = session.scalar(
        insert_ignore(session, ProcessedEvent)
        .values(event_id=event_id, team_id=team_id, processed_at=now)
        .returning(ProcessedEvent.event_id)
    )
    return claimed is not None
