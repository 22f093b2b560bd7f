"""A digest pass: find who is due, claim, build, send (paced), and record the outcome.

Exactly once: a digest is claimed in the database (unique per person and local day) before it
is built or sent, so overlapping passes, restarts and several instances never send one twice.
A send that fails is marked failed and retried by a later pass, a bounded number of times.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from digests.build import Request, build_digests, with_permalinks
from digests.model import Digest
from digests.render import render
from digests.schedule import is_due, local_now, person_zone, window_start
from storage.db import read_only
from storage.digests import (
    Claim,
    DigestSettings,
    Finished,
    Reader,
    cached_permalinks,
    claim,
    delivered_days,
    finish_many,
    last_covered,
    mark_inactive,
    readers,
    reclaim_failed,
    release,
    remember_permalinks,
    reopen,
    today_row,
)
from storage.people import get_people
from storage.visibility import kept_since
from telemetry.metrics import DIGEST_PASS_SECONDS, DIGESTS
from ui.i18n import language_for

log = logging.getLogger(__name__)

# Slack's answers for a person who can no longer receive anything.
INACTIVE_ERRORS = frozenset(
    {"account_inactive", "user_disabled", "user_not_found", "cannot_dm_bot", "user_not_visible"}
)
BATCH = 500


class Pacer:
    """Spaces out calls to at most ``per_second`` (thread-safe); None means no limit.

    chat.postMessage allows about one message per second per conversation with short bursts,
    and workspace-wide a few hundred a minute; a 09:00 burst of thousands must be spread out.
    """

    def __init__(
        self,
        per_second: float | None,
        clock: Callable[[], float] = time.monotonic,
        stop: threading.Event | None = None,
    ):
        self.interval = 1.0 / per_second if per_second else 0.0
        self.clock = clock
        self.next_at = 0.0
        self.lock = threading.Lock()
        # Set when the process is shutting down: waiting ends at once, nothing more is sent.
        self.stop = stop or threading.Event()

    @property
    def stopping(self) -> bool:
        return self.stop.is_set()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = self.clock()
            at = max(now, self.next_at)
            self.next_at = at + self.interval
        if at > now:
            self.stop.wait(at - now)


@dataclass
class PassReport:
    due: int = 0
    claimed: int = 0
    sent: int = 0
    empty: int = 0
    failed: int = 0
    inactive: int = 0
    released: int = 0  # not sent because the process was stopping; sent by a later pass
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    claim: Claim
    status: str
    post_count: int = 0
    channel_id: str | None = None
    message_ts: str | None = None
    error: str | None = None


def find_due(
    *, session: Session, now: datetime, everyone: Sequence[Reader]
) -> tuple[list[tuple[Reader, date]], set[date]]:
    """Readers whose local clock has passed their digest time today, without a digest yet.

    Also returns every local day it is somewhere among the readers (for retries of failures).
    """
    candidates = []
    today: set[date] = set()
    for reader in everyone:
        local = local_now(now, person_zone(reader.tz, reader.tz_offset))
        today.add(local.date())
        if is_due(reader.settings, local):
            candidates.append((reader, local.date()))
    done = delivered_days(
        session=session, keys=[(r.team_id, r.user_id, day) for r, day in candidates]
    )
    return [(r, d) for r, d in candidates if (r.team_id, r.user_id, d) not in done], today


def run_pass(
    *,
    sessions: sessionmaker[Session],
    client: WebClient,
    now: datetime,
    per_second: float | None = 5.0,
    workers: int = 4,
    team_ids: Sequence[str] | None = None,
    stop: threading.Event | None = None,
    retention_days: int | None = None,
) -> PassReport:
    """One scheduler pass: claim every due digest, then build and send them in batches.

    When ``stop`` is set (the process is shutting down) sends in flight finish, and every
    digest not yet sent is released, so that a later pass or another instance sends it today.
    """
    started = time.perf_counter()
    report = PassReport()
    with sessions.begin() as session:
        everyone = readers(session=session, team_ids=team_ids)
        claims = _claim_due(session=session, now=now, everyone=everyone, report=report)
    report.claimed = len(claims)
    _deliver_batches(
        sessions=sessions,
        client=client,
        now=now,
        batches=_batches(claims),
        readers={(r.team_id, r.user_id): r for r in everyone},
        pacer=Pacer(per_second, stop=stop),
        workers=workers,
        report=report,
        kept=kept_since(now, retention_days),
    )
    if report.claimed:
        log.info(
            "digest pass: %d due, %d claimed, %d sent, %d empty, %d failed, %d inactive",
            report.due,
            report.claimed,
            report.sent,
            report.empty,
            report.failed,
            report.inactive,
        )
    DIGEST_PASS_SECONDS.observe(time.perf_counter() - started)
    return report


def _claim_due(
    *, session: Session, now: datetime, everyone: Sequence[Reader], report: PassReport
) -> list[Claim]:
    """Claim the digest of every reader who is due, and reclaim failed ones to retry."""
    due, today = find_due(session=session, now=now, everyone=everyone)
    report.due = len(due)
    by_key = {(r.team_id, r.user_id): r for r, _ in due}
    last = last_covered(session=session, keys=by_key)
    wanted = [
        (
            r.team_id,
            r.user_id,
            day,
            window_start(now, last.get((r.team_id, r.user_id)), r.settings.frequency),
        )
        for r, day in due
    ]
    claims = claim(session=session, wanted=wanted, now=now)
    return claims + reclaim_failed(session=session, local_dates=today, now=now)


def _batches(claims: Sequence[Claim]) -> list[tuple[str, list[Claim]]]:
    """The claims per workspace, in batches of at most BATCH."""
    grouped: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        grouped[c.team_id].append(c)
    return [
        (team_id, team_claims[start : start + BATCH])
        for team_id, team_claims in grouped.items()
        for start in range(0, len(team_claims), BATCH)
    ]


def _tally(report: PassReport, outcomes: Sequence[Outcome]) -> None:
    for o in outcomes:
        if o.status == "sent":
            report.sent += 1
        elif o.status == "empty":
            report.empty += 1
        elif o.status == "released":
            report.released += 1
        elif o.status == "gave_up" and o.error in INACTIVE_ERRORS:
            report.inactive += 1
        else:
            report.failed += 1
            report.errors.append(f"{o.claim.user_id}: {o.error}")


def _deliver_batches(
    *,
    sessions: sessionmaker[Session],
    client: WebClient,
    now: datetime,
    batches: Sequence[tuple[str, list[Claim]]],
    readers: dict[tuple[str, str], Reader],
    pacer: Pacer,
    workers: int,
    report: PassReport,
    kept: datetime | None = None,
) -> None:
    """Build, send and record the batches, counting the outcomes in ``report``.

    Pipelined: while one batch is being sent (rendering and Slack calls, on the pool), the
    next one is built (database work, in this thread). Only this thread touches the
    database, so SQLite's single writer never waits on itself.
    """
    with (
        ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="digest") as pool,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="digest-send") as sender,
    ):
        sending: Future[list[Outcome]] | None = None

        def finish_sending() -> None:
            nonlocal sending
            if sending is not None:
                outcomes, sending = sending.result(), None
                _record(sessions, outcomes, now)
                _tally(report, outcomes)

        try:
            for team_id, batch in batches:
                if pacer.stopping:
                    prepared: _Prepared | list[Outcome] = [Outcome(c, "released") for c in batch]
                else:
                    prepared = _prepare_batch(
                        sessions=sessions,
                        client=client,
                        team_id=team_id,
                        claims=batch,
                        readers=readers,
                        now=now,
                        pool=pool,
                        kept=kept,
                    )
                finish_sending()
                if isinstance(prepared, _Prepared):
                    sending = sender.submit(_send_batch, client, prepared, pacer, pool)
                else:
                    _record(sessions, prepared, now)
                    _tally(report, prepared)
        finally:
            finish_sending()


def deliver_batch(
    *,
    sessions: sessionmaker[Session],
    client: WebClient,
    team_id: str,
    claims: Sequence[Claim],
    readers: dict[tuple[str, str], Reader],
    now: datetime,
    pacer: Pacer,
    pool: ThreadPoolExecutor,
    retention_days: int | None = None,
) -> list[Outcome]:
    """Build, send and record one batch of claimed digests of one workspace (nothing posted
    more than ``retention_days`` ago)."""
    prepared = _prepare_batch(
        sessions=sessions,
        client=client,
        team_id=team_id,
        claims=claims,
        readers=readers,
        now=now,
        pool=pool,
        kept=kept_since(now, retention_days),
    )
    outcomes = (
        _send_batch(client, prepared, pacer, pool) if isinstance(prepared, _Prepared) else prepared
    )
    _record(sessions, outcomes, now)
    return outcomes


@dataclass(frozen=True)
class _Prepared:
    """A batch ready to send: its digests and the permalinks of their posts."""

    claims: Sequence[Claim]
    digests: dict[str, Digest]
    links: dict[tuple[str, str], str]


def _prepare_batch(
    *,
    sessions: sessionmaker[Session],
    client: WebClient,
    team_id: str,
    claims: Sequence[Claim],
    readers: dict[tuple[str, str], Reader],
    now: datetime,
    pool: ThreadPoolExecutor,
    kept: datetime | None = None,
) -> _Prepared | list[Outcome]:
    """Build a batch's digests and find their permalinks; outcomes (not recorded) if that fails."""
    requests = []
    for c in claims:
        reader = readers.get((c.team_id, c.user_id))
        weekly = reader is not None and reader.settings.frequency == "weekly"
        lang = language_for(reader.locale if reader else None)
        requests.append(Request(c.user_id, c.covered_from, c.covered_to, lang, weekly))
    try:
        # Reads only: on SQLite posts keep being recorded while a batch is built.
        with _gc_paused(), read_only(sessions).begin() as session:
            digests = build_digests(
                session=session, team_id=team_id, requests=requests, now=now, kept_since=kept
            )
            keys = {(i.channel_id, i.ts) for d in digests.values() for i in d.items}
            links = cached_permalinks(session=session, team_id=team_id, messages=keys)
    except Exception as exc:  # a broken batch is retried later, not lost
        log.exception("building digests failed")
        return [Outcome(c, "failed", error=f"build: {type(exc).__name__}") for c in claims]
    fetched = fetch_permalinks(client, keys - links.keys(), pool)
    if fetched:
        with sessions.begin() as session:
            remember_permalinks(session=session, team_id=team_id, links=fetched)
    links.update(fetched)
    return _Prepared(claims, digests, links)


