"""The scheduler runs a digest pass a minute and maintenance (retention, channel audit) daily."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.app import build
from bot.scheduler import build_scheduler, maintenance_job
from bot.settings import load_settings
from standin.slack import StandinSlack
from storage.models import Post
from storage.posts import NewPost, record_post


def test_scheduler_has_a_minute_digest_pass_and_daily_maintenance(tmp_path: Path) -> None:
    with StandinSlack() as standin:
        standin.add_channel("C0KEPT", "kept")
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
            assert set(jobs) == {"digest-pass", "maintenance"}
            assert jobs["digest-pass"].trigger.interval.total_seconds() == 60
            assert jobs["digest-pass"].max_instances == 1
            assert jobs["maintenance"].trigger.interval.total_seconds() == 86400
            assert jobs["maintenance"].max_instances == 1
            now = kring.deps.clock()
            stamp = f"{now.timestamp():.0f}.000100"
            with kring.deps.sessions.begin() as session:
                for channel in ("C0KEPT", "C0GONE"):
                    record_post(session=session, post=NewPost("T0001", channel, stamp, "U1", "x"))
            maintenance_job(kring)
            with kring.deps.sessions() as session:
                # The audit ran: the channel Slack does not know lost its post.
                assert session.scalars(select(Post.channel_id)).all() == ["C0KEPT"]
        finally:
            kring.close()
