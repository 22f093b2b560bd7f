"""Connect people: `who`, `trending`, `profile`, `suggest` and the Home view on the big workspace.

The workspace is the digest benchmark's (10,000 people, 1,000,000 posts over 30 days, 40 people
and 8 tags followed per person; see ``benchmarks/digest.py``), generated or taken from its cache.
Each answer is computed the way a person gets it in Slack: the subcommand runs through
``handlers.commands.run_command`` (its own transaction, profile look-ups, Block Kit rendering),
with the Web API pointed at the stand-in Slack; the Home view is ``handlers.home.build_home``.
The clock reads the workspace's ``NOW``.

For each kind of answer, ``SAMPLES`` different people ask (a different tag, person or reader each
time, drawn with a fixed seed), after two warm-up answers. Then ``SAMPLES`` readers are brought
to the cap on follows (``storage.follows.MAX_FOLLOWS``, through ``follow`` itself): every tag in
the workspace, busiest first, then the busiest authors, and their Home view and `/kring
following` are measured the same way (``home_at_cap``, ``following_at_cap``). Figures, per
database: ``connect_<db>_<answer>_p50_ms`` / ``_p99_ms`` / ``_max_ms``; budget: p99 ≤ 200 ms
each. ``_cpu_p99_ms`` is the p99 of the asking thread's CPU time (on SQLite that includes the
database's work), less sensitive to other load on a shared machine.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.common import (
    Out,
    budget,
    database_kinds,
    note,
    percentile,
    pg_skipped_note,
    standin_slack,
)
from benchmarks.digest import NOW, shape, user_id, workspace
from handlers.commands import run_command
from handlers.deps import Deps
from handlers.home import build_home
from standin.harness import BOT_TOKEN
from storage.db import make_engine, make_sessions
from storage.follows import MAX_FOLLOWS, Target, follow, follow_count
from storage.models import Follow, Post, PostTag

TEAM = "T0001"
BUDGET_MS = 200.0
SAMPLES = 60


def _timed(samples: list[Callable[[], Any]]) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each sample (CPU: the asking thread's, which on SQLite
    includes the database's work and is less sensitive to other load on the machine)."""
    for warm in samples[:2]:
        warm()
    wall, cpu = [], []
    for call in samples:
        started, started_cpu = time.perf_counter(), time.thread_time()
        call()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    return wall, cpu


def bench(kind: str, out: Out) -> None:
    s = shape()
    with workspace(kind, s) as url, standin_slack() as standin:
        engine = make_engine(url)
        sessions = make_sessions(engine)
        deps = Deps(engine=engine, sessions=sessions, clock=lambda: NOW)
        client = WebClient(token=BOT_TOKEN, base_url=standin.url)
        rnd = random.Random(7)
        with sessions() as session:
            tags = list(
                session.scalars(
                    select(PostTag.tag)
                    .where(PostTag.team_id == TEAM)
                    .group_by(PostTag.tag)
                    .order_by(func.count().desc())
                    .limit(100)
                )
            )
            readers = list(session.scalars(select(Follow.follower_id).distinct().limit(2000)))
        people = len(readers)
        note(f"connect {kind}: {people} readers sampled, {len(tags)} busiest tags")

        def ask(who: str, text: str) -> Callable[[], Any]:
            return lambda: run_command(deps, client, team_id=TEAM, user_id=who, text=text)

        def home(who: str) -> Callable[[], Any]:
            def build() -> Any:
                with sessions() as session:
                    return build_home(
                        session=session,
                        team_id=TEAM,
                        user_id=who,
                        lang="en",
                        now=NOW,
                        kept_since=deps.kept_since(NOW),
                    )

            return build

        pick = rnd.choice
        cases: dict[str, list[Callable[[], Any]]] = {
            "who": [ask(pick(readers), f"who #{pick(tags)}") for _ in range(SAMPLES)],
            "trending": [
                ask(pick(readers), f"trending {pick(['7d', '30d'])}") for _ in range(SAMPLES)
            ],
            "profile": [
                ask(pick(readers), f"profile <@{user_id(rnd.randrange(s.people))}>")
                for _ in range(SAMPLES)
            ],
            "suggest": [ask(pick(readers), "suggest") for _ in range(SAMPLES)],
            "home": [home(pick(readers)) for _ in range(SAMPLES)],
        }
        for name, samples in cases.items():
            _report(kind, name, _timed(samples), out)
        capped = _bring_to_the_cap(sessions, rnd.sample(readers, min(SAMPLES, len(readers))))
        _report(kind, "home_at_cap", _timed([home(who) for who in capped]), out)
        following = [ask(who, "following") for who in capped]
        _report(kind, "following_at_cap", _timed(following), out)
        engine.dispose()


def _report(kind: str, name: str, timed: tuple[list[float], list[float]], out: Out) -> None:
    ms, cpu = timed
    p99 = percentile(ms, 99)
    out(f"connect_{kind}_{name}_p50_ms", percentile(ms, 50), "ms")
    out(f"connect_{kind}_{name}_p99_ms", p99, "ms")
    out(f"connect_{kind}_{name}_max_ms", max(ms), "ms")
    out(f"connect_{kind}_{name}_cpu_p99_ms", percentile(cpu, 99), "ms")
    budget(
        f"connect_{kind}_{name}_p99",
        p99 <= BUDGET_MS,
        f"p99 {p99:.1f} ms, budget {BUDGET_MS:.0f} ms",
    )


def _bring_to_the_cap(sessions: sessionmaker[Session], readers: list[str]) -> list[str]:
    """Make each reader follow as much as the cap allows: every tag, then the busiest authors."""
    with sessions.begin() as session:
        tags = list(
            session.scalars(
                select(PostTag.tag)
                .where(PostTag.team_id == TEAM)
                .group_by(PostTag.tag)
                .order_by(func.count().desc(), PostTag.tag)
            )
        )
        authors = list(
            session.scalars(
                select(Post.user_id)
                .where(Post.team_id == TEAM)
                .group_by(Post.user_id)
                .order_by(func.count().desc(), Post.user_id)
                .limit(MAX_FOLLOWS)
            )
        )
        wanted = [Target("tag", tag) for tag in tags] + [Target("person", a) for a in authors]
        for reader in readers:
            mine = [w for w in wanted if w != Target("person", reader)]
            follow(session=session, team_id=TEAM, follower_id=reader, targets=mine, now=NOW)
        counts = {
            follow_count(session=session, team_id=TEAM, follower_id=reader) for reader in readers
        }
    note(f"connect: {len(readers)} readers at the cap ({sorted(counts)} follows), {len(tags)} tags")
    return readers


def run(out: Out) -> None:
    kinds = database_kinds()
    for kind in kinds:
        bench(kind, out)
    if "postgresql" not in kinds:
        pg_skipped_note()
