"""The scheduler runs a digest pass a minute and retention daily, one at a time."""

from __future__ import annotations

from pathlib import Path

from bot.app import build
from bot.scheduler import build_scheduler, retention_job
from bot.settings import load_settings
from standin.slack import StandinSlack


def test_scheduler_has_a_minute_digest_pass_and_daily_retention(tmp_path: Path) -> None:
    with StandinSlack() as standin:
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": "xoxb-test",
                "SLACK_SIGNING_SECRET": "secret-123456",
                "SLACK_API_URL": standin.url,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}",
            }
        )
        kring = build(settings)
        try:
            scheduler = build_scheduler(kring)
            jobs = {job.id: job for job in scheduler.get_jobs()}
            assert set(jobs) == {"digest-pass", "retention"}
            assert jobs["digest-pass"].trigger.interval.total_seconds() == 60
            assert jobs["digest-pass"].max_instances == 1
            assert jobs["retention"].trigger.interval.total_seconds() == 86400
            retention_job(kring)  # runs on an empty database without error
        finally:
            kring.close()