def _send_batch(
    client: WebClient, prepared: _Prepared, pacer: Pacer, pool: ThreadPoolExecutor
) -> list[Outcome]:
    """Send a prepared batch (no database work: the caller records the outcomes)."""

    def send(c: Claim) -> Outcome:
        if pacer.stopping:
            return Outcome(c, "released")
        digest = prepared.digests.get(c.user_id)
        if digest is None or not digest.items:
            return Outcome(c, "empty")
        return send_digest(client, c, with_permalinks(digest, prepared.links), pacer)

    return list(pool.map(send, prepared.claims))


def send_digest(client: WebClient, c: Claim, digest: Digest, pacer: Pacer) -> Outcome:
    """Post one digest as a DM (one chat.postMessage: never half-sent)."""
    text, blocks = render(digest)
    pacer.wait()
    if pacer.stopping:
        return Outcome(c, "released")
    try:
        answer = client.chat_postMessage(
            channel=c.user_id, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
        )
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "slack_error")
        status = "gave_up" if error in INACTIVE_ERRORS else "failed"
        return Outcome(c, status, digest.post_count, error=error)
    except Exception as exc:  # timeouts, connection errors after the client's own retries
        return Outcome(c, "failed", digest.post_count, error=type(exc).__name__)
    return Outcome(
        c,
        "sent",
        digest.post_count,
        channel_id=str(answer.get("channel") or ""),
        message_ts=str(answer.get("ts") or ""),
    )


