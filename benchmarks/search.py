"""Full-text search: `who` by words and `search` on the big workspace, and what keeping the
index current costs ingest.

Questions. The workspace is the digest benchmark's (10,000 people, 1,000,000 posts over 30 days;
see ``benchmarks/digest.py``), generated or taken from its cache; migration 0007's triggers
index every post as it is loaded. Its texts draw on a vocabulary of about 150 English words, so
each question word is in roughly one post in six: the worst case for a full-text index, where a
question matches tens of thousands of posts. :data:`SAMPLES` different questions of one to three
words (drawn with a fixed seed from that vocabulary and the tag names, none asked twice) go to
``storage.search.experts_by_words`` (``who``, limit 10) and ``storage.search.search_posts``
(``search``, first page of 5), each in its own transaction on one connection, after two warm-up
questions that are not asked again. Figures per database: ``search_<db>_who_p50_ms`` /
``_p99_ms`` / ``_max_ms`` (wall clock) and ``_cpu_p50_ms`` / ``_cpu_p99_ms`` (this process plus,
on PostgreSQL, its server backend: what the answer costs whatever else the machine is doing),
and the same for ``search``. Budget: wall-clock p99 ≤ 150 ms each. The load average is noted.

Ingest. ``search_<db>_event_*``: message events (Dutch and English texts of 8-45 words, like
the workspace's) through the whole app, HTTP and Bolt included, into two Kring servers on fresh
databases, one of them with the full-text triggers dropped; the same events go to both in
alternating rounds, and the CPU of each round is this process's plus, on PostgreSQL, that of the
server backends of that server's connections (read from ``/proc``: the server runs on this
machine). ``_event_index_share`` is the CPU the index adds per event; budget ≤ 25 %.
``search_<db>_store_*``: the storage part alone, batches of :data:`BATCH` posts stored with
``storage.posts.record_posts``, with and without the triggers; its share is larger, as storing is
only part of what an event costs.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, text

from benchmarks.common import (
    CHANNELS,
    PG_ENV,
    Out,
    budget,
    database_kinds,
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
)
from benchmarks.digest import NOW, TAG_WORDS, WORDS, shape, workspace
from benchmarks.ingest import blast
from standin.harness import running_kring
from storage import fulltext
from storage.db import make_engine, make_sessions, upgrade
from storage.posts import NewPost, record_posts
from storage.search import experts_by_words, search_posts

TEAM = "T0001"
BUDGET_MS = 150.0
INGEST_BUDGET = 0.25
SAMPLES = 60
WARM_UP = 2
BATCH = 20

DUTCH = [
    "de",
    "vergadering",
    "over",
    "het",
    "budget",
    "is",
    "verschoven",
    "naar",
    "donderdag",
    "wie",
    "weet",
    "iets",
    "van",
    "facturatie",
    "ontwikkelaars",
    "zoeken",
    "hulp",
    "bij",
    "de",
    "migratie",
    "van",
    "onze",
    "klanten",
    "naar",
    "het",
    "nieuwe",
    "platform",
    "graag",
    "feedback",
    "op",
    "het",
    "ontwerp",
    "voordat",
    "we",
    "live",
    "gaan",
    "morgen",
    "release",
    "na",
    "de",
    "lunch",
    "beveiliging",
    "van",
    "de",
    "inlog",
    "moet",
    "beter",
    "bedankt",
    "voor",
    "het",
    "snelle",
    "antwoord",
]


def _questions(count: int, seed: int) -> list[str]:
    """``count`` distinct questions of one to three words that are not stop words."""
    rnd = random.Random(seed)
    vocabulary = sorted(
        {w for w in WORDS + TAG_WORDS if w not in fulltext.STOP_WORDS and w.isalpha()}
    )
    out: dict[str, None] = {}
    while len(out) < count:
        words = rnd.sample(vocabulary, rnd.choice((1, 2, 2, 3)))
        out[" ".join(words)] = None
    return list(out)


def _timed(
    calls: list[Callable[[], Any]], cpu: Callable[[], float]
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each call."""
    wall, spent = [], []
    for call in calls:
        started, used = time.perf_counter(), cpu()
        call()
        wall.append((time.perf_counter() - started) * 1000)
        spent.append((cpu() - used) * 1000)
    return wall, spent


