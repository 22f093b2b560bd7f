"""Block Kit answers: block ids, and Slack's limits for any input."""

from __future__ import annotations

from typing import Any

import pytest

from standin.blockkit import MAX_MESSAGE_TEXT, blocks_problems
from ui import blocks
from ui.blocks import FOLLOW_ACTION, MUTE_ACTION, Button, Item, block_id, parse_block_id
from ui.text import utf16_len

answer = blocks.answer


@pytest.mark.parametrize(
    ("bid", "view"),
    [
        ("kring:who:design:0", ("who", "design")),
        ("kring:trending:7:3", ("trending", "7")),
        ("kring:profile:U123:0", ("profile", "U123")),
        ("kring:suggest::0", ("suggest", "")),
        ("kring:followers::12", ("followers", "")),
    ],
)
def test_block_ids_carry_the_view_and_its_argument(bid: str, view: tuple[str, str]) -> None:
    assert parse_block_id(bid) == view
    assert block_id(*view, int(bid.rsplit(":", 1)[1])) == bid


@pytest.mark.parametrize(
    "bid",
    [
        "",
        "kring",
        "kring:who:design",
        "kring:who:design:x",
        "kring:who:a:b:0",
        "kring::design:0",
        "other:who:design:0",
        "digest:0",
    ],
)
def test_other_block_ids_are_refused(bid: str) -> None:
    assert parse_block_id(bid) is None


def blocks_with_buttons(shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in shown if b.get("accessory") or b["type"] == "actions"]


def test_answer_stays_within_slack_limits_for_any_input() -> None:
    label = "Volgen " + "😀" * 60
    items = [
        Item("😀" * 4000 + f" {n}", Button(FOLLOW_ACTION, label, f"person:U{n}"))
        for n in range(200)
    ]
    reply = answer(
        "followers",
        "",
        head="*head* " + "x" * 5000,
        items=items,
        more=5,
        more_line=lambda count: f"…and {count} more.",
    )
    shown = reply.blocks or []
    assert len(shown) <= 50
    for block in shown:
        if block["type"] == "section":
            assert utf16_len(block["text"]["text"]) <= 3000
            if "accessory" in block:
                assert utf16_len(block["accessory"]["text"]["text"]) <= 75
    assert blocks_problems(shown) == []
    # The fallback text too: past 40,000 characters Slack refuses the message (msg_too_long).
    assert utf16_len(reply.text) <= MAX_MESSAGE_TEXT
    with_buttons = len(blocks_with_buttons(shown))
    assert shown[-1]["type"] == "context"
    assert f"…and {5 + 200 - with_buttons} more." == shown[-1]["elements"][0]["text"]


def test_only_blocks_with_buttons_get_numbered_block_ids() -> None:
    items = [
        Item("<@U1>", Button(FOLLOW_ACTION, "Follow", "person:U1")),
        Item("<@U2>"),
        Item("<@U3>", Button(FOLLOW_ACTION, "Follow", "person:U3")),
    ]
    reply = answer(
        "who",
        "design",
        head="*Who knows #design*",
        items=items,
        head_buttons=[Button(FOLLOW_ACTION, "Follow the tag", "tag:design")],
    )
    shown = reply.blocks or []
    ids = [b.get("block_id") for b in shown]
    assert ids == ["kring:who:design:0", "kring:who:design:1", None, "kring:who:design:2"]
    assert shown[0]["accessory"]["value"] == "tag:design"
    assert [b["accessory"]["value"] for b in shown[1:] if "accessory" in b] == [
        "person:U1",
        "person:U3",
    ]
    assert reply.text.splitlines() == ["*Who knows #design*", "<@U1>", "<@U2>", "<@U3>"]


def test_several_head_buttons_become_an_actions_block() -> None:
    buttons = [
        Button(FOLLOW_ACTION, "Follow", "person:U1"),
        Button(MUTE_ACTION, "Mute", "person:U1"),
    ]
    shown = answer("profile", "U1", head="*<@U1>*", head_buttons=buttons).blocks or []
    assert [b["type"] for b in shown] == ["section", "actions"]
    assert "accessory" not in shown[0] and "block_id" not in shown[0]
    assert shown[1]["block_id"] == "kring:profile:U1:0"
    assert [e["action_id"] for e in shown[1]["elements"]] == ["kring_follow", "kring_mute"]


def test_a_section_shows_an_item_and_its_button() -> None:
    plain = blocks.section(Item("<@U1>")).to_dict()
    assert plain == {"type": "section", "text": {"type": "mrkdwn", "text": "<@U1>"}}
    with_button = blocks.section(Item("x", Button(FOLLOW_ACTION, "Follow", "tag:x")), "b:1")
    assert with_button.to_dict()["block_id"] == "b:1"
    assert with_button.to_dict()["accessory"]["action_id"] == FOLLOW_ACTION