def fetch_permalinks(
    client: WebClient, keys: Iterable[tuple[str, str]], pool: ThreadPoolExecutor
) -> dict[tuple[str, str], str]:
    """chat.getPermalink for each (channel, ts); failures are left out (shown without a link)."""

    def one(key: tuple[str, str]) -> tuple[tuple[str, str], str | None]:
        try:
            answer = client.chat_getPermalink(channel=key[0], message_ts=key[1])
        except Exception as exc:
            log.info("chat.getPermalink failed for %s: %s", key, exc)
            return key, None
        link = answer.get("permalink")
        return key, str(link) if link else None

    return {key: link for key, link in pool.map(one, sorted(keys)) if link}


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a batch is built.

    A batch makes about a million small objects (candidate rows) that all live until it is
    built; the collector would walk them over and over, finding no cycles, for a fifth of a
    pass's time. Reference counting still frees everything at once; cycles (from any thread)
    wait until the batch is built. Overlapping builds (a pass and `/kring digest now`) share
    one pause, and the collector is switched back on only if it was on before.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def _record(sessions: sessionmaker[Session], outcomes: Sequence[Outcome], now: datetime) -> None:
    with sessions.begin() as session:
        finish_many(
            session=session,
            finished=[
                Finished(
                    o.claim.delivery_id,
                    o.status,
                    o.post_count,
                    o.channel_id,
                    o.message_ts,
                    o.error,
                )
                for o in outcomes
                if o.status != "released"
            ],
            now=now,
        )
        for o in outcomes:
            if o.status == "released":
                release(session=session, delivery_id=o.claim.delivery_id)
            elif o.status == "gave_up" and o.error in INACTIVE_ERRORS:
                mark_inactive(session=session, team_id=o.claim.team_id, user_id=o.claim.user_id)
            elif o.status == "failed":
                log.warning("digest for %s not sent: %s", o.claim.user_id, o.error)
    for o in outcomes:
        DIGESTS.labels(_outcome_label(o)).inc()


