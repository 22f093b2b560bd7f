"""Channels that leave Kring's public view take their posts along, everywhere, for good.

Kring removed from a channel, the channel deleted or made private: its posts leave the Home
tab, digests and profiles, events from it are ignored until Kring is invited again as a
public channel, and the daily audit (`kring maintenance run`) finds what no event told.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from digests.deliver import run_pass
from standin.harness import Running, running_kring
from standin.slack import StandinSlack
from storage.digests import remember_permalinks
from storage.models import ClosedChannel, Mention, Permalink, Post, PostTag, Reaction, TagDay
from tests.e2e import db_checks as db
from tests.e2e.cli import kring_cli
from tests.payloads import event

DAY = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
NOW = DAY + timedelta(hours=7)  # 08:00 in Amsterdam
EVENING = DAY - timedelta(hours=4)
ANN = {"user_id": "U0ANN", "user_name": "ann"}


@pytest.fixture
def kring(db_url: str, standin: StandinSlack) -> Iterator[Running]:
    with running_kring(db_url, standin, clock=lambda: NOW) as running:
        yield running


def stamp(moment: datetime, seq: int) -> str:
    return f"{moment.timestamp():.0f}.{seq:06d}"


def send(kring: Running, payload: dict[str, Any]) -> None:
    assert kring.slack.post_event(payload).status == 200


def say(
    kring: Running,
    user: str,
    text: str,
    *,
    channel: str = "C0GENERAL",
    seq: int,
    at: datetime = EVENING,
    thread_ts: str | None = None,
) -> str:
    ts = stamp(at, seq)
    message = event("message", user=user, text=text, channel=channel, ts=ts, event_ts=ts)
    if thread_ts:
        message["thread_ts"] = thread_ts
    send(kring, message)
    return ts


def command(kring: Running, text: str) -> str:
    answer = kring.slack.command(text, **ANN)
    assert answer.status == 200
    return json.dumps(answer.json(), ensure_ascii=False)


def home(kring: Running) -> str:
    send(kring, event("app_home_opened", user="U0ANN"))
    return json.dumps(kring.standin.home_view("U0ANN"), ensure_ascii=False)


def digest(kring: Running) -> str:
    run_pass(
        sessions=kring.sessions,
        client=kring.kring.client,
        now=DAY + timedelta(hours=8, minutes=1),
        per_second=None,
    )
    dms = [m for m in kring.standin.posted_messages() if m.get("channel") == "U0ANN"]
    return json.dumps(dms, ensure_ascii=False)


def counts(kring: Running) -> dict[str, int]:
    """How many rows hang on posts of #general, and the per-day count of #release."""
    with kring.sessions() as s:
        general = select(Post.id).where(Post.channel_id == "C0GENERAL")
        out = {
            model.__tablename__: int(
                s.scalar(select(func.count()).where(model.post_id.in_(general))) or 0
            )
            for model in (PostTag, Mention, Reaction)
        }
        out["permalinks"] = int(
            s.scalar(select(func.count()).where(Permalink.channel_id == "C0GENERAL")) or 0
        )
        out["release_days"] = int(
            s.scalar(
                select(func.coalesce(func.sum(TagDay.posts), 0)).where(TagDay.tag == "release")
            )
            or 0
        )
        return out


@pytest.fixture
def talk(kring: Running) -> dict[str, str]:
    """Ann follows Bob and #release. Bob posted in #general (tagged, mentioning Cat, with a
    reaction and a reply) and in #design; Ann looked at his profile (permalinks cached)."""
    assert "You now follow" in command(kring, "follow <@U0BOB|bob> #release")
    general = say(kring, "U0BOB", "Billing moved to Postgres #release thanks <@U0CAT>", seq=1)
    send(
        kring,
        event(
            "reaction_added",
            user="U0CAT",
            item={"type": "message", "channel": "C0GENERAL", "ts": general},
        ),
    )
    reply = say(kring, "U0DAN", "Nice work on billing", seq=2, thread_ts=general)
    design = say(kring, "U0BOB", "New icon set #design", channel="C0DESIGN", seq=3)
    assert "Billing moved" in command(kring, "profile <@U0BOB>")
    assert counts(kring) == {
        "post_tags": 1,
        "mentions": 1,
        "reactions": 1,
        "permalinks": 1,
        "release_days": 1,
    }
    return {"general": general, "reply": reply, "design": design}


