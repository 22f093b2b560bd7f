"""Channels are topics too: `/kring follow #design` follows the tag and the #design channel.

A public channel Kring is in, picked from Slack's list (`<#C…|design>`) or typed as `#design`
once Kring knows the channel's name, brings its posts without a hashtag into the digest and the
Home tab beside the posts tagged #design anywhere, each once; `/kring following` says so, in
Dutch too, and `/kring unfollow #design` undoes both.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digests.deliver import run_pass
from standin.harness import Running, running_kring
from standin.slack import StandinSlack
from tests.e2e.cli import kring_cli
from tests.payloads import event

DAY = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
NOW = DAY + timedelta(hours=7)  # 08:00 in Amsterdam
EVENING = DAY - timedelta(hours=4)
ANN = {"user_id": "U0ANN", "user_name": "ann"}
EVA = {"user_id": "U0EVA", "user_name": "eva"}  # Dutch


@pytest.fixture
def kring(db_url: str, standin: StandinSlack) -> Iterator[Running]:
    standin.add_user("U0EVA", "eva", real_name="Eva Visser", title="Ontwerper", locale="nl-NL")
    with running_kring(db_url, standin, clock=lambda: NOW) as running:
        yield running


def send(kring: Running, payload: dict[str, object]) -> None:
    assert kring.slack.post_event(payload).status == 200


def say(kring: Running, user: str, text: str, *, channel: str, seq: int) -> None:
    ts = f"{EVENING.timestamp():.0f}.{seq:06d}"
    send(kring, event("message", user=user, text=text, channel=channel, ts=ts, event_ts=ts))


def command(kring: Running, text: str, who: dict[str, str] = ANN) -> str:
    answer = kring.slack.command(text, **who)
    assert answer.status == 200
    return str(answer.json()["text"])


def digest_of(kring: Running, user: str) -> str:
    dms = [m for m in kring.standin.posted_messages() if m.get("channel") == user]
    assert len(dms) == 1, f"one digest for {user}"
    return json.dumps(dms[0], ensure_ascii=False)


def home_of(kring: Running, user: str) -> str:
    send(kring, event("app_home_opened", user=user))
    return json.dumps(kring.standin.home_view(user), ensure_ascii=False)


def test_following_a_channel_as_a_topic_brings_its_posts_and_the_tags(kring: Running) -> None:
    # Kring is invited to #design: from then on it knows the channel by name.
    send(kring, event("member_joined_channel", channel="C0DESIGN"))
    assert "#design (kanaal en tag)" in command(kring, "volg #design", EVA)
    # Picked from Slack's channel list.
    assert "You now follow #design (channel and tag)." in command(
        kring, "follow <#C0DESIGN|design>"
    )
    assert "#design (channel and tag)" in command(kring, "following")
    assert "#design (kanaal en tag)" in command(kring, "volgend", EVA)
    assert "tags and channels" in command(kring, "help")
    assert "tags en kanalen" in command(kring, "help", EVA)

    say(kring, "U0BOB", "New icon set for the app", channel="C0DESIGN", seq=1)  # no hashtag
    say(kring, "U0CAT", "Colour palette for Q1 #design", channel="C0GENERAL", seq=2)
    say(kring, "U0BOB", "Grid spacing proposal #design", channel="C0DESIGN", seq=3)  # both
    say(kring, "U0DAN", "Lunch anyone?", channel="C0GENERAL", seq=4)  # neither

    report = run_pass(
        sessions=kring.sessions,
        client=kring.kring.client,
        now=DAY + timedelta(hours=8, minutes=1),  # 09:01 in Amsterdam
        per_second=None,
    )
    assert report.sent == 2
    for user in ("U0ANN", "U0EVA"):
        digest = digest_of(kring, user)
        home = home_of(kring, user)
        for shown in (digest, home):
            assert "New icon set" in shown
            assert "Colour palette" in shown
            assert shown.count("Grid spacing") == 1  # in the channel and tagged: once
            assert "Lunch anyone" not in shown
    assert "channel:C0DESIGN" in home_of(kring, "U0ANN")  # its own Unfollow button
    assert json.loads(digest_of(kring, "U0ANN"))["text"].startswith(
        "Your Kring digest: 3 posts from 2 people"
    )

    assert "You no longer follow #design (channel and tag)." in command(kring, "unfollow #design")
    assert "You don't follow anyone" in command(kring, "following")


def test_a_channel_kring_is_not_in_stays_a_tag(kring: Running, standin: StandinSlack) -> None:
    standin.add_channel("C0OUTSIDE", "outside", is_member=False)
    assert command(kring, "follow <#C0OUTSIDE|outside> #design") == (
        "You now follow #design and #outside. Their posts will come in your daily digest."
    )
    assert "(channel" not in command(kring, "following")


def test_a_renamed_channel_stays_followed_and_a_closed_one_stops(kring: Running) -> None:
    assert "#design (channel and tag)" in command(kring, "follow <#C0DESIGN|design>")
    send(kring, event("channel_rename"))  # #design is now #design-crit
    assert "#design, #design-crit (channel)" in command(kring, "following")
    say(kring, "U0BOB", "Critique at three", channel="C0DESIGN", seq=1)
    assert "Critique at three" in home_of(kring, "U0ANN")
    send(kring, event("channel_left", channel="C0DESIGN"))  # Kring was removed
    say(kring, "U0BOB", "Critique moved to four", channel="C0DESIGN", seq=2)
    home = home_of(kring, "U0ANN")
    assert "Critique" not in home
    report = run_pass(
        sessions=kring.sessions,
        client=kring.kring.client,
        now=DAY + timedelta(hours=8, minutes=1),
        per_second=None,
    )
    assert report.sent == 0


def test_the_daily_audit_names_a_channel_kring_was_in_before_it_knew_its_name(
    kring: Running, db_url: str, standin: StandinSlack, tmp_path: Path
) -> None:
    # Posts from #design, but no join or rename event ever told Kring the channel's name (it
    # was invited before names were kept): typed, #design is only the tag.
    say(kring, "U0BOB", "New icon set for the app", channel="C0DESIGN", seq=1)
    assert "(channel" not in command(kring, "follow #design")
    assert "New icon set" not in home_of(kring, "U0ANN")

    done = kring_cli(db_url, standin, tmp_path, "maintenance", "run")
    assert done.returncode == 0, done.stderr
    assert "channel audit: 1 channels checked, 0 gone" in done.stdout

    assert "#design (channel and tag)" in command(kring, "follow #design")
    assert "New icon set" in home_of(kring, "U0ANN")
    # Renamed in Slack while no event came through: the next audit keeps the name current.
    standin.add_channel("C0DESIGN", "design-crit")
    assert kring_cli(db_url, standin, tmp_path, "maintenance", "run").returncode == 0
    assert "#design, #design-crit (channel)" in command(kring, "following")