def questions(kind: str, out: Out) -> None:
    s = shape()
    with workspace(kind, s) as url:
        # One connection, so that on PostgreSQL its server backend's CPU can be read too.
        engine = make_engine(url, pool_size=1)
        sessions = make_sessions(engine)
        with engine.connect() as conn:
            backend = (
                int(conn.scalar(text("SELECT pg_backend_pid()")) or 0)
                if kind == "postgresql"
                else None
            )

        def cpu() -> float:
            return time.process_time() + (0.0 if backend is None else _process_cpu(backend))

        asked = _questions(2 * (SAMPLES + WARM_UP), seed=11)

        def who(question: str) -> Callable[[], Any]:
            def ask() -> Any:
                with sessions.begin() as session:
                    return experts_by_words(
                        session=session, team_id=TEAM, query=question, now=NOW, limit=10
                    )

            return ask

        def search(question: str) -> Callable[[], Any]:
            def ask() -> Any:
                with sessions.begin() as session:
                    return search_posts(
                        session=session, team_id=TEAM, query=question, now=NOW, limit=5
                    )

            return ask

        half = SAMPLES + WARM_UP
        cases = {"who": [who(q) for q in asked[:half]], "search": [search(q) for q in asked[half:]]}
        note(f"search {kind}: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        for name, calls in cases.items():
            _timed(calls[:WARM_UP], cpu)
            ms, cpu_ms = _timed(calls[WARM_UP:], cpu)
            p99 = percentile(ms, 99)
            out(f"search_{kind}_{name}_p50_ms", percentile(ms, 50), "ms")
            out(f"search_{kind}_{name}_p99_ms", p99, "ms")
            out(f"search_{kind}_{name}_max_ms", max(ms), "ms")
            out(f"search_{kind}_{name}_cpu_p50_ms", percentile(cpu_ms, 50), "ms")
            out(f"search_{kind}_{name}_cpu_p99_ms", percentile(cpu_ms, 99), "ms")
            budget(
                f"search_{kind}_{name}_p99",
                p99 <= BUDGET_MS,
                f"p99 {p99:.1f} ms, budget {BUDGET_MS:.0f} ms",
            )
        note(f"search {kind}: load average {os.getloadavg()[0]:.1f} after the questions")
        engine.dispose()


# -- ingest ------------------------------------------------------------------------------------


def _drop_index_triggers(engine: Engine) -> None:
    with engine.begin() as conn:
        for name in ("insert", "update", "delete"):
            if engine.dialect.name == "sqlite":
                conn.execute(text(f"DROP TRIGGER tr_posts_fts_{name}"))
            else:
                conn.execute(text(f"DROP TRIGGER tr_posts_fts_{name} ON posts"))


def _process_cpu(pid: int) -> float:
    """CPU seconds a process on this machine used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """This process's CPU time plus, on PostgreSQL, that of the server backends serving the
    connections whose ``application_name`` is ``name`` (the server runs on this machine),
    looked up through ``admin`` (a connection of another name, so not counted)."""

    def __init__(self, admin: Engine | None, name: str) -> None:
        self._admin = admin
        self._name = name
        self._seen: dict[int, float] = {}

    def _backends(self) -> float:
        if self._admin is None:
            return 0.0
        with self._admin.connect() as conn:
            pids = conn.scalars(
                text("SELECT pid FROM pg_stat_activity WHERE application_name = :n"),
                {"n": self._name},
            ).all()
        for pid in pids:
            with contextlib.suppress(OSError):  # gone meanwhile: its last reading stays
                self._seen[pid] = _process_cpu(pid)
        return sum(self._seen.values())

    def read(self) -> float:
        return time.process_time() + self._backends()


def _named(url: str, kind: str, name: str) -> str:
    if kind == "sqlite":
        return url
    return f"{url}{'&' if '?' in url else '?'}application_name={name}"


def _texts(count: int, seed: int) -> list[str]:
    """Message texts of 8-45 words, English and Dutch, as in the workspace."""
    rnd = random.Random(seed)
    vocabulary = WORDS + DUTCH
    return [
        " ".join(rnd.choice(vocabulary) for _ in range(rnd.randint(8, 45))).capitalize() + "."
        for _ in range(count)
    ]


def _posts(count: int, seed: int) -> list[list[NewPost]]:
    start = NOW.timestamp() - 86_400
    rnd = random.Random(seed)
    posts = [
        NewPost(
            TEAM,
            f"C{rnd.randrange(20):03d}",
            f"{start + i:.0f}.000100",
            f"U{rnd.randrange(500):05d}",
            words,
        )
        for i, words in enumerate(_texts(count, seed))
    ]
    return [posts[i : i + BATCH] for i in range(0, len(posts), BATCH)]


@contextmanager
def _storing(kind: str, *, index: bool) -> Iterator[Callable[[list[NewPost]], float]]:
    """A fresh database; yields a function that stores a batch and returns the CPU it took
    (this process's and, on PostgreSQL, that of the one server backend it uses)."""
    with fresh_database(kind) as url:
        engine = make_engine(url, pool_size=1)
        upgrade(engine)
        if not index:
            _drop_index_triggers(engine)
        with make_sessions(engine)() as session:
            backend = (
                int(session.scalar(text("SELECT pg_backend_pid()")) or 0)
                if kind == "postgresql"
                else None
            )
            session.commit()

            def cpu() -> float:
                return time.process_time() + (0.0 if backend is None else _process_cpu(backend))

            def store(batch: list[NewPost]) -> float:
                started = cpu()
                with session.begin():
                    record_posts(session=session, posts=batch)
                return cpu() - started

            yield store
        engine.dispose()


def storage_cost(kind: str, out: Out) -> None:
    """Storing batches of posts with record_posts, with and without the index."""
    batches = _posts(scaled(5000), seed=5)
    warm = 10
    cpu = {True: 0.0, False: 0.0}
    stored = 0
    with _storing(kind, index=True) as indexed, _storing(kind, index=False) as plain:
        for b, batch in enumerate(batches):
            order = ((True, indexed), (False, plain))
            for with_index, store in order if b % 2 else order[::-1]:
                spent = store(batch)
                if b >= warm:
                    cpu[with_index] += spent
            stored += len(batch) if b >= warm else 0
    with_us, without_us = (cpu[flag] / stored * 1e6 for flag in (True, False))
    out(f"search_{kind}_store_cpu_us_per_post", with_us, "us")
    out(f"search_{kind}_store_cpu_us_per_post_without_index", without_us, "us")
    out(f"search_{kind}_store_index_share", (with_us - without_us) / without_us * 100, "%")


def _events(count: int, seed: int) -> list[tuple[bytes, dict[str, str]]]:
    rnd = random.Random(seed)
    users = user_ids(50)
    base = int(NOW.timestamp()) - 86_400
    out = []
    for i, words in enumerate(_texts(count, seed)):
        ts = f"{base + i}.000100"
        channel = CHANNELS[rnd.randrange(len(CHANNELS))][0]
        event = {
            "type": "message",
            "channel": channel,
            "user": rnd.choice(users),
            "text": words,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "channel",
            "team": TEAM,
            "client_msg_id": f"search-{seed}-{i:08d}",
        }
        body = json.dumps(event_envelope(event, f"EvSEARCH{seed}{i:08d}", base + i)).encode()
        out.append(signed_request(body))
    return out


def event_cost(kind: str, out: Out) -> None:
    """Message events through the whole app (HTTP, Bolt, listener, database), with and without
    the index: two Kring servers, fed the same events in alternating rounds."""
    rounds, per_round, threads = 4, scaled(400), 4
    events = _events(scaled(100) + rounds * per_round, seed=9)
    warm, rest = events[: scaled(100)], events[scaled(100) :]
    cpu = {True: 0.0, False: 0.0}
    with standin_slack(50) as standin, contextlib.ExitStack() as stack:
        admin = None
        if kind == "postgresql":
            admin = create_engine(os.environ[PG_ENV], pool_size=1)
            stack.callback(admin.dispose)
        apps = {}
        for with_index in (True, False):
            name = f"kring_search_events_{int(with_index)}"
            url = _named(stack.enter_context(fresh_database(kind)), kind, name)
            running = stack.enter_context(running_kring(url, standin))
            if not with_index:
                _drop_index_triggers(running.kring.engine)
            apps[with_index] = (running.url, CpuMeter(admin, name))
        for base_url, _ in apps.values():
            blast(base_url, warm, threads)
        for r in range(rounds):
            chunk = rest[r * per_round : (r + 1) * per_round]
            order = [True, False] if r % 2 else [False, True]
            for with_index in order:
                base_url, meter = apps[with_index]
                started = meter.read()
                tally = blast(base_url, chunk, threads)
                cpu[with_index] += meter.read() - started
                if tally.bad:
                    raise SystemExit(f"{tally.bad} events not answered 200")
    with_ms, without_ms = (cpu[flag] / len(rest) * 1000 for flag in (True, False))
    share = (with_ms - without_ms) / without_ms
    out(f"search_{kind}_event_cpu_ms", with_ms, "ms")
    out(f"search_{kind}_event_cpu_ms_without_index", without_ms, "ms")
    out(f"search_{kind}_event_index_share", share * 100, "%")
    budget(
        f"search_{kind}_event_index_share",
        share <= INGEST_BUDGET,
        f"{share * 100:.1f} % added, budget {INGEST_BUDGET * 100:.0f} %",
    )


def run(out: Out) -> None:
    kinds = database_kinds()
    quiet_logging()
    for kind in kinds:
        storage_cost(kind, out)
        event_cost(kind, out)
        questions(kind, out)
    if "postgresql" not in kinds:
        pg_skipped_note()
    note("search questions come from a ~150-word vocabulary: each word matches ~1 post in 6")
