"""The in-process scheduler (APScheduler): a digest pass every minute, retention once a day."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app import Kring
from digests.deliver import run_pass
from storage.retention import purge

log = logging.getLogger(__name__)


def digest_job(kring: Kring) -> None:
    """One pass; a failure is logged and the next minute tries again."""
    try:
        run_pass(
            sessions=kring.deps.sessions,
            client=kring.client,
            now=kring.deps.clock(),
            stop=kring.stopping,
        )
    except Exception:
        log.exception("digest pass failed")


def retention_job(kring: Kring) -> None:
    """Delete what is older than KRING_RETENTION_DAYS."""
    now = kring.deps.clock()
    try:
        with kring.deps.sessions.begin() as session:
            purged = purge(
                session=session, before=now - timedelta(days=kring.settings.retention_days), now=now
            )
        log.info(
            "retention: %d posts older than %d days deleted",
            purged.posts,
            kring.settings.retention_days,
        )
    except Exception:
        log.exception("retention job failed")


def build_scheduler(kring: Kring) -> Any:
    """A background scheduler running the digest pass every minute, never two at once here.

    Other instances may run their own passes: the claims in the database keep them apart.
    """
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        digest_job,
        IntervalTrigger(minutes=1),
        args=[kring],
        id="digest-pass",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=50,
    )
    scheduler.add_job(
        retention_job,
        IntervalTrigger(hours=24),
        args=[kring],
        id="retention",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC) + timedelta(minutes=5),
    )
    return scheduler
