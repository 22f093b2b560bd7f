"""Load: two real ``kring run`` instances on one PostgreSQL database, retries and a digest pass.

A load test rather than a timed test: it checks that under a steady stream of events, with
Slack's retries landing on the other instance and a digest pass running at the same time,
nothing is lost and nothing is stored or sent twice.

Set-up:

* a fresh PostgreSQL schema (KRING_TEST_DATABASE_URL; without it the benchmark prints a
  ``# load skipped`` line), migrated by instance A on start; instance B starts once A answers
  ``/healthz``. Both are ``python -m bot.cli run`` subprocesses on free ports with
  KRING_SCHEDULER=off and LOG_LEVEL=WARNING, pointed at one stand-in Slack in this process
  (300 people in Europe/Amsterdam, Europe/London and America/New_York, five public channels);
* 300 readers each send a signed ``/kring follow @a @b @c #tag #tag`` slash command (spread
  over both instances), so every one has a profile with a time zone and follows people and
  tags.

The run:

* BENCH_SCALE × 5,000 distinct, signed ``message`` events (public channels, unique
  ``event_id`` and ``ts``, two ``#tags`` and one or two ``<@U…>`` mentions each) are sent
  open-loop at 200 per second, alternating between A and B, from 16 sender threads with
  keep-alive connections. 5 % of them are delivered a second time as Slack retries (same
  ``event_id`` and body, ``X-Slack-Retry-Num: 1``, ``X-Slack-Retry-Reason: http_timeout``) to
  the *other* instance, 0-1 s later. The sender waits at most 3 s for an answer, as Slack does;
  any answer other than 200 (or none) is retried like Slack would, up to 3 times with
  backoff (0.5, 1, 2 s), alternating instances, and counted;
* when 30 % of the events are due, ``kring digest run --now T --per-second 0`` (the real
  CLI, a third process on the same database) runs one digest pass at ``T``, the latest whole
  hour at which it is 10:00 or later in all three zones, so every reader is due. The events'
  timestamps lie in the two hours before ``T``, inside every reader's first window. Just
  before, the benchmark runs ``ANALYZE`` (see :func:`analyze`: the schema is too new for
  autovacuum to have done it). Every post carries two of 40 tags, so each reader has about
  550 candidate posts, as in ``benchmarks/digest.py``;
* afterwards both instances get SIGTERM and must exit 0 within 10 s.

Checks in the database afterwards: one post per distinct event and no ``(team, channel, ts)``
twice; every post's tags and mentions exactly as sent, each once; one ``digest_deliveries`` row
per reader for their local day of ``T``; the stand-in received one ``chat.postMessage`` DM per
``sent`` row and no reader got two.

Figures: ``load_events_sent`` (distinct events), ``load_events_retried`` (deliveries beyond
each event's first: the 5 % duplicates plus retries after a non-200), ``load_non_200``,
``load_posts_stored``, ``load_duplicate_posts``, ``load_ack_p50_ms`` / ``_p99_ms`` (every
delivery, measured from the moment it was due, so a late sender shows up),
``load_achieved_rate`` (distinct events ÷ time from the first one due until the last one's first
delivery was answered), ``load_digests_sent``, ``load_duplicate_digests``,
``load_digest_pass_seconds`` (wall time of the ``kring digest run`` process, start-up
included) and ``load_sigterm_exit_seconds`` (the slower instance). Budgets: no duplicate posts,
every event stored, no duplicate digests, at least 190 events/s achieved, tags and mentions
and digest rows/DMs as above, both instances exit 0 within 10 s of SIGTERM.

Each instance's log is summed up in a ``#`` line (waitress's "task queue depth" warnings mean
all 8 of its threads were busy). For investigating: BENCH_LOAD_PASS_AT moves the pass (the
share of the events due before it starts, default 0.3; above 1 it runs after the stream) and
BENCH_LOAD_KEEP_LOGS=<dir> keeps the instances' logs there.
"""

from __future__ import annotations

import heapq
import itertools
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text

