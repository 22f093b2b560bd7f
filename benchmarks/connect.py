"""Connect people: `who`, `trending`, `profile`, `suggest` and the Home view on the big workspace.

The workspace is the digest benchmark's (10,000 people, 1,000,000 posts over 30 days, 40 people
and 8 tags followed per person; see ``benchmarks/digest.py``), generated or taken from its cache.
Each answer is computed the way a person gets it in Slack: the subcommand runs through
``handlers.commands.run_command`` (its own transaction, profile look-ups, Block Kit rendering),
with the Web API pointed at the stand-in Slack; the Home view is ``handlers.home.build_home``.
The clock reads the workspace's ``NOW``.

For each kind of answer, ``SAMPLES`` different people ask (a different tag, person or reader each
time, drawn with a fixed seed), after two warm-up answers. Figures, per database:
``connect_<db>_<answer>_p50_ms`` / ``_p99_ms`` / ``_max_ms``; budget: p99 ≤ 200 ms each.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import func, select

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
from storage.models import Follow, PostTag

TEAM = "T0001"
BUDGET_MS = 200.0
SAMPLES = 60


def _timed(samples: list[Callable[[], Any]]) -> list[float]:
    for warm in samples[:2]:
        warm()
    out = []
    for call in samples:
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


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
                        session=session, team_id=TEAM, user_id=who, lang="en", now=NOW
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
            ms = _timed(samples)
            p99 = percentile(ms, 99)
            out(f"connect_{kind}_{name}_p50_ms", percentile(ms, 50), "ms")
            out(f"connect_{kind}_{name}_p99_ms", p99, "ms")
            out(f"connect_{kind}_{name}_max_ms", max(ms), "ms")
            budget(
                f"connect_{kind}_{name}_p99",
                p99 <= BUDGET_MS,
                f"p99 {p99:.1f} ms, budget {BUDGET_MS:.0f} ms",
            )
        engine.dispose()


def run(out: Out) -> None:
    kinds = database_kinds()
    for kind in kinds:
        bench(kind, out)
    if "postgresql" not in kinds:
        pg_skipped_note()
