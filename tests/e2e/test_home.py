"""The App Home tab, as people use it: opened, then changed from its own controls."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from standin.harness import Running, running_kring
from standin.slack import StandinSlack
from tests.payloads import event

DAY = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
ANN = {"user_id": "U0ANN", "user_name": "ann"}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def kring(db_url: str, standin: StandinSlack) -> Iterator[Running]:
    with running_kring(db_url, standin, clock=Clock(DAY + timedelta(hours=7))) as running:
        yield running


def command(kring: Running, text: str, user: dict[str, str] = ANN) -> str:
    answer = kring.slack.command(text, **user)
    assert answer.status == 200
    return str(answer.json()["text"])


def say(kring: Running, user: str, text: str, minutes_ago: int, seq: int) -> None:
    stamp = f"{(DAY - timedelta(minutes=minutes_ago)).timestamp():.0f}.{seq:06d}"
    message = {
        "type": "message",
        "channel": "C0GENERAL",
        "channel_type": "channel",
        "user": user,
        "text": text,
        "ts": stamp,
        "event_ts": stamp,
    }
    assert kring.slack.post_event(message).status == 200


def open_home(kring: Running, user: str = "U0ANN") -> dict[str, Any]:
    before = len(kring.standin.calls("views.publish"))
    assert kring.slack.post_event(event("app_home_opened", user=user)).status == 200
    assert len(kring.standin.calls("views.publish")) == before + 1
    view = kring.standin.home_view(user)
    assert view is not None
    return view


def click(kring: Running, view: dict[str, Any], action: dict[str, Any]) -> dict[str, Any]:
    """A block_actions payload from the Home view, as Slack sends it (no response_url)."""
    before = len(kring.standin.calls("views.publish"))
    payload = {
        "type": "block_actions",
        "user": {"id": "U0ANN", "username": "ann", "team_id": "T0001"},
        "team": {"id": "T0001", "domain": "kring-test"},
        "api_app_id": "A0001",
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": "1.2.3",
        "view": {
            "id": view["id"],
            "team_id": "T0001",
            "type": "home",
            "blocks": view["blocks"],
            "private_metadata": "",
            "callback_id": "",
            "hash": view["hash"],
            "app_id": "A0001",
            "bot_id": "BKRING",
        },
        "actions": [{"block_id": "b", "action_ts": "1764318000.000100", **action}],
    }
    assert kring.slack.action(payload).status == 200
    assert len(kring.standin.calls("views.publish")) == before + 1, "the Home was republished"
    assert kring.standin.calls("response_url") == []
    republished = kring.standin.home_view("U0ANN")
    assert republished is not None and republished["id"] == view["id"]
    return republished


def control(view: dict[str, Any], action_id: str) -> dict[str, Any]:
    for block in view["blocks"]:
        for element in [block.get("accessory") or {}, *(block.get("elements") or [])]:
            if element.get("action_id") == action_id:
                return dict(element)
    raise AssertionError(f"no {action_id} in the Home")


def values(view: dict[str, Any], action_id: str) -> list[str]:
    return [
        b["accessory"]["value"]
        for b in view["blocks"]
        if (b.get("accessory") or {}).get("action_id") == action_id
    ]


def shown(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


@pytest.fixture
def following(kring: Running) -> Running:
    """Ann follows Bob and #release; people shared things yesterday evening."""
    assert "You now follow" in command(kring, "follow <@U0BOB|bob> #release")
    say(kring, "U0BOB", "Migrated the billing service to Postgres 16", 240, 1)
    say(kring, "U0CAT", "Roadmap for Q1 is up #release", 120, 2)
    say(kring, "U0DAN", "Lunch anyone?", 60, 3)
    command(kring, "follow <@U0DAN|dan>", {"user_id": "U0BOB", "user_name": "bob"})
    return kring


def test_opening_the_home_tab_publishes_feed_follows_digest_and_suggestions(
    following: Running,
) -> None:
    view = open_home(following)
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    text = shown(view)
    # Feed, newest first; Dan is not followed.
    assert text.index("Roadmap for Q1") < text.index("Migrated the billing")
    assert "Lunch anyone" not in text
    assert "<@U0CAT>" in text and "<#C0GENERAL>" in text
    assert values(view, "kring_home_unfollow") == ["person:U0BOB", "tag:release"]
    assert control(view, "kring_home_time")["initial_time"] == "09:00"
    assert control(view, "kring_home_frequency")["initial_option"]["value"] == "daily"
    # Ann's Slack locale is en-US: a 12-hour clock in text; the time picker always takes HH:MM.
    assert "every day at 9:00\u202fAM" in text and "Europe/Amsterdam" in text
    # Bob, whom Ann follows, follows Dan; and Cat posts about #release.
    assert {"person:U0DAN", "person:U0CAT"} <= set(values(view, "kring_follow"))


