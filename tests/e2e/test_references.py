"""Shares and links to colleagues' messages, through the real app and the stand-in Slack: they
lift the original in digests, show on profiles, and go with the share."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from standin.harness import Running, running_kring
from standin.slack import StandinSlack
from storage.models import Post, Reference
from tests.e2e.test_privacy import ask, click, count, digest_pass, digest_text
from tests.payloads import event

DAY = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
EVENING = DAY - timedelta(hours=4)
ANN, BOB, CAT = "U0ANN", "U0BOB", "U0CAT"


@pytest.fixture
def kring(db_url: str, standin: StandinSlack) -> Iterator[Running]:
    with running_kring(db_url, standin, clock=lambda: DAY + timedelta(hours=7)) as running:
        yield running


def ts(moment: datetime, seq: int) -> str:
    return f"{moment.timestamp():.0f}.{seq:06d}"


def anns_post(kring: Running) -> str:
    stamp = ts(EVENING, 1)
    message = event("message", user=ANN, text="Billing migration plan", ts=stamp, event_ts=stamp)
    assert kring.slack.post_event(message).status == 200
    return stamp


def share_event(original: str, seq: int) -> dict[str, Any]:
    """Bob shares Ann's message into #random (the fixture, moved to the test's day)."""
    stamp = ts(EVENING + timedelta(minutes=30), seq)
    shared = event("message_share", ts=stamp, event_ts=stamp)
    [attachment] = copy.deepcopy(shared["attachments"])
    link = f"https://kring-test.slack.com/archives/C0GENERAL/p{original.replace('.', '')}"
    attachment.update(ts=original, from_url=link, original_url=link)
    shared["attachments"] = [attachment]
    return shared


def reference_count(kring: Running, stamp: str) -> int:
    with kring.sessions() as s:
        return int(s.scalars(select(Post.reference_count).where(Post.ts == stamp)).one())


def test_a_share_lifts_the_original_in_a_followers_digest_and_on_the_profile(
    kring: Running, standin: StandinSlack
) -> None:
    ask(kring, f"follow <@{ANN}|ann>", user=CAT)
    original = anns_post(kring)
    shared = share_event(original, 2)
    assert kring.slack.post_event(shared, event_id="EvShare1").status == 200
    # Slack retrying the same event: still one reference.
    assert kring.slack.post_event(shared, event_id="EvShare1", retry_num=1).status == 200
    assert count(kring, Reference) == 1

    digest_pass(kring, DAY + timedelta(hours=8, minutes=1))
    shown = digest_text(standin, CAT)
    assert "Billing migration plan" in shown
    assert "shared by 1 person" in shown

    profile = ask(kring, f"profile <@{ANN}|ann>", user=CAT)
    assert f"Quoted most by <@{BOB}> (1)" in profile["text"]


def test_an_unfurl_and_a_permalink_reference_the_original(kring: Running) -> None:
    original = anns_post(kring)
    link = f"https://kring-test.slack.com/archives/C0GENERAL/p{original.replace('.', '')}"
    stamp = ts(EVENING + timedelta(minutes=40), 3)
    plain = event("message", user=CAT, channel="C0RANDOM", text=f"see <{link}>", ts=stamp)
    assert kring.slack.post_event(plain).status == 200
    unfurled = event("message_changed_unfurl", ts=ts(EVENING + timedelta(minutes=41), 4))
    unfurled["message"] = {**unfurled["message"], "user": CAT, "ts": stamp, "text": f"see <{link}>"}
    unfurled["message"]["attachments"][0].update(ts=original, from_url=link, original_url=link)
    assert kring.slack.post_event(unfurled).status == 200
    assert count(kring, Reference) == 1
    assert count(kring, Reference, Reference.author_id == ANN) == 1
    assert reference_count(kring, original) == 1


def test_deleting_the_share_removes_the_reference_and_the_count(kring: Running) -> None:
    original = anns_post(kring)
    shared = share_event(original, 2)
    kring.slack.post_event(shared)
    assert reference_count(kring, original) == 1
    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": "C0RANDOM",
        "channel_type": "channel",
        "ts": ts(EVENING + timedelta(hours=1), 9),
        "deleted_ts": shared["ts"],
    }
    assert kring.slack.post_event(deleted).status == 200
    assert count(kring, Reference) == 0
    assert reference_count(kring, original) == 0


def test_forget_me_of_the_sharer_removes_their_references(kring: Running) -> None:
    original = anns_post(kring)
    kring.slack.post_event(share_event(original, 2))
    assert count(kring, Reference, Reference.user_id == BOB) == 1
    ask(kring, "forget-me", user=BOB)
    click(kring, BOB, {"type": "button", "action_id": "kring_forget_confirm", "value": "forget"})
    kring.standin.wait_for("response_url")
    assert count(kring, Reference) == 0
    assert reference_count(kring, original) == 0
