"""Ingest: signed ``message`` events through the full HTTP path, Kring against a do-nothing app.

Every event is a distinct, signed Events API envelope (unique ``event_id`` and ``ts``, text with
two ``#tags``, a ``<@U…>`` mention and a link, from one of 50 people in one of five public
channels) POSTed to ``/slack/events`` over keep-alive HTTP/1.1 connections. Kring answers after
the full path: waitress, Bolt (signature check, parsing, middleware), the ``message`` listener
and its database transaction. The baseline is a Bolt app with the same settings (signing
secret, client pointed at the stand-in Slack, ``process_before_response=True``, token
verification) whose ``message`` listener does nothing, served by the same ``HttpServer``.

Slack delivers at most 30,000 events per workspace per hour (about 8 a second); the budgets ask
for 200 a second, 24 times that. Figures (``<db>`` is ``sqlite`` and, when
KRING_TEST_DATABASE_URL is set, ``postgresql``):

* ``ingest_noop_ack_p50_ms`` / ``_p99_ms`` / ``_max_ms``: the do-nothing app's latency under the
  paced load below (half as long), the floor Kring's latency sits on;
* ``ingest_<db>_events_per_second`` and ``ingest_<db>_noop_events_per_second``: throughput with
  BENCH_THREADS (4) sender threads, each on its own keep-alive connection. The two apps are
  measured in alternating rounds (do-nothing, Kring, do-nothing, …) during the same pass, so
  background load on a shared machine hits both alike;
* ``ingest_<db>_cost_ratio``: do-nothing events/s ÷ Kring events/s in those rounds. The budget
  before issue 11 (1.5); reported for comparison, no longer a budget: with senders that each
  wait for their answer it counts Kring's commit latency as cost;
* ``ingest_<db>_cpu_ms_per_event`` / ``ingest_<db>_noop_cpu_ms_per_event``: process CPU time per
  event in those rounds (clients included), and ``ingest_<db>_cpu_ratio``, Kring's ÷ the
  do-nothing app's. Budget: at most 2.5 on SQLite and 3.5 on PostgreSQL;
* ``ingest_<db>_ack_p50_ms`` / ``_p99_ms`` / ``_max_ms``: acknowledgement latency of an
  open-loop sender pacing 200 events per second for BENCH_LATENCY_SECONDS (20 s); latency runs
  from the moment a request was *due*, so a late sender cannot hide a stall. One event in
  twenty is delivered a second time as a Slack retry (``X-Slack-Retry-Num: 1``). Budget: p99 at
  most 50 ms;
* ``ingest_<db>_posts_stored``: posts in Kring's database afterwards. Nothing lost: it must
  equal the number of distinct events sent to Kring (warm-up included), every request answered
  200; nothing doubled: retries add no post, and every post has its one mention
  (``ingest_<db>_mentions_stored``).

Sizes: BENCH_SCALE multiplies the event counts (2000 per app and database in throughput
rounds, 100 warm-up); the whole run takes about 1.5 minutes with PostgreSQL on two cores.

The senders run in the same process as the servers (simpler, and the stand-in Slack is
in-process anyway), so they compete with them for the GIL. To keep that small, requests are
built and signed before the clock starts; the servers still verify every signature. The
client's share of the work is the same for both apps, so it dilutes the ratios in Kring's
favour, if anything: a cross-check with both servers in a subprocess (clients on the other
core) gave higher ratios than the in-process run on the same machine.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import create_engine, func, select

from benchmarks.common import (
    CHANNELS,
    TEAM_ID,
    Out,
    Poster,
    budget,
    database_kinds,
    env_float,
    event_envelope,
    fresh_database,
    note,
    percentile,
    pg_skipped_note,
    quiet_logging,
    scaled,
    signed_request,
    standin_slack,
    user_ids,
    wait_until,
)
from bot.web import make_wsgi
from standin.harness import BOT_TOKEN, SIGNING_SECRET, running_kring, serving
from standin.slack import StandinSlack
from storage.models import Mention, Post

OLD_COST_RATIO_BUDGET = 1.5  # until issue 11; reported for comparison only
CPU_RATIO_BUDGET = {"sqlite": 2.5, "postgresql": 3.5}
P99_BUDGET_MS = 50.0
PACED_RATE = 200.0  # events per second
RETRY_EVERY = 20  # in the paced run, every 20th event is delivered again as a Slack retry
USERS = 50

TOPICS = ["release", "onboarding", "design", "backend", "hiring", "q3-goals", "infra", "docs"]
THINGS = [
    "the new onboarding flow",
    "a fix for the flaky login test",
    "the pricing page copy",
    "version 2.4 of the mobile app",
    "the quarterly roadmap draft",
    "faster search on the help centre",
    "the migration runbook",
]

Request = tuple[bytes, dict[str, str]]  # a signed body and its headers


# -- events ------------------------------------------------------------------------------------


class EventFactory:
    """Distinct message envelopes: a fresh event_id and ts for every one (thread-safe)."""

    def __init__(self) -> None:
        self._users = user_ids(USERS)
        self._seq = itertools.count()
        self._lock = threading.Lock()
        # A day ago, 10 ms apart: unique per channel and realistic for digests.
        self._base_micros = (int(time.time()) - 86_400) * 1_000_000

    def body(self) -> bytes:
        with self._lock:
            n = next(self._seq)
        user = self._users[n % len(self._users)]
        mentioned = self._users[(n * 7 + 3) % len(self._users)]
        channel = CHANNELS[n % len(CHANNELS)][0]
        micros = self._base_micros + n * 10_000
        ts = f"{micros // 1_000_000}.{micros % 1_000_000:06d}"
        tag_a = TOPICS[n % len(TOPICS)]
        tag_b = TOPICS[(n // len(TOPICS) + 1) % len(TOPICS)]
        thing = THINGS[n % len(THINGS)]
        text = (
            f"Shipped {thing} #{tag_a} #{tag_b}, thanks <@{mentioned}|{mentioned.lower()}>! "
            f"Notes: <https://wiki.example.com/{tag_a}/{n}|wiki>"
        )
        event = {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "channel",
            "team": TEAM_ID,
            "client_msg_id": f"bench-{n:08d}",
        }
        envelope = event_envelope(event, f"EvBENCH{n:08d}", micros // 1_000_000)
        return json.dumps(envelope).encode()


# -- the baseline ------------------------------------------------------------------------------


def noop_app(standin: StandinSlack) -> App:
    """Bolt as Kring configures it, with a ``message`` listener that does nothing."""
    app = App(
        client=WebClient(token=BOT_TOKEN, base_url=standin.url),
        signing_secret=SIGNING_SECRET,
        process_before_response=True,
        token_verification_enabled=True,
        request_verification_enabled=False,  # as Kring: bot.web checks the signature
    )

    @app.event("message")
    def _message(body: dict[str, Any]) -> None:
        return None

    return app


# -- senders -----------------------------------------------------------------------------------


@dataclass
class Tally:
    """What one run sent and how it was answered."""

    sent: int = 0
    bad: int = 0  # answers other than 200, or none at all
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, status: int, latency_ms: float) -> None:
        with self._lock:
            self.sent += 1
            self.bad += status != 200
            self.latencies_ms.append(latency_ms)

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds if self.seconds > 0 else 0.0


def blast(url: str, requests: list[Request], threads: int) -> Tally:
    """Send ``requests`` as fast as ``threads`` keep-alive connections allow; wall-clock timed."""
    tally = Tally()
    todo = iter(range(len(requests)))
    todo_lock = threading.Lock()
    ready = threading.Barrier(threads + 1)

    def sender() -> None:
        poster = Poster(url)
        poster.connect()
        ready.wait()
        try:
            while True:
                with todo_lock:
                    i = next(todo, None)
                if i is None:
                    return
                started = time.perf_counter()
                status = poster.post(*requests[i])
                tally.add(status, (time.perf_counter() - started) * 1000)
        finally:
            poster.close()

    workers = [threading.Thread(target=sender, name=f"bench-send-{i}") for i in range(threads)]
    for worker in workers:
        worker.start()
    ready.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    tally.seconds = time.perf_counter() - started
    return tally


def paced(url: str, deliveries: list[Request], *, rate: float = PACED_RATE) -> Tally:
    """Open loop: delivery ``i`` is due at ``start + i / rate``, whether or not earlier ones were
    answered. Latency is measured from the due time, so a sender held up by a slow answer (or
    by the GIL) shows up in the figures instead of quietly lowering the rate."""
    tally = Tally()
    todo = iter(range(len(deliveries)))
    todo_lock = threading.Lock()
    # Enough connections that a 40 ms stall still leaves a free sender for the next event.
    senders = 12
    ready = threading.Barrier(senders + 1)
    start = [0.0]

    def sender() -> None:
        poster = Poster(url)
        poster.connect()
        ready.wait()
        try:
            while True:
                with todo_lock:
                    i = next(todo, None)
                if i is None:
                    return
                due = start[0] + i / rate
                wait_until(due)
                status = poster.post(*deliveries[i])
                tally.add(status, (time.perf_counter() - due) * 1000)
        finally:
            poster.close()

    workers = [threading.Thread(target=sender, name=f"bench-paced-{i}") for i in range(senders)]
    for worker in workers:
        worker.start()
    start[0] = time.perf_counter() + 0.1
    ready.wait()
    for worker in workers:
        worker.join()
    tally.seconds = time.perf_counter() - start[0]
    return tally


def with_retries(requests: list[Request]) -> list[Request]:
    """``requests`` with every RETRY_EVERY-th one delivered once more right after, as Slack
    retries an event it thinks went unanswered (same body and signature, a retry header)."""
    out: list[Request] = []
    for i, (body, headers) in enumerate(requests, 1):
        out.append((body, headers))
        if i % RETRY_EVERY == 0:
            retry = {**headers, "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
            out.append((body, retry))
    return out


def signed_batch(factory: EventFactory, count: int) -> list[Request]:
    return [signed_request(factory.body()) for _ in range(count)]


# -- the benchmark -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    threads: int
    events: int
    rounds: int
    warmup: int
    paced_events: int
    noop_paced_events: int

    @classmethod
    def from_env(cls) -> Plan:
        seconds = env_float("BENCH_LATENCY_SECONDS", 20.0)
        paced_events = max(1, round(seconds * PACED_RATE))
        events = scaled(2000)
        return cls(
            threads=max(1, int(env_float("BENCH_THREADS", 4))),
            events=events,
            rounds=max(1, min(4, events // 100)),
            warmup=scaled(100),
            paced_events=paced_events,
            noop_paced_events=max(1, paced_events // 2),
        )


@dataclass
class Throughput:
    """Sums over interleaved rounds, so background load hits both apps alike."""

    sent: int = 0
    bad: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    def add(self, tally: Tally, cpu_seconds: float) -> None:
        self.sent += tally.sent
        self.bad += tally.bad
        self.seconds += tally.seconds
        self.cpu_seconds += cpu_seconds

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds if self.seconds > 0 else 0.0

    @property
    def cpu_ms_per_event(self) -> float:
        return self.cpu_seconds * 1000 / self.sent if self.sent else 0.0


def timed_blast(url: str, requests: list[Request], threads: int, into: Throughput) -> None:
    cpu = time.process_time()
    tally = blast(url, requests, threads)
    into.add(tally, time.process_time() - cpu)


def _latency_figures(out: Out, prefix: str, tally: Tally) -> None:
    out(f"{prefix}_ack_p50_ms", percentile(tally.latencies_ms, 50), "ms")
    out(f"{prefix}_ack_p99_ms", percentile(tally.latencies_ms, 99), "ms")
    out(f"{prefix}_ack_max_ms", max(tally.latencies_ms, default=0.0), "ms")


@contextmanager
def serving_noop(standin: StandinSlack) -> Iterator[str]:
    engine = create_engine("sqlite://")  # only /healthz would use it
    try:
        with serving(make_wsgi(noop_app(standin), engine, signing_secret=SIGNING_SECRET)) as url:
            yield url
    finally:
        engine.dispose()


def noop_latency(out: Out, plan: Plan, noop_url: str, factory: EventFactory) -> None:
    """The do-nothing app's paced latency: the floor Kring's figures sit on."""
    blast(noop_url, signed_batch(factory, plan.warmup), plan.threads)
    slow = paced(noop_url, signed_batch(factory, plan.noop_paced_events))
    _latency_figures(out, "ingest_noop", slow)
    budget("ingest_noop_answers", slow.bad == 0, f"{slow.bad} requests not answered 200")


def bench_kring(
    out: Out, plan: Plan, standin: StandinSlack, factory: EventFactory, kind: str, noop_url: str
) -> None:
    prefix = f"ingest_{kind}"
    kring, noop = Throughput(), Throughput()
    per_round = max(1, plan.events // plan.rounds)
    deliveries = with_retries(signed_batch(factory, plan.paced_events))
    with fresh_database(kind) as db_url, running_kring(db_url, standin) as running:
        warm = blast(running.url, signed_batch(factory, plan.warmup), plan.threads)
        blast(noop_url, signed_batch(factory, plan.warmup), plan.threads)
        # Alternate the two apps round by round, so a burst of background load lands on both.
        for _ in range(plan.rounds):
            timed_blast(noop_url, signed_batch(factory, per_round), plan.threads, noop)
            timed_blast(running.url, signed_batch(factory, per_round), plan.threads, kring)
        writer = running.kring.deps.writer
        batch_avg = writer.items / writer.batches if writer and writer.batches else 0.0
        slow = paced(running.url, deliveries)
        with running.kring.engine.connect() as conn:
            stored = int(conn.scalar(select(func.count()).select_from(Post)) or 0)
            mentions = int(conn.scalar(select(func.count()).select_from(Mention)) or 0)

    cost_ratio = noop.per_second / kring.per_second if kring.per_second else float("inf")
    cpu_ratio = (
        kring.cpu_ms_per_event / noop.cpu_ms_per_event if noop.cpu_ms_per_event else float("inf")
    )
    out(f"{prefix}_noop_events_per_second", noop.per_second, "events/s")
    out(f"{prefix}_events_per_second", kring.per_second, "events/s")
    out(f"{prefix}_cost_ratio", cost_ratio, "ratio")
    note(f"{prefix}_cost_ratio: the old budget ({OLD_COST_RATIO_BUDGET}), not applied any more")
    out(f"{prefix}_noop_cpu_ms_per_event", noop.cpu_ms_per_event, "ms")
    out(f"{prefix}_cpu_ms_per_event", kring.cpu_ms_per_event, "ms")
    out(f"{prefix}_cpu_ratio", cpu_ratio, "ratio")
    out(f"{prefix}_posts_per_transaction", batch_avg, "posts")
    _latency_figures(out, prefix, slow)
    out(f"{prefix}_retries_sent", slow.sent - plan.paced_events, "events")
    out(f"{prefix}_posts_stored", stored, "posts")
    out(f"{prefix}_mentions_stored", mentions, "mentions")

    cpu_budget = CPU_RATIO_BUDGET[kind]
    budget(
        f"{prefix}_cpu_ratio",
        cpu_ratio <= cpu_budget,
        f"Kring spends {cpu_ratio:.2f}x the do-nothing app's CPU per event, budget {cpu_budget}x",
    )
    p99 = percentile(slow.latencies_ms, 99)
    budget(
        f"{prefix}_ack_p99",
        p99 <= P99_BUDGET_MS,
        f"p99 {p99:.1f} ms at {PACED_RATE:g} events/s, budget {P99_BUDGET_MS:g} ms",
    )
    distinct = warm.sent + kring.sent + plan.paced_events
    bad = warm.bad + kring.bad + slow.bad + noop.bad
    budget(
        f"{prefix}_nothing_lost",
        stored >= distinct and bad == 0,
        f"{stored} posts stored for {distinct} distinct events, {bad} answers not 200",
    )
    budget(
        f"{prefix}_nothing_doubled",
        stored <= distinct and mentions == stored,
        f"{stored} posts with {mentions} mentions for {distinct} distinct events",
    )


def run(out: Out) -> None:
    quiet_logging()
    plan = Plan.from_env()
    factory = EventFactory()
    with standin_slack(USERS) as standin, serving_noop(standin) as noop_url:
        noop_latency(out, plan, noop_url, factory)
        for kind in database_kinds():
            bench_kring(out, plan, standin, factory, kind, noop_url)
    if "postgresql" not in database_kinds():
        pg_skipped_note()
    if os.environ.get("BENCH_VERBOSE"):
        note(f"plan: {plan}")