CLOSING = {
    "removed": event("channel_left"),
    "removed, told as a member leaving": event("member_left_channel"),
    "deleted": event("channel_deleted"),
    "made private": event("channel_convert_to_private"),
    # A bot without private-channel scopes may miss the conversion itself, not what follows.
    "a deletion seen after it went private": event(
        "message_deleted", channel_type="group", deleted_ts="1764316800.000100"
    ),
}


@pytest.mark.parametrize("closing", CLOSING.values(), ids=CLOSING.keys())
def test_channel_leaving_the_public_view_leaves_home_digest_and_profile(
    kring: Running, talk: dict[str, str], closing: dict[str, Any]
) -> None:
    send(kring, closing)
    assert set(db.posts(kring.sessions)) == {talk["design"]}
    assert counts(kring) == {
        "post_tags": 0,
        "mentions": 0,
        "reactions": 0,
        "permalinks": 0,
        "release_days": 0,
    }
    for shown in (home(kring), command(kring, "profile <@U0BOB>"), digest(kring)):
        assert "New icon set" in shown
        assert "Billing" not in shown


def test_archived_channel_keeps_its_posts(kring: Running, talk: dict[str, str]) -> None:
    send(kring, event("channel_archive"))
    send(kring, event("channel_unarchive"))
    assert set(db.posts(kring.sessions)) == set(talk.values())
    assert "Billing moved" in home(kring)


def test_closed_channel_is_ignored_until_kring_is_invited_again(
    kring: Running, talk: dict[str, str]
) -> None:
    send(kring, event("channel_left"))
    later = say(kring, "U0BOB", "Still here #release", seq=4)
    send(kring, event("message_changed", channel="C0GENERAL"))
    send(kring, event("reaction_added"))
    # Someone else joining changes nothing; only Kring's own invitation does.
    send(kring, event("member_joined_channel", user="U0DAN"))
    say(kring, "U0BOB", "Anyone? #release", seq=5)
    assert set(db.posts(kring.sessions)) == {talk["design"]}
    send(kring, event("member_joined_channel"))
    back = say(kring, "U0BOB", "Kring is back #release", seq=6)
    assert set(db.posts(kring.sessions)) == {talk["design"], back}
    assert later not in db.posts(kring.sessions)


def test_deletion_after_conversion_finds_nothing_left_and_retries_bring_nothing_back(
    kring: Running, talk: dict[str, str]
) -> None:
    send(kring, event("channel_convert_to_private"))
    send(kring, event("message_deleted", channel_type="group", deleted_ts=talk["general"]))
    # Slack retrying an event sent while the channel was public.
    original = event(
        "message", user="U0BOB", text="Billing moved", ts=talk["general"], event_ts=talk["general"]
    )
    assert kring.slack.post_event(original, retry_num=1).status == 200
    assert set(db.posts(kring.sessions)) == {talk["design"]}


def test_channel_made_public_again_is_recorded_again(kring: Running, talk: dict[str, str]) -> None:
    send(kring, event("channel_convert_to_private"))
    send(kring, event("channel_convert_to_public"))
    again = say(kring, "U0BOB", "Open again #release", seq=7)
    assert set(db.posts(kring.sessions)) == {talk["design"], again}


def test_kring_invited_to_a_private_channel_keeps_it_closed(kring: Running) -> None:
    send(kring, event("member_joined_channel", channel="C0SECRET", channel_type="G"))
    with kring.sessions() as s:
        assert s.scalars(select(ClosedChannel.channel_id)).all() == ["C0SECRET"]


