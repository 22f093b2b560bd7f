"""`/kring opt-out`, `opt-in`, `export` and `forget-me`, and deactivated members, through the
real app and the stand-in Slack."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from digests.deliver import PassReport, run_pass
from standin.harness import Running, running_kring
from standin.slack import StandinSlack
from storage.models import (
    DigestDelivery,
    DigestSetting,
    Follow,
    Mention,
    Mute,
    Permalink,
    Person,
    Post,
    PostTag,
)
from tests.e2e import db_checks as db
from tests.payloads import event

# 2026-11-27 is a Friday; everyone lives in Amsterdam (UTC+1): 09:00 local is 08:00 UTC.
DAY = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
EVENING = DAY - timedelta(hours=4)
ANN, BOB, CAT = "U0ANN", "U0BOB", "U0CAT"


@pytest.fixture
def kring(db_url: str, standin: StandinSlack) -> Iterator[Running]:
    with running_kring(db_url, standin, clock=lambda: DAY + timedelta(hours=7)) as running:
        yield running


def ts(moment: datetime, seq: int) -> str:
    return f"{moment.timestamp():.0f}.{seq:06d}"


def say(
    kring: Running, user: str, text: str, at: datetime, seq: int, thread_ts: str | None = None
) -> str:
    stamp = ts(at, seq)
    message = event("message", user=user, text=text, ts=stamp, event_ts=stamp)
    if thread_ts is not None:
        message["thread_ts"] = thread_ts
    assert kring.slack.post_event(message).status == 200
    return stamp


def react(kring: Running, user: str, stamp: str) -> None:
    reaction = event(
        "reaction_added", user=user, item={"type": "message", "channel": "C0GENERAL", "ts": stamp}
    )
    assert kring.slack.post_event(reaction).status == 200


def ask(kring: Running, text: str, user: str = ANN) -> dict[str, Any]:
    """A slash command; its answer is an ephemeral acknowledgement within Slack's 3 seconds."""
    started = time.monotonic()
    answer = kring.slack.command(text, user_id=user, user_name=user.lower())
    assert time.monotonic() - started < 3.0, "Slack gives commands 3 seconds"
    assert answer.status == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert body.get("response_type") == "ephemeral"
    return body


def digest_pass(kring: Running, at: datetime) -> PassReport:
    return run_pass(sessions=kring.sessions, client=kring.kring.client, now=at, per_second=None)


def digest_text(standin: StandinSlack, user: str) -> str:
    """Everything in the last digest DM to ``user``."""
    [*_, last] = [m for m in standin.posted_messages() if m.get("channel") == user]
    raw = last.get("blocks")
    return json.dumps(json.loads(raw) if isinstance(raw, str) else raw, ensure_ascii=False)


def click(kring: Running, user: str, action: dict[str, Any]) -> None:
    """Click a button in an ephemeral command answer (Kring answers on its response_url)."""
    response_url = kring.standin.new_response_url()
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": "T0001"},
        "team": {"id": "T0001", "domain": "kring-test"},
        "api_app_id": "A0001",
        "container": {
            "type": "message",
            "channel_id": "C0001",
            "message_ts": "1764300000.000100",
            "is_ephemeral": True,
        },
        "channel": {"id": "C0001", "name": "general"},
        "trigger_id": "1.2.3",
        "response_url": response_url,
        "actions": [{**action, "block_id": "b", "action_ts": "1764300001.0"}],
    }
    assert kring.slack.action(payload).status == 200


def count(kring: Running, model: type, *where: Any) -> int:
    with kring.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


# --- export ------------------------------------------------------------------------------------