from benchmarks.common import (
    CHANNELS,
    PG_ENV,
    TEAM_ID,
    Out,
    Poster,
    budget,
    env_float,
    event_envelope,
    fresh_database,
    note,
    percentile,
    quiet_logging,
    scaled,
    signed_request,
    user_ids,
    wait_until,
)
from bot.web import EVENTS_PATH
from standin.harness import BOT_TOKEN, SIGNING_SECRET
from standin.slack import SlackToApp, StandinSlack

REPO = Path(__file__).resolve().parents[1]
KRING = [sys.executable, "-m", "bot.cli"]

EVENTS = 5000
RATE = 200.0  # events per second
DUPLICATE_SHARE = 0.05
DUPLICATE_DELAY = (0.0, 1.0)  # seconds after the original is due
SENDERS = 16
SLACK_TIMEOUT = 3.0  # Slack gives up on an answer after 3 s
BACKOFF = (0.5, 1.0, 2.0)  # seconds before Slack's 1st, 2nd and 3rd retry of a failed delivery
PASS_AT = 0.3  # the digest pass starts when this share of the events is due
PEOPLE = 300
READERS = 300
ZONES = ("Europe/Amsterdam", "Europe/London", "America/New_York")
DUE_FROM_HOUR = 10  # digests are due from 09:00 local; the pass runs when all zones are past 10
# Every post carries two of these 40 tags, so a tag is on about 5 % of the posts and a reader
# following two tags and three people has some 550 candidate posts, about as many as a reader
# in benchmarks/digest.py has in a day (with only 8 tags it would be 2,300).
TOPICS = [
    "release", "onboarding", "design", "backend", "hiring", "q3-goals", "infra", "docs",
    "frontend", "mobile", "security", "billing", "search", "payments", "data", "analytics",
    "support", "sales", "marketing", "legal", "finance", "ops", "incident", "oncall",
    "perf", "testing", "ci", "api", "ux", "research", "roadmap", "okr",
    "events", "travel", "wellbeing", "culture", "learning", "mentoring", "recruiting", "office",
]  # fmt: skip
THINGS = [
    "the new onboarding flow",
    "a fix for the flaky login test",
    "the pricing page copy",
    "version 2.4 of the mobile app",
    "the quarterly roadmap draft",
    "faster search on the help centre",
    "the migration runbook",
]
RATE_BUDGET = 190.0
SIGTERM_BUDGET = 10.0
PASS_LINE = re.compile(
    r"(\d+) due, (\d+) claimed, (\d+) sent, (\d+) empty, (\d+) failed, (\d+) inactive"
)


# -- the workspace -----------------------------------------------------------------------------


def pass_moment(before: datetime) -> datetime:
    """The latest whole hour at or before ``before`` when it is past 10:00 in every zone."""
    moment = before.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    for _ in range(48):
        if all(moment.astimezone(ZoneInfo(zone)).hour >= DUE_FROM_HOUR for zone in ZONES):
            return moment
        moment -= timedelta(hours=1)
    raise AssertionError(f"no hour when it is past {DUE_FROM_HOUR}:00 in all of {ZONES}")


def zone_of(index: int) -> str:
    return ZONES[index % len(ZONES)]


@contextmanager
def workspace(at: datetime) -> Iterator[StandinSlack]:
    """The stand-in Slack with PEOPLE people spread over ZONES and the benchmark channels."""
    with StandinSlack(team_id=TEAM_ID) as standin:
        for i, uid in enumerate(user_ids(PEOPLE)):
            zone = zone_of(i)
            offset = at.astimezone(ZoneInfo(zone)).utcoffset() or timedelta(0)
            standin.add_user(
                uid,
                uid.lower(),
                real_name=f"Person {uid[-3:]}",
                tz=zone,
                tz_offset=int(offset.total_seconds()),
            )
        for cid, name in CHANNELS:
            standin.add_channel(cid, name)
        yield standin


