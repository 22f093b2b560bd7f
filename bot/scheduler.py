"""The in-process scheduler: one digest pass a minute (APScheduler)."""

from __future__ import annotations

import logging
from typing import Any

from bot.app import Kring
from digests.deliver import run_pass

log = logging.getLogger(__name__)


def digest_job(kring: Kring) -> None:
    """One pass; a failure is logged and the next minute tries again."""
    try:
        run_pass(sessions=kring.deps.sessions, client=kring.client, now=kring.deps.clock())
    except Exception:
        log.exception("digest pass failed")


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
    return scheduler