def test_export_arrives_as_a_json_file_in_a_dm(kring: Running, standin: StandinSlack) -> None:
    mine = say(kring, ANN, "Colour tokens are live #design", EVENING, 1)
    react(kring, BOB, mine)
    ask(kring, "follow <@U0BOB|bob> #release")
    ask(kring, f"follow <@{ANN}|ann>", user=BOB)
    ask(kring, "mute #lunch")
    ask(kring, "digest weekdays")

    body = ask(kring, "export")
    assert body["text"].startswith("Sending your export to your DMs")
    [done] = standin.wait_for("response_url")
    assert "in your DMs" in str(done.params["text"])
    [upload] = [f for f in standin.uploaded_files() if f.completed]
    assert upload.channels == [f"D{ANN}"]
    assert upload.filename == f"kring-export-{ANN}.json"
    assert upload.content is not None
    data = json.loads(upload.content)
    assert data["user_id"] == ANN and data["profile"]["real_name"] == "Ann Jansen"
    [post] = data["posts"]
    assert post["text"] == "Colour tokens are live #design" and post["tags"] == ["design"]
    assert post["reactions"] == {"tada": 1}
    assert {(f["kind"], f["target"]) for f in data["following"]} == {
        ("person", BOB),
        ("tag", "release"),
    }
    assert [f["user_id"] for f in data["followers"]] == [BOB]
    assert [m["target"] for m in data["mutes"]] == ["lunch"]
    assert data["digest_settings"]["frequency"] == "weekdays"


def test_export_command_help_explains_it(kring: Running) -> None:
    assert "/kring export" in ask(kring, "export help")["text"]


# --- opt-out / opt-in --------------------------------------------------------------------------


def test_opted_out_person_is_not_recorded_and_leaves_who(kring: Running) -> None:
    bobs = say(kring, BOB, "Grid system #design", EVENING, 1)
    say(kring, ANN, "Colour tokens #design", EVENING, 2)
    assert f"<@{ANN}>" in ask(kring, "who #design", user=CAT)["text"]

    assert "no longer records" in ask(kring, "opt-out")["text"]
    assert "already opted out" in ask(kring, "opt-out")["text"]
    later = say(kring, ANN, "Typography notes #design", DAY + timedelta(hours=1), 3)
    react(kring, ANN, bobs)
    mention = say(kring, BOB, f"Thanks <@{ANN}> and <@{CAT}>", DAY + timedelta(hours=1), 4)
    stored = db.posts(kring.sessions)
    assert later not in stored
    assert db.reactions(kring.sessions) == []
    assert db.mentions(kring.sessions, mention) == {CAT}
    who = ask(kring, "who #design", user=CAT)["text"]
    assert f"<@{ANN}>" not in who and f"<@{BOB}>" in who

    assert "Welcome back" in ask(kring, "opt-in")["text"]
    again = say(kring, ANN, "Back to posting #design", DAY + timedelta(hours=2), 5)
    assert again in db.posts(kring.sessions)


# --- forget-me ---------------------------------------------------------------------------------


