"""The in-process scheduler (APScheduler): a digest pass every minute, maintenance (retention
and the channel audit) once a day."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app import Kring
from bot.maintenance import run_maintenance
from digests.deliver import run_pass

log = logging.getLogger(__name__)


def digest_job(kring: Kring) -> None:
    """One pass; a failure is logged and the next minute tries again."""
    try:
        run_pass(
            sessions=kring.deps.sessions,
            client=kring.client,
            now=kring.deps.clock(),
            stop=kring.stopping,
            retention_days=kring.settings.retention_days,
        )
    except Exception:
        log.exception("digest pass failed")


def maintenance_job(kring: Kring) -> None:
    """Retention (older than KRING_RETENTION_DAYS) and the channel audit; see bot.maintenance."""
    try:
        run_maintenance(
            sessions=kring.deps.sessions,
            client=kring.client,
            retention_days=kring.settings.retention_days,
            now=kring.deps.clock(),
            stop=kring.stopping,
        )
    except Exception:
        log.exception("maintenance job failed")


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
        maintenance_job,
        IntervalTrigger(hours=24),
        args=[kring],
        id="maintenance",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC) + timedelta(minutes=5),
    )
    return scheduler
