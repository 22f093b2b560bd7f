"""What listeners need from the composition root, as one plain object."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from handlers.backfill import Backfills
from handlers.departments import Departments
from storage import visibility
from storage.writer import PostWriter


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime] = field(default=utc_now)
    # Group commit for new posts; None writes each post in its own transaction.
    writer: PostWriter | None = None
    # Each workspace's department field (KRING_DEPARTMENT_FIELD), looked up once a day.
    departments: Departments = field(default_factory=Departments)
    # History imports running in the background (KRING_BACKFILL_DAYS).
    backfills: Backfills = field(default_factory=Backfills)
    # KRING_RETENTION_DAYS: readers show nothing older, whether or not maintenance purged it yet.
    retention_days: int = 365

    def kept_since(self, now: datetime) -> datetime | None:
        """The oldest a post may be to be shown at ``now`` (storage.visibility.kept_since)."""
        return visibility.kept_since(now, self.retention_days)
