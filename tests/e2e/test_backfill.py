"""History import: a channel's recent past, recorded by the same rules as live events.

Kring joins a public channel (or `kring backfill` runs) and imports its history with
conversations.history and conversations.replies from the stand-in Slack: paged, resumable,
within the rate limits, and never storing anything twice.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from digests.deliver import run_pass
from handlers.backfill import PAGE_SIZE, Pacer, backfill_channel
from standin.harness import Running, running_kring
from standin.slack import StandinSlack
from storage.models import BackfillState, Post
from tests.e2e import db_checks as db
from tests.e2e.cli import kring_cli
from tests.payloads import FIXTURES, event

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # 08:00 in Amsterdam
KICKOFF, JOINING, SHIPPING, ICONS = (
    "1795165200.000100",
    "1795165500.000100",
    "1795165800.000100",
    "1795615200.000100",
)


@cache
def _history() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((FIXTURES / "history" / "design.json").read_text())
    return data


@pytest.fixture
def kring(db_url: str, standin: StandinSlack) -> Iterator[Running]:
    for message in _history():
        standin.add_message("C0DESIGN", message)
    with running_kring(db_url, standin, clock=lambda: NOW) as running:
        yield running


def send(kring: Running, payload: dict[str, Any]) -> None:
    assert kring.slack.post_event(payload).status == 200


def joins(kring: Running, channel: str = "C0DESIGN") -> None:
    """Kring is invited to ``channel``; returns when the background import is done."""
    send(kring, event("member_joined_channel", channel=channel))
    kring.kring.deps.backfills.wait(timeout=60)


def window_calls(standin: StandinSlack) -> list[Any]:
    """conversations.history calls for the window itself (not the look before it for older
    threads with replies inside it, which asks with ``latest``)."""
    return [c for c in standin.calls("conversations.history") if "latest" not in c.params]


def post_count(kring: Running) -> int:
    with kring.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Post)) or 0)


def filler(standin: StandinSlack, channel: str, count: int, start: datetime) -> list[str]:
    """``count`` plain posts by Bob in ``channel``, a minute apart from ``start``."""
    stamps = []
    for i in range(count):
        ts = f"{(start + timedelta(minutes=i)).timestamp():.0f}.{i:06d}"
        standin.add_message(channel, {"user": "U0BOB", "text": f"Note {i} #notes", "ts": ts})
        stamps.append(ts)
    return stamps


def test_kring_joining_a_channel_imports_its_history_by_the_live_rules(kring: Running) -> None:
    assert kring.slack.command("opt-out", user_id="U0DAN", user_name="dan").status == 200
    joins(kring)
    posts = db.posts(kring.sessions)
    # Not the bots (nor a bot's thread reply), Slackbot, the join notice, the opted-out Dan,
    # nor what is older than KRING_BACKFILL_DAYS.
    assert set(posts) == {KICKOFF, JOINING, SHIPPING, ICONS}
    assert posts[JOINING].thread_ts == KICKOFF
    assert posts[KICKOFF].reply_count == 2
    assert db.tags(kring.sessions, SHIPPING) == {"redesign"}
    # A channel link without a name is named by conversations.info, as for live events.
    assert db.tags(kring.sessions, ICONS) == {"release"}
    assert db.mentions(kring.sessions, ICONS) == {"U0CAT"}
    assert posts[ICONS].edited_at is not None
    history = window_calls(kring.standin)
    assert [c.params.get("limit") for c in history] == [str(PAGE_SIZE)]
    assert float(history[0].params["oldest"]) == (NOW - timedelta(days=90)).timestamp()
    # And once just before the window, for older threads with replies inside it.
    before = [c for c in kring.standin.calls("conversations.history") if "latest" in c.params]
    assert [c.params["latest"] for c in before] == [history[0].params["oldest"]]
    assert [c.params["ts"] for c in kring.standin.calls("conversations.replies")] == [KICKOFF]


def test_backfill_after_live_events_and_again_stores_nothing_twice(kring: Running) -> None:
    live = event(
        "message",
        user="U0BOB",
        text="Count me in for the #redesign",
        channel="C0DESIGN",
        ts=JOINING,
        event_ts=JOINING,
        thread_ts=KICKOFF,
    )
    send(kring, live)
    joins(kring)
    assert post_count(kring) == 5  # Dan did not opt out here
    joins(kring)
    assert post_count(kring) == 5
    assert db.posts(kring.sessions)[KICKOFF].reply_count == 2
    assert len(window_calls(kring.standin)) == 2
    with kring.sessions() as s:
        state = s.get(BackfillState, ("T0001", "C0DESIGN"))
        assert state is not None and state.finished_at is not None and state.posts == 0


def import_history(kring: Running, channel_id: str, pacer: Pacer | None = None) -> str | None:
    """Import the last 90 days of one channel as Kring does on joining it; the error, if any."""
    return backfill_channel(
        sessions=kring.sessions,
        client=kring.kring.client,
        team_id="T0001",
        channel_id=channel_id,
        days=90,
        clock=lambda: NOW,
        pacer=pacer or Pacer(per_minute=0),
    ).error


class FailAfter(Pacer):
    """Lets ``calls`` calls through, then makes Slack fail the next conversations.history."""

    def __init__(self, standin: StandinSlack, calls: int) -> None:
        super().__init__(per_minute=0)
        self.standin, self.left = standin, calls

    def wait(self) -> None:
        self.left -= 1
        if self.left == 0:
            self.standin.fail_next("conversations.history", error="internal_error")


def test_interrupted_backfill_resumes_from_its_cursor(kring: Running) -> None:
    stamps = filler(kring.standin, "C0RELEASE", 2 * PAGE_SIZE + 50, NOW - timedelta(days=5))

    def run(pacer: Pacer) -> str | None:
        return import_history(kring, "C0RELEASE", pacer)

    assert run(FailAfter(kring.standin, 2)) == "internal_error"
    assert post_count(kring) == PAGE_SIZE
    with kring.sessions() as s:
        state = s.get(BackfillState, ("T0001", "C0RELEASE"))
        assert state is not None and state.cursor and state.finished_at is None
        cursor = state.cursor
    kring.standin.clear()
    assert run(Pacer(per_minute=0)) is None
    assert set(db.posts(kring.sessions)) == set(stamps)
    calls = window_calls(kring.standin)
    # The second run starts at the page it had reached; the first page is not asked again.
    assert calls[0].params.get("cursor") == cursor
    assert all(c.params.get("cursor") for c in calls)
    assert len(calls) == 2


def test_rate_limited_history_is_asked_again_after_retry_after(kring: Running) -> None:
    kring.standin.fail_next("conversations.history", status=429, retry_after=1)
    joins(kring)
    assert post_count(kring) == 5  # Dan did not opt out here
    calls = window_calls(kring.standin)
    assert len(calls) == 2 and calls[0].params == calls[1].params


def test_imported_posts_do_not_come_back_in_digests_already_sent(kring: Running) -> None:
    assert (
        kring.slack.command("follow <@U0BOB|bob>", user_id="U0ANN", user_name="ann").status == 200
    )
    live = event(
        "message",
        user="U0BOB",
        text="Fresh from today #release",
        channel="C0GENERAL",
        ts=f"{(NOW - timedelta(hours=3)).timestamp():.0f}.000100",
    )
    send(kring, live)

    def digest(at: datetime) -> str:
        kring.standin.clear()
        run_pass(sessions=kring.sessions, client=kring.kring.client, now=at, per_second=None)
        return json.dumps(
            [m for m in kring.standin.posted_messages() if m.get("channel") == "U0ANN"]
        )

    assert "Fresh from today" in digest(NOW + timedelta(hours=1, minutes=1))
    joins(kring)
    assert "New icon set" in db.posts(kring.sessions)[ICONS].text
    # Bob's imported posts were written before the window of the digest already sent.
    assert "New icon set" not in digest(NOW + timedelta(days=1, hours=1, minutes=1))


def test_kring_backfill_command_imports_every_public_channel_and_sums_up(
    db_url: str, engine: Engine, standin: StandinSlack, tmp_path: Path
) -> None:
    for message in _history():
        standin.add_message("C0DESIGN", message)
    stamps = filler(standin, "C0GENERAL", PAGE_SIZE + 1, NOW - timedelta(days=5))
    standin.add_message("C0SECRET", {"user": "U0ANN", "text": "Private", "ts": "1795165200.000200"})

    def backfill(*args: str) -> subprocess.CompletedProcess[str]:
        return kring_cli(db_url, standin, tmp_path, "backfill", "--days", "3650", *args)

    done = backfill()
    assert done.returncode == 0, done.stderr
    # general (2 pages), release (empty) and design (with its old post, inside 3650 days).
    assert done.stdout.strip() == (
        "kring: backfill of 3 channels (3650 days): 4 pages, 212 messages read, "
        f"{PAGE_SIZE + 1 + 6} posts stored, 0 failed"
    )
    again = backfill("--channel", "C0GENERAL", "--channel", "C0MISSING")
    assert again.returncode == 1
    assert again.stdout.strip() == (
        "kring: backfill of 2 channels (3650 days): 2 pages, 201 messages read, "
        "0 posts stored, 1 failed"
    )
    failures = [line for line in again.stderr.splitlines() if line.startswith("kring:")]
    assert failures == ["kring: backfill of C0MISSING failed: channel_not_found"]
    # Progress goes to the log, page by page.
    assert "T0001/C0GENERAL: page 2, 201 messages read" in again.stderr
    assert "Traceback" not in again.stderr
    with running_kring(db_url, standin) as kring:
        assert set(stamps) <= set(db.posts(kring.sessions))
        assert "1795165200.000200" not in db.posts(kring.sessions)


def test_replies_inside_the_window_to_an_older_thread_are_imported(kring: Running) -> None:
    parent = f"{(NOW - timedelta(days=120)).timestamp():.0f}.000100"
    early = f"{(NOW - timedelta(days=119)).timestamp():.0f}.000200"
    recent = f"{(NOW - timedelta(days=3)).timestamp():.0f}.000300"
    quiet = f"{(NOW - timedelta(days=150)).timestamp():.0f}.000400"
    late = f"{(NOW - timedelta(days=149)).timestamp():.0f}.000500"
    standin = kring.standin
    standin.add_message("C0HIRING", {"user": "U0ANN", "text": "Who can interview?", "ts": parent})
    for ts, user, text, thread in (
        (early, "U0BOB", "Me, in March", parent),
        (recent, "U0CAT", "Still open: I can take #hiring interviews", parent),
        (quiet, "U0ANN", "A thread that ended long ago", None),
        (late, "U0BOB", "and stayed ended", quiet),
    ):
        message = {
            "user": user,
            "text": text,
            "ts": ts,
            **({"thread_ts": thread} if thread else {}),
        }
        standin.add_message("C0HIRING", message)

    def run() -> str | None:
        return import_history(kring, "C0HIRING")

    assert run() is None

    # Only the reply inside the window: not the older parent, its early reply, nor a thread
    # whose replies all came before the window.
    posts = db.posts(kring.sessions)
    assert set(posts) == {recent}
    assert posts[recent].thread_ts == parent
    assert db.tags(kring.sessions, recent) == {"hiring"}
    assert [c.params["ts"] for c in standin.calls("conversations.replies")] == [parent]
    # Run again: nothing twice.
    assert run() is None
    assert post_count(kring) == 1
