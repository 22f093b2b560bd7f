"""Follow, Unfollow and Mute buttons change the message they were clicked in."""

from __future__ import annotations

import json
import time
from typing import Any

from standin.harness import Running


def click(
    kring: Running,
    action_id: str,
    value: str,
    *,
    container: dict[str, Any],
    message: dict[str, Any] | None = None,
    block_id: str = "b1",
    user: str = "U0ANN",
) -> None:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": "ann", "team_id": "T0001"},
        "team": {"id": "T0001", "domain": "kring-test"},
        "api_app_id": "A0001",
        "container": container,
        "trigger_id": "1.2.3",
        "response_url": kring.standin.new_response_url(),
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "action_ts": "1.0",
            }
        ],
    }
    if message is not None:
        payload["message"] = message
    assert kring.slack.action(payload).status == 200


def follow_button_message() -> dict[str, Any]:
    return {
        "type": "message",
        "ts": "1700000000.000100",
        "text": "Your Kring digest",
        "blocks": [
            {
                "type": "section",
                "block_id": "b1",
                "text": {"type": "mrkdwn", "text": "*<@U0CAT>* in <#C0GENERAL>"},
                "accessory": {
                    "type": "button",
                    "action_id": "kring_follow",
                    "value": "person:U0CAT",
                    "text": {"type": "plain_text", "text": "Follow"},
                },
            }
        ],
    }


def following(kring: Running) -> str:
    return str(kring.slack.command("following", user_id="U0ANN").json()["text"])


def test_follow_in_a_dm_turns_into_unfollow_in_place(kring: Running) -> None:
    dm = {"type": "message", "channel_id": "DU0ANN", "message_ts": "1700000000.000100"}
    click(kring, "kring_follow", "person:U0CAT", container=dm, message=follow_button_message())
    [update] = kring.standin.wait_for("chat.update")
    blocks = update.json("blocks")
    assert blocks[0]["accessory"]["action_id"] == "kring_unfollow"
    assert blocks[0]["accessory"]["value"] == "person:U0CAT"
    assert kring.standin.posted_messages() == []
    assert "<@U0CAT>" in following(kring)
    # And back again.
    message = follow_button_message()
    message["blocks"] = blocks
    click(kring, "kring_unfollow", "person:U0CAT", container=dm, message=message)
    second = kring.standin.wait_for("chat.update", count=2)[1]
    assert second.json("blocks")[0]["accessory"]["action_id"] == "kring_follow"
    assert "<@U0CAT>" not in following(kring)


def test_click_in_an_ephemeral_answer_redraws_that_answer(kring: Running) -> None:
    kring.slack.command("follow #design", user_id="U0BOB")
    # Kring runs on the real clock here: a post of today, as one older than retention
    # (KRING_RETENTION_DAYS, a year) is shown to no one.
    ts = f"{time.time():.0f}.000100"
    kring.slack.post_event(
        {
            "type": "message",
            "channel": "C0GENERAL",
            "user": "U0BOB",
            "text": "Crit at 3 #design",
            "ts": ts,
            "event_ts": ts,
            "channel_type": "channel",
        }
    )
    answer = kring.slack.command("who #design", user_id="U0ANN").json()
    block = next(
        b for b in answer["blocks"] if "accessory" in b and "person:U0BOB" in json.dumps(b)
    )
    ephemeral = {
        "type": "message",
        "channel_id": "C0GENERAL",
        "message_ts": "1.0",
        "is_ephemeral": True,
    }
    click(kring, "kring_follow", "person:U0BOB", container=ephemeral, block_id=block["block_id"])
    [redrawn] = kring.standin.wait_for("response_url")
    assert redrawn.params["replace_original"] is True
    drawn = json.dumps(redrawn.params["blocks"])
    # Bob is still listed, and now that Ann follows him his Follow button is gone.
    assert "<@U0BOB>" in drawn
    assert "person:U0BOB" not in drawn
    assert "<@U0BOB>" in following(kring)


def test_click_in_a_shared_channel_message_only_tells_the_clicker(kring: Running) -> None:
    channel = {"type": "message", "channel_id": "C0GENERAL", "message_ts": "1700000000.000100"}
    click(kring, "kring_follow", "tag:design", container=channel, message=follow_button_message())
    [confirm] = kring.standin.wait_for("response_url")
    assert "You now follow #design" in str(confirm.params["text"])
    assert confirm.params["replace_original"] is False
    assert kring.standin.calls("chat.update") == []


def test_mute_button_mutes(kring: Running) -> None:
    channel = {"type": "message", "channel_id": "C0GENERAL", "message_ts": "1700000000.000100"}
    click(kring, "kring_mute", "person:U0DAN", container=channel)
    [confirm] = kring.standin.wait_for("response_url")
    assert "Muted <@U0DAN>" in str(confirm.params["text"])
    assert "<@U0DAN>" in str(kring.slack.command("mute", user_id="U0ANN").json()["text"])