def _outcome_label(o: Outcome) -> str:
    if o.status == "gave_up" and o.error in INACTIVE_ERRORS:
        return "inactive"
    if o.status in ("sent", "empty", "released"):
        return o.status
    return "rate_limited" if o.error == "ratelimited" else "failed"


def send_now(
    *,
    sessions: sessionmaker[Session],
    client: WebClient,
    team_id: str,
    user_id: str,
    now: datetime,
    retention_days: int | None = None,
) -> Outcome | None:
    """`/kring digest now`: a digest of what is new since the last one, counted as today's.

    Returns None when another pass is sending this person's digest at this moment.
    """
    with sessions.begin() as session:
        everyone = {
            (r.team_id, r.user_id): r
            for r in readers(session=session, team_ids=[team_id])
            if r.user_id == user_id
        }
        person = get_people(session=session, team_id=team_id, user_ids=[user_id]).get(user_id)
        zone = person_zone(person.tz if person else None, person.tz_offset if person else 0)
        day = local_now(now, zone).date()
        since = window_start(
            now,
            last_covered(session=session, keys=[(team_id, user_id)]).get((team_id, user_id)),
            "daily",
        )
        row = today_row(session=session, team_id=team_id, user_id=user_id, local_date=day)
        if row is None:
            won = claim(session=session, wanted=[(team_id, user_id, day, since)], now=now)
            if not won:
                return None
            claimed = won[0]
        elif row.status == "claimed":
            return None
        else:
            reopen(session=session, delivery_id=row.id, now=now, covered_from=since)
            claimed = Claim(row.id, team_id, user_id, day, since, now)
    if (team_id, user_id) not in everyone:
        # Not a reader (follows nothing, or paused): still answer with a digest if asked.
        everyone[(team_id, user_id)] = Reader(
            team_id, user_id, None, 0, person.locale if person else None, DigestSettings()
        )
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="digest-now") as pool:
        outcomes = deliver_batch(
            sessions=sessions,
            client=client,
            team_id=team_id,
            claims=[claimed],
            readers=everyone,
            now=now,
            pacer=Pacer(None),
            pool=pool,
            retention_days=retention_days,
        )
    return outcomes[0]