def test_new_channel_id_keeps_posts_and_closure_with_the_channel(
    kring: Running, talk: dict[str, str]
) -> None:
    send(kring, event("channel_id_changed"))
    assert {p.channel_id for p in db.posts(kring.sessions).values()} == {"C0GENERAL2", "C0DESIGN"}
    send(kring, event("channel_left", channel="C0GENERAL2"))
    send(kring, event("channel_id_changed", old_channel_id="C0GENERAL2", new_channel_id="C0GEN3"))
    say(kring, "U0BOB", "After the move #release", channel="C0GEN3", seq=8)
    assert set(db.posts(kring.sessions)) == {talk["design"]}


# --- the audit: `kring maintenance run` ---------------------------------------------------------


def maintenance(
    db_url: str, standin: StandinSlack, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """`kring maintenance run` as its own process, as cron would run it."""
    return kring_cli(db_url, standin, tmp_path, "maintenance", "run")


def test_maintenance_run_purges_old_posts_and_channels_kring_can_no_longer_see(
    db_url: str, standin: StandinSlack, tmp_path: Path
) -> None:
    # Timestamps against the real clock: the command runs on it.
    recent = datetime.now(UTC) - timedelta(days=2)
    standin.add_channel("C0DESIGN", "design", is_archived=True, is_member=False)
    standin.add_channel("C0RELEASE", "release", is_private=True)
    standin.add_channel("C0LEFT", "left-out", is_member=False)
    with running_kring(db_url, standin) as kring:
        kept = {
            say(kring, "U0ANN", "Public and Kring is in it", seq=1, at=recent),
            say(kring, "U0ANN", "Archived, still readable", channel="C0DESIGN", seq=2, at=recent),
        }
        for seq, channel in enumerate(("C0RELEASE", "C0LEFT", "C0VANISHED"), start=3):
            say(kring, "U0BOB", "Soon gone #release", channel=channel, seq=seq, at=recent)
        old = say(kring, "U0CAT", "Last year", seq=9, at=recent - timedelta(days=400))
        with kring.sessions.begin() as s:
            remember_permalinks(
                session=s, team_id="T0001", links={("C0GENERAL", old): "https://x/old"}
            )
        standin.clear()
        # Slack asks the audit to slow down once; the client waits and asks again.
        standin.fail_next("conversations.info", status=429, retry_after=1)
        done = maintenance(db_url, standin, tmp_path)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        assert done.stdout.strip() == (
            "kring: retention deleted 1 posts older than 365 days and 1 cached permalinks; "
            "channel audit: 5 channels checked, 3 gone (3 posts deleted)"
        )
        calls = standin.calls("conversations.info")
        assert calls[0].status == 429 and calls[1].params == calls[0].params
        assert set(db.posts(kring.sessions)) == kept
        with kring.sessions() as s:
            assert int(s.scalar(select(func.count()).select_from(Permalink)) or 0) == 0
            assert sorted(s.scalars(select(ClosedChannel.channel_id))) == [
                "C0LEFT",
                "C0RELEASE",
                "C0VANISHED",
            ]
        # Whatever still arrives from them is not recorded.
        say(kring, "U0BOB", "Late #release", channel="C0RELEASE", seq=10, at=recent)
        assert set(db.posts(kring.sessions)) == kept


def test_maintenance_run_keeps_posts_when_slack_cannot_answer(
    db_url: str, standin: StandinSlack, tmp_path: Path
) -> None:
    with running_kring(db_url, standin) as kring:
        posted = say(kring, "U0ANN", "Kept", seq=1, at=datetime.now(UTC) - timedelta(days=1))
        # More 500s than the client retries.
        standin.fail_next("conversations.info", status=500, times=5)
        done = maintenance(db_url, standin, tmp_path)
        assert done.returncode == 1
        assert "1 not answered (tried again next run)" in done.stdout
        assert set(db.posts(kring.sessions)) == {posted}