def test_forget_me_deletes_everything_after_the_button(
    kring: Running, standin: StandinSlack
) -> None:
    ask(kring, f"follow <@{ANN}|ann> #design", user=CAT)
    ask(kring, f"follow <@{BOB}|bob>")
    ask(kring, f"follow <@{ANN}|ann>", user=BOB)
    ask(kring, f"mute <@{CAT}|cat> #lunch")
    ask(kring, f"mute <@{ANN}|ann>", user=BOB)
    ask(kring, "digest daily")
    mine = say(kring, ANN, "Colour tokens #design", EVENING, 1)
    bobs = say(kring, BOB, f"Grid system #design, thanks <@{ANN}>", EVENING, 2)
    say(kring, ANN, "Love it", EVENING + timedelta(minutes=5), 3, thread_ts=bobs)
    react(kring, ANN, bobs)
    react(kring, CAT, bobs)
    digest_pass(kring, DAY + timedelta(hours=8, minutes=1))
    assert "Colour tokens" in digest_text(standin, CAT)
    assert "Grid system" in digest_text(standin, ANN)
    assert count(kring, Permalink, Permalink.ts == mine) == 1
    assert count(kring, DigestDelivery, DigestDelivery.user_id == ANN) == 1
    afternoon = say(kring, ANN, "Afternoon idea #design", DAY + timedelta(hours=10), 4)
    say(kring, BOB, "Evening update #design", DAY + timedelta(hours=11), 5)

    body = ask(kring, "forget-me")
    assert "deletes everything Kring holds about you" in body["text"]
    [button] = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["value"], button["style"]) == (
        "kring_forget_confirm",
        "forget",
        "danger",
    )
    assert button["confirm"]["style"] == "danger"
    assert count(kring, Post, Post.user_id == ANN) == 3  # nothing happens before the click

    click(kring, ANN, {"type": "button", "action_id": button["action_id"], "value": "forget"})
    [done] = standin.wait_for("response_url")
    assert done.params["replace_original"] is True
    assert "Kring forgot you" in str(done.params["text"])
    assert "posts: 3" in str(done.params["text"])

    # From the database, table by table.
    assert count(kring, Post, Post.user_id == ANN) == 0
    assert count(kring, PostTag) == 2  # Bob's two #design posts
    assert count(kring, Mention) == 0
    assert db.reactions(kring.sessions) == [(CAT, "tada")]
    assert count(kring, Follow, Follow.follower_id == ANN) == 0
    assert count(kring, Follow, Follow.target == ANN) == 0
    assert count(kring, Follow) == 1  # Cat's #design
    assert count(kring, Mute) == 0
    assert count(kring, DigestSetting, DigestSetting.user_id == ANN) == 0
    assert count(kring, DigestDelivery, DigestDelivery.user_id == ANN) == 0
    assert count(kring, Permalink, Permalink.ts.in_([mine, afternoon])) == 0
    parent = db.posts(kring.sessions)[bobs]
    assert (parent.reaction_count, parent.reactor_count, parent.reply_count) == (1, 1, 0)
    marker = db.person(kring.sessions, ANN)
    assert marker is not None and marker.forgotten and marker.opted_out
    assert (marker.real_name, marker.title, marker.tz) == ("", "", None)

    # Gone from Cat's next digest; and Ann is not recorded again, nor her profile.
    second = digest_pass(kring, DAY + timedelta(days=1, hours=8, minutes=1))
    assert second.sent == 1
    shown = digest_text(standin, CAT)
    assert "Evening update" in shown and "Afternoon idea" not in shown
    assert ANN not in shown
    later = say(kring, ANN, "Still here #design", DAY + timedelta(days=1, hours=9), 6)
    assert later not in db.posts(kring.sessions)
    ask(kring, "help")
    kring.slack.post_event(event("user_change"))  # Ann's profile changes in Slack
    marker = db.person(kring.sessions, ANN)
    assert marker is not None and (marker.real_name, marker.title) == ("", "")


# --- deactivated members -----------------------------------------------------------------------


def test_deactivated_member_is_hidden_from_digests_and_who(
    kring: Running, standin: StandinSlack
) -> None:
    ask(kring, f"follow <@{BOB}|bob> #design", user=CAT)
    say(kring, BOB, "Grid system #design", EVENING, 1)
    say(kring, ANN, "Colour tokens #design", EVENING, 2)
    assert f"<@{BOB}>" in ask(kring, "who #design", user=CAT)["text"]
    bob = {"id": BOB, "team_id": "T0001", "name": "bob", "deleted": True, "profile": {}}
    assert kring.slack.post_event(event("user_change", user=bob)).status == 200
    gone = db.person(kring.sessions, BOB)
    assert gone is not None and gone.deleted

    report = digest_pass(kring, DAY + timedelta(hours=8, minutes=1))
    assert report.sent == 1
    shown = digest_text(standin, CAT)
    assert "Colour tokens" in shown and "Grid system" not in shown
    assert f"<@{BOB}>" not in ask(kring, "who #design", user=CAT)["text"]


def test_forgetting_someone_with_nothing_recorded_leaves_only_the_marker(kring: Running) -> None:
    body = ask(kring, "forget-me", user=CAT)
    [button] = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    click(kring, CAT, {"type": "button", "action_id": button["action_id"], "value": "forget"})
    [done] = kring.standin.wait_for("response_url")
    assert "posts: 0" in str(done.params["text"])
    with kring.sessions() as s:
        people = {p.user_id: p for p in s.scalars(select(Person))}
    assert people[CAT].forgotten and people[CAT].real_name == ""