def follow_text(i: int, people: list[str]) -> str:
    """Reader ``i`` follows three other people and two tags."""
    me = people[i]
    picked: list[str] = []
    for step in (7, 13, 31, 43):
        other = people[(i * step + step) % len(people)]
        if other != me and other not in picked:
            picked.append(other)
    refs = " ".join(f"<@{uid}|{uid.lower()}>" for uid in picked[:3])
    tag_a = TOPICS[i % len(TOPICS)]
    tag_b = TOPICS[(i // len(TOPICS) + i + 1) % len(TOPICS)]
    if tag_b == tag_a:
        tag_b = TOPICS[(i + 1) % len(TOPICS)]
    return f"follow {refs} #{tag_a} #{tag_b}"


def seed_follows(urls: list[str], standin: StandinSlack) -> int:
    """Every reader sends ``/kring follow …`` (alternating instances); returns failures."""
    people = user_ids(PEOPLE)
    apps = [SlackToApp(url + EVENTS_PATH, SIGNING_SECRET, standin) for url in urls]

    def one(i: int) -> bool:
        uid = people[i]
        answer = apps[i % len(apps)].command(
            follow_text(i, people), user_id=uid, user_name=uid.lower(), channel_id="C0GENERAL"
        )
        return answer.status == 200 and "You now follow" in str(answer.json().get("text", ""))

    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="load-seed") as pool:
        done = list(pool.map(one, range(READERS)))
    return done.count(False)


# -- events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    channel: str
    ts: str
    user: str
    tags: frozenset[str]
    mentions: frozenset[str]  # as Kring should store them: the author left out
    body: bytes


def make_events(count: int, first: datetime) -> list[Event]:
    """``count`` distinct message envelopes, 1 ms apart from ``first`` on (unique ts)."""
    people = user_ids(PEOPLE)
    base_micros = int(first.timestamp()) * 1_000_000
    events = []
    for n in range(count):
        user = people[n % len(people)]
        mentioned = [people[(n * 7 + 3) % len(people)]]
        if n % 3 == 0:
            mentioned.append(people[(n * 11 + 5) % len(people)])
        channel = CHANNELS[n % len(CHANNELS)][0]
        micros = base_micros + n * 1_000
        ts = f"{micros // 1_000_000}.{micros % 1_000_000:06d}"
        tag_a = TOPICS[n % len(TOPICS)]
        tag_b = TOPICS[(n // len(TOPICS) + n + 1) % len(TOPICS)]
        if tag_b == tag_a:
            tag_b = TOPICS[(n + 1) % len(TOPICS)]
        refs = " and ".join(f"<@{uid}|{uid.lower()}>" for uid in mentioned)
        body = (
            f"Shipped {THINGS[n % len(THINGS)]} #{tag_a} #{tag_b}, thanks {refs}! "
            f"Notes: <https://wiki.example.com/{tag_a}/{n}|wiki>"
        )
        event = {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": body,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "channel",
            "team": TEAM_ID,
            "client_msg_id": f"load-{n:08d}",
        }
        envelope = event_envelope(event, f"EvLOAD{n:08d}", micros // 1_000_000)
        events.append(
            Event(
                channel=channel,
                ts=ts,
                user=user,
                tags=frozenset({tag_a, tag_b}),
                mentions=frozenset(mentioned) - {user},
                body=json.dumps(envelope).encode(),
            )
        )
    return events


# -- sending -----------------------------------------------------------------------------------


@dataclass(order=True)
class Delivery:
    due: float  # seconds after the start
    seq: int
    event: int = field(compare=False)
    instance: int = field(compare=False)
    retry_num: int = field(compare=False, default=0)
    reason: str = field(compare=False, default="")
    first: bool = field(compare=False, default=False)  # the event's first delivery


@dataclass
class Tally:
    deliveries: int = 0
    non_200: int = 0
    gave_up: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    first_answered: list[float] = field(default_factory=list)  # seconds after the start
    last_answered: float = 0.0


class Sender:
    """Open loop over a heap of deliveries: each goes out when due, whatever came before."""

    def __init__(self, urls: list[str], events: list[Event], plan: list[Delivery]) -> None:
        self.urls = urls
        self.events = events
        self.heap = list(plan)
        heapq.heapify(self.heap)
        self.pending = len(plan)
        self.seq = itertools.count(len(plan))
        self.cond = threading.Condition()
        self.tally = Tally()
        self.start = 0.0

    def _take(self) -> Delivery | None:
        with self.cond:
            while not self.heap:
                if self.pending == 0:
                    return None
                self.cond.wait()
            return heapq.heappop(self.heap)

    def _done(self, retry: Delivery | None) -> None:
        with self.cond:
            if retry is not None:
                heapq.heappush(self.heap, retry)
                self.pending += 1
            self.pending -= 1
            self.cond.notify_all()

    def _worker(self) -> None:
        clients = [Poster(url, timeout=SLACK_TIMEOUT) for url in self.urls]
        try:
            while (job := self._take()) is not None:
                wait_until(self.start + job.due)
                body, headers = signed_request(self.events[job.event].body)
                if job.retry_num:
                    headers["X-Slack-Retry-Num"] = str(job.retry_num)
                    headers["X-Slack-Retry-Reason"] = job.reason
                status = clients[job.instance].post(body, headers)
                answered = time.perf_counter()
                retry = None
                with self.cond:
                    self.tally.deliveries += 1
                    self.tally.latencies_ms.append((answered - self.start - job.due) * 1000)
                    self.tally.last_answered = max(self.tally.last_answered, answered - self.start)
                    if job.first:
                        self.tally.first_answered.append(answered - self.start)
                    if status != 200:
                        self.tally.non_200 += 1
                        attempt = job.retry_num  # Slack's retries of this event so far
                        if attempt < len(BACKOFF):
                            retry = Delivery(
                                due=answered - self.start + BACKOFF[attempt],
                                seq=next(self.seq),
                                event=job.event,
                                instance=1 - job.instance,
                                retry_num=attempt + 1,
                                reason="http_timeout" if status == 0 else "http_error",
                            )
                        else:
                            self.tally.gave_up += 1
                self._done(retry)
        finally:
            for client in clients:
                client.close()

    def run(self, on_start: float) -> threading.Thread:
        """Start the senders ``on_start`` seconds from now; returns a thread to join."""
        workers = [
            threading.Thread(target=self._worker, name=f"load-send-{i}", daemon=True)
            for i in range(SENDERS)
        ]
        self.start = time.perf_counter() + on_start
        for worker in workers:
            worker.start()

        def join_all() -> None:
            for worker in workers:
                worker.join()

        joiner = threading.Thread(target=join_all, name="load-join", daemon=True)
        joiner.start()
        return joiner


def delivery_plan(count: int, seed: int = 20261128) -> tuple[list[Delivery], int]:
    """Each event once, alternating instances, plus 5 % again on the other instance later."""
    rng = random.Random(seed)
    plan = [
        Delivery(due=n / RATE, seq=n, event=n, instance=n % 2, first=True) for n in range(count)
    ]
    dupes = sorted(rng.sample(range(count), round(count * DUPLICATE_SHARE)))
    for k, n in enumerate(dupes):
        plan.append(
            Delivery(
                due=n / RATE + rng.uniform(*DUPLICATE_DELAY),
                seq=count + k,
                event=n,
                instance=1 - n % 2,
                retry_num=1,
                reason="http_timeout",
            )
        )
    return plan, len(dupes)


# -- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def kring_env(db_url: str, standin: StandinSlack, workdir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "KRING_", "DATABASE"))
    }
    env.update(
        {
            "KRING_ENV_FILE": str(workdir / "absent.env"),
            "PYTHONPATH": str(REPO),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": standin.url,
            "DATABASE_URL": db_url,
            "KRING_SCHEDULER": "off",
            "LOG_LEVEL": "WARNING",
            **extra,
        }
    )
    return env


class Instance:
    """One ``kring run`` subprocess; its output goes to a log file."""

    def __init__(self, name: str, env: dict[str, str], workdir: Path) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"kring-{name}.log"
        self._log: IO[bytes] = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [*KRING, "run"],
            env={**env, "PORT": str(self.port)},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
        )

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kring run ({self.name}) exited early: {self.log()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"kring run ({self.name}) never became healthy: {self.log()[-2000:]}")

    def terminate(self, timeout: float = 30.0) -> tuple[int | None, float]:
        """SIGTERM; returns (exit status or None if still running after ``timeout``, seconds)."""
        started = time.perf_counter()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code: int | None = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        return code, time.perf_counter() - started

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._log.close()

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")


@dataclass
class PassResult:
    seconds: float = 0.0
    code: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    output: str = ""
    started_at: float = 0.0  # seconds after the events' start
    ended_at: float = 0.0


def analyze(db_url: str) -> None:
    """Table statistics, as autovacuum would have them on a database that has been running.

    The schema is seconds old, so autovacuum has not looked at it yet; without statistics
    PostgreSQL plans the digest candidate query for empty tables and the pass takes about
    three times as long, which says nothing about a real deployment.
    """
    engine = create_engine(db_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
    finally:
        engine.dispose()


def digest_pass(env: dict[str, str], workdir: Path, at: datetime, t0: float) -> PassResult:
    """``kring digest run --now at --per-second 0`` as a subprocess, timed."""
    result = PassResult(started_at=time.perf_counter() - t0)
    started = time.perf_counter()
    done = subprocess.run(
        [*KRING, "digest", "run", "--now", at.isoformat(), "--per-second", "0"],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
    )
    result.seconds = time.perf_counter() - started
    result.ended_at = time.perf_counter() - t0
    result.code = done.returncode
    result.output = (done.stdout + done.stderr).strip()
    match = PASS_LINE.search(done.stdout)
    if match:
        names = ("due", "claimed", "sent", "empty", "failed", "inactive")
        result.counts = dict(zip(names, map(int, match.groups()), strict=True))
    return result


# -- checks ------------------------------------------------------------------------------------


@dataclass
class Stored:
    posts: int = 0
    duplicate_posts: int = 0
    missing: int = 0
    unexpected: int = 0
    tag_mismatches: int = 0
    mention_mismatches: int = 0
    doubled_tags: int = 0
    doubled_mentions: int = 0


def check_posts(db_url: str, events: list[Event]) -> Stored:
    out = Stored()
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            out.posts = int(conn.scalar(text("SELECT count(*) FROM posts")) or 0)
            out.duplicate_posts = int(
                conn.scalar(
                    text(
                        "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM posts "
                        "GROUP BY team_id, channel_id, ts HAVING count(*) > 1) AS d"
                    )
                )
                or 0
            )
            keys = {(c, ts) for c, ts in conn.execute(text("SELECT channel_id, ts FROM posts"))}
            tag_rows = Counter(
                (c, ts, tag)
                for c, ts, tag in conn.execute(
                    text(
                        "SELECT p.channel_id, p.ts, t.tag FROM post_tags t "
                        "JOIN posts p ON p.id = t.post_id"
                    )
                )
            )
            mention_rows = Counter(
                (c, ts, uid)
                for c, ts, uid in conn.execute(
                    text(
                        "SELECT p.channel_id, p.ts, m.user_id FROM mentions m "
                        "JOIN posts p ON p.id = m.post_id"
                    )
                )
            )
    finally:
        engine.dispose()
    expected = {(e.channel, e.ts): e for e in events}
    out.missing = len(expected.keys() - keys)
    out.unexpected = len(keys - expected.keys())
    out.doubled_tags = sum(n - 1 for n in tag_rows.values() if n > 1)
    out.doubled_mentions = sum(n - 1 for n in mention_rows.values() if n > 1)
    tags: dict[tuple[str, str], set[str]] = {}
    for c, ts, tag in tag_rows:
        tags.setdefault((c, ts), set()).add(tag)
    mentions: dict[tuple[str, str], set[str]] = {}
    for c, ts, uid in mention_rows:
        mentions.setdefault((c, ts), set()).add(uid)
    for key, event in expected.items():
        out.tag_mismatches += tags.get(key, set()) != event.tags
        out.mention_mismatches += mentions.get(key, set()) != event.mentions
    return out


@dataclass
class Digests:
    rows: int = 0
    sent_rows: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    duplicate_rows: int = 0
    readers_without_row: int = 0
    wrong_day: int = 0
    dms: int = 0
    duplicate_dms: int = 0
    dms_without_sent_row: int = 0
    sent_rows_without_dm: int = 0


def check_digests(db_url: str, standin: StandinSlack, readers: list[str], at: datetime) -> Digests:
    out = Digests()
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT user_id, local_date, status FROM digest_deliveries WHERE team_id = :t"
                ),
                {"t": TEAM_ID},
            ).all()
    finally:
        engine.dispose()
    out.rows = len(rows)
    per_day = Counter((user, day) for user, day, _ in rows)
    out.duplicate_rows = sum(n - 1 for n in per_day.values() if n > 1)
    out.statuses = dict(Counter(status for _, _, status in rows))
    zones = {uid: zone_of(i) for i, uid in enumerate(user_ids(PEOPLE))}
    by_user = {user: day for user, day, _ in rows}
    for uid in readers:
        day = by_user.get(uid)
        if day is None:
            out.readers_without_row += 1
        elif day != at.astimezone(ZoneInfo(zones[uid])).date():
            out.wrong_day += 1
    sent = {user for user, _, status in rows if status == "sent"}
    out.sent_rows = len(sent)
    dms = Counter(str(p.get("channel")) for p in standin.posted_messages())
    out.dms = sum(dms.values())
    out.duplicate_dms = sum(n - 1 for n in dms.values() if n > 1)
    out.dms_without_sent_row = len(dms.keys() - sent)
    out.sent_rows_without_dm = len(sent - dms.keys())
    return out


QUEUE_DEPTH = re.compile(r"waitress\.queue: Task queue depth is (\d+)")
LEVEL = re.compile(r" (WARNING|ERROR|CRITICAL) ([\w.]+): (.*)")


def summarize_log(log: str) -> str:
    """An instance's log (LOG_LEVEL=WARNING) in one line: queueing, then anything else."""
    depths = [int(m.group(1)) for m in QUEUE_DEPTH.finditer(log)]
    others = Counter(
        f"{m.group(1)} {m.group(2)}: {m.group(3)[:120]}"
        for m in LEVEL.finditer(log)
        if m.group(2) != "waitress.queue"
    )
    parts = []
    if depths:
        parts.append(
            f"{len(depths)} waitress 'task queue depth' warnings (all 8 threads busy), "
            f"max depth {max(depths)}"
        )
    parts += [f"{n} x {line}" for line, n in others.most_common(5)]
    return "; ".join(parts) or "nothing"


# -- the benchmark -----------------------------------------------------------------------------


def run(out: Out) -> None:
    if not os.environ.get(PG_ENV):
        note(f"load skipped: set {PG_ENV}=postgresql+psycopg://user@host/db (it needs PostgreSQL)")
        return
    quiet_logging()
    count = scaled(EVENTS)
    at = pass_moment(datetime.now(UTC))
    events = make_events(count, at - timedelta(hours=2))
    plan, duplicates = delivery_plan(count)
    readers = user_ids(PEOPLE)[:READERS]

    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kring-load-")))
        standin = stack.enter_context(workspace(at))
        db_url = stack.enter_context(fresh_database("postgresql"))
        env = kring_env(db_url, standin, workdir)
        instances: list[Instance] = []

        def close_all() -> None:
            for instance in instances:
                instance.close()

        stack.callback(close_all)
        for name in ("a", "b"):  # A migrates the schema before B starts
            instance = Instance(name, env, workdir)
            instances.append(instance)
            instance.wait_healthy()
        urls = [i.url for i in instances]

        seed_failures = seed_follows(urls, standin)
        standin.clear()  # from here on, chat.postMessage calls are the digest DMs

        sender = Sender(urls, events, plan)
        joiner = sender.run(0.5)
        pass_due = sender.start + env_float("BENCH_LOAD_PASS_AT", PASS_AT) * count / RATE
        wait_until(pass_due)
        analyze(db_url)
        digest = digest_pass(env, workdir, at, sender.start)
        joiner.join()

        stops = [i.terminate() for i in instances]
        logs = {i.name: i.log() for i in instances}
        if os.environ.get("BENCH_LOAD_KEEP_LOGS"):
            for i in instances:
                Path(os.environ["BENCH_LOAD_KEEP_LOGS"], i.log_path.name).write_text(i.log())
        stored = check_posts(db_url, events)
        delivered = check_digests(db_url, standin, readers, at)

    tally = sender.tally
    last = max(tally.first_answered, default=0.0)
    stream_seconds = tally.last_answered
    rate = len(tally.first_answered) / last if last > 0 else 0.0
    sigterm_seconds = max(seconds for _, seconds in stops)
    duplicate_digests = delivered.duplicate_rows + delivered.duplicate_dms

    out("load_events_sent", count, "events")
    out("load_events_retried", tally.deliveries - count, "deliveries")
    out("load_non_200", tally.non_200, "answers")
    out("load_posts_stored", stored.posts, "posts")
    out("load_duplicate_posts", stored.duplicate_posts, "posts")
    out("load_ack_p50_ms", percentile(tally.latencies_ms, 50), "ms")
    out("load_ack_p99_ms", percentile(tally.latencies_ms, 99), "ms")
    out("load_achieved_rate", rate, "events/s")
    out("load_digests_sent", delivered.dms, "DMs")
    out("load_duplicate_digests", duplicate_digests, "digests")
    out("load_digest_pass_seconds", digest.seconds, "s")
    out("load_sigterm_exit_seconds", sigterm_seconds, "s")

    note(
        f"{count} events + {duplicates} Slack-retry duplicates at {RATE:g}/s over "
        f"{stream_seconds:.1f} s; {tally.gave_up} deliveries given up after "
        f"{len(BACKOFF)} retries; ack max {max(tally.latencies_ms, default=0.0):.1f} ms"
    )
    note(
        f"digest pass (kring digest run --now {at.isoformat()}) ran from "
        f"{digest.started_at:.1f} s to {digest.ended_at:.1f} s of the stream: "
        f"{digest.counts or digest.output[-500:]}; rows by status {delivered.statuses}"
    )
    for name, text_ in logs.items():
        note(f"instance {name} log: {summarize_log(text_)}")

    budget("load_seed", seed_failures == 0, f"{seed_failures} follow commands failed")
    budget(
        "load_duplicate_posts",
        stored.duplicate_posts == 0,
        f"{stored.duplicate_posts} posts stored more than once",
    )
    budget(
        "load_posts_stored",
        stored.posts == count and stored.missing == 0 and stored.unexpected == 0,
        f"{stored.posts} posts for {count} distinct events ({stored.missing} missing, "
        f"{stored.unexpected} unexpected, {tally.gave_up} deliveries given up)",
    )
    budget(
        "load_tags_and_mentions",
        stored.tag_mismatches == 0
        and stored.mention_mismatches == 0
        and stored.doubled_tags == 0
        and stored.doubled_mentions == 0,
        f"tags differ on {stored.tag_mismatches} posts ({stored.doubled_tags} doubled), "
        f"mentions on {stored.mention_mismatches} ({stored.doubled_mentions} doubled)",
    )
    budget(
        "load_achieved_rate",
        rate >= RATE_BUDGET,
        f"{rate:.1f} events/s achieved, budget >= {RATE_BUDGET:g}",
    )
    budget(
        "load_duplicate_digests",
        duplicate_digests == 0,
        f"{delivered.duplicate_rows} doubled delivery rows, {delivered.duplicate_dms} extra DMs",
    )
    due = digest.counts.get("due", -1)
    budget(
        "load_digest_pass",
        digest.code == 0
        and due == len(readers)
        and delivered.rows == len(readers)
        and delivered.readers_without_row == 0
        and delivered.wrong_day == 0
        and delivered.sent_rows > 0,
        f"exit {digest.code}, {due} due of {len(readers)} readers, {delivered.rows} rows, "
        f"{delivered.readers_without_row} readers without one, {delivered.wrong_day} on the "
        f"wrong day, {delivered.sent_rows} sent; {digest.output[-300:]}",
    )
    budget(
        "load_digest_dms",
        delivered.dms == delivered.sent_rows
        and delivered.dms_without_sent_row == 0
        and delivered.sent_rows_without_dm == 0
        and digest.counts.get("sent") == delivered.sent_rows,
        f"{delivered.dms} DMs for {delivered.sent_rows} sent rows (pass said "
        f"{digest.counts.get('sent')}), {delivered.dms_without_sent_row} DMs without a sent row, "
        f"{delivered.sent_rows_without_dm} sent rows without a DM",
    )
    budget(
        "load_sigterm_exit",
        all(code == 0 and seconds <= SIGTERM_BUDGET for code, seconds in stops),
        "; ".join(
            f"{name}: exit {code} after {seconds:.1f} s"
            for name, (code, seconds) in zip("ab", stops, strict=True)
        )
        + f", budget exit 0 within {SIGTERM_BUDGET:g} s",
    )