def test_messages_tab_is_acknowledged_without_publishing(kring: Running) -> None:
    answer = kring.slack.post_event(event("app_home_opened", tab="messages"))
    assert answer.status == 200
    assert kring.standin.calls("views.publish") == []


def test_time_picker_and_frequency_menu_change_the_digest(following: Running) -> None:
    view = open_home(following)
    view = click(
        following,
        view,
        {"type": "timepicker", "action_id": "kring_home_time", "selected_time": "07:45"},
    )
    assert control(view, "kring_home_time")["initial_time"] == "07:45"
    assert "every day at 7:45\u202fAM" in command(following, "digest")
    weekly = next(
        o for o in control(view, "kring_home_frequency")["options"] if o["value"] == "weekly"
    )
    view = click(
        following,
        view,
        {
            "type": "static_select",
            "action_id": "kring_home_frequency",
            "selected_option": weekly,
        },
    )
    assert control(view, "kring_home_frequency")["initial_option"]["value"] == "weekly"
    assert "every Monday at 7:45\u202fAM" in command(following, "digest")
    off = {"text": {"type": "plain_text", "text": "Paused"}, "value": "off"}
    view = click(
        following,
        view,
        {"type": "static_select", "action_id": "kring_home_frequency", "selected_option": off},
    )
    assert "paused" in command(following, "digest")
    assert "paused" in shown(view)
    # A time picked while paused turns the digest back on, as `/kring digest at` does.
    click(
        following,
        view,
        {"type": "timepicker", "action_id": "kring_home_time", "selected_time": "18:00"},
    )
    assert "every day at 6:00\u202fPM" in command(following, "digest")


def test_unfollow_and_follow_from_the_home_tab(following: Running) -> None:
    view = open_home(following)
    view = click(
        following,
        view,
        {
            "type": "button",
            "action_id": "kring_home_unfollow",
            "value": "person:U0BOB",
            "text": {"type": "plain_text", "text": "Unfollow"},
        },
    )
    assert values(view, "kring_home_unfollow") == ["tag:release"]
    assert "<@U0BOB>" not in command(following, "following")
    assert "Migrated the billing" not in shown(view)
    view = click(
        following,
        view,
        {
            "type": "button",
            "action_id": "kring_follow",
            "value": "person:U0CAT",
            "text": {"type": "plain_text", "text": "Follow"},
        },
    )
    assert "person:U0CAT" in values(view, "kring_home_unfollow")
    assert "<@U0CAT>" in command(following, "following")
    assert following.standin.posted_messages() == []


def test_a_followed_channel_is_listed_and_unfollowed_from_the_home_tab(kring: Running) -> None:
    assert "(channel and tag)" in command(kring, "follow <#C0DESIGN|design>")
    view = open_home(kring)
    assert values(view, "kring_home_unfollow") == ["channel:C0DESIGN", "tag:design"]
    assert "<#C0DESIGN>" in shown(view)
    view = click(
        kring,
        view,
        {
            "type": "button",
            "action_id": "kring_home_unfollow",
            "value": "channel:C0DESIGN",
            "text": {"type": "plain_text", "text": "Unfollow"},
        },
    )
    assert values(view, "kring_home_unfollow") == ["tag:design"]
    assert "(channel" not in command(kring, "following")


def test_someone_new_sees_how_to_start(kring: Running) -> None:
    view = open_home(kring, "U0CAT")
    text = shown(view)
    assert "don't follow anyone" in text and "/kring follow" in text
    assert values(view, "kring_home_unfollow") == []


def test_home_in_dutch(kring: Running, standin: StandinSlack) -> None:
    standin.add_user("U0NL", "eva", real_name="Eva de Boer", locale="nl-NL")
    view = open_home(kring, "U0NL")
    assert view["blocks"][0]["text"]["text"] == "Jouw Kring"
    assert "Elke dag" in shown(view)
