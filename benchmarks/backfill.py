"""Backfill: a workspace's history imported from the stand-in Slack, then imported again.

The stand-in Slack runs in a child process holding BENCH_BACKFILL_MESSAGES (100,000, times
BENCH_SCALE) messages spread over the last 80 days of five public channels: nine in ten top
level, the rest replies in threads of five. Kring imports every channel with
:func:`handlers.backfill.backfill_channel` (conversations.history and conversations.replies,
pages of 200, the live gate and ``record_posts``) into a fresh database, then imports all again.
The pacer is off so the run measures Kring, not the wait; ``backfill_slack_calls`` and
``backfill_minutes_at_tier3`` say how long Slack's ~50 calls a minute would stretch it.

Figures (``<db>`` is ``sqlite`` and, when KRING_TEST_DATABASE_URL is set, ``postgresql``):

* ``backfill_<db>_messages_per_second``: messages read and stored per second of the first run;
* ``backfill_<db>_posts_stored``: posts in the database afterwards; must equal the messages;
* ``backfill_<db>_replay_posts_stored``: posts the second run stored; must be 0 (nothing twice);
* ``backfill_peak_rss_mb``: the peak resident memory of the importing process (the stand-in's
  messages live in its own process). Budget: at most 200 MB.
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy import func, select

from benchmarks import common
from bot.app import build_client
from bot.settings import Settings
from handlers.backfill import Pacer, backfill_channel
from standin.harness import BOT_TOKEN
from storage.db import make_engine, make_sessions, upgrade
from storage.models import Post

THREAD = 5  # replies per thread
PEAK_RSS_BUDGET_MB = 200


def _serve(messages: int, now: float, pipe: Connection) -> None:
    """The child: a stand-in Slack with ``messages`` messages, until the parent says stop."""
    with common.standin_slack() as standin:
        users = common.user_ids(50)
        channels = [cid for cid, _ in common.CHANNELS]
        span = 80 * 86400
        parents = messages // 10 // THREAD
        top = messages - parents * THREAD
        every = max(top // parents, 1) if parents else 0
        for i in range(top):
            ts = f"{now - span + i * span / top:.6f}"
            message: dict[str, Any] = {
                "user": users[i % len(users)],
                "text": f"Note {i} about #topic{i % 40} for <@{users[(i + 1) % len(users)]}>",
                "ts": ts,
            }
            standin.add_message(channels[i % len(channels)], message)
            if every and i % every == 0 and i // every < parents:
                for r in range(1, THREAD + 1):
                    reply = {
                        "user": users[(i + r) % len(users)],
                        "text": f"Reply {r} to note {i} #topic{i % 40}",
                        "ts": f"{float(ts) + r / 1000:.6f}",
                        "thread_ts": ts,
                    }
                    standin.add_message(channels[i % len(channels)], reply)
        pipe.send(standin.url)
        pipe.recv()


def _import(db_url: str, api_url: str, now: datetime) -> tuple[int, int, float, int]:
    """Import every channel once: (messages read, posts stored, seconds, Slack calls)."""
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        sessions = make_sessions(engine)
        client = build_client(Settings(slack_bot_token=BOT_TOKEN, slack_api_url=api_url))
        read = stored = calls = 0
        started = time.perf_counter()
        for cid, _ in common.CHANNELS:
            summary = backfill_channel(
                sessions=sessions,
                client=client,
                team_id=common.TEAM_ID,
                channel_id=cid,
                days=90,
                clock=lambda: now,
                pacer=Pacer(per_minute=0),
            )
            if summary.error:
                raise RuntimeError(f"backfill of {cid} failed: {summary.error}")
            read += summary.messages
            stored += summary.stored
            calls += summary.pages + summary.threads
        return read, stored, time.perf_counter() - started, calls
    finally:
        engine.dispose()


def _count(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with make_sessions(engine)() as s:
            return int(s.scalar(select(func.count()).select_from(Post)) or 0)
    finally:
        engine.dispose()


def run(out: Callable[[str, float, str], None]) -> None:
    common.quiet_logging()
    messages = common.scaled(int(common.env_float("BENCH_BACKFILL_MESSAGES", 100_000)))
    now = datetime.now(UTC)
    ours, theirs = multiprocessing.get_context("fork").Pipe()
    child = multiprocessing.get_context("fork").Process(
        target=_serve, args=(messages, now.timestamp(), theirs), daemon=True
    )
    child.start()
    try:
        api_url = str(ours.recv())
        kinds = common.database_kinds()
        if "postgresql" not in kinds:
            common.pg_skipped_note()
        for kind in kinds:
            with common.fresh_database(kind) as db_url:
                read, stored, seconds, calls = _import(db_url, api_url, now)
                out(f"backfill_{kind}_messages", read, "messages")
                out(f"backfill_{kind}_messages_per_second", read / seconds, "messages/s")
                out(f"backfill_{kind}_slack_calls", calls, "calls")
                out(f"backfill_{kind}_minutes_at_tier3", calls / 50, "min")
                posts = _count(db_url)
                out(f"backfill_{kind}_posts_stored", posts, "posts")
                _, replayed, _, _ = _import(db_url, api_url, now + timedelta(minutes=1))
                out(f"backfill_{kind}_replay_posts_stored", replayed, "posts")
                common.budget(
                    f"backfill_{kind}_all_once",
                    posts == messages == stored and replayed == 0 and _count(db_url) == posts,
                    f"{messages} messages, {posts} posts, {replayed} stored again",
                )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out("backfill_peak_rss_mb", peak, "MB")
        common.budget(
            "backfill_peak_rss", peak <= PEAK_RSS_BUDGET_MB, f"{peak:.0f} MB > {PEAK_RSS_BUDGET_MB}"
        )
    finally:
        ours.send("stop")
        child.join(30)
