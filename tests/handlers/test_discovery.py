"""The pure parts of the discovery answers: block ids, arguments, and Slack's limits."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.discovery import (
    DISCOVERY_SUBCOMMANDS,
    FOLLOW_ACTION,
    MUTE_ACTION,
    Button,
    Item,
    answer,
    block_id,
    fit,
    inert,
    parse_window,
    question_words,
    quiet,
    view_of,
)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


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
def test_view_of_reads_the_block_ids_answers_carry(bid: str, view: tuple[str, str]) -> None:
    assert view_of(bid) == view
    assert block_id(*view, int(bid.rsplit(":", 1)[1])) == bid


@pytest.mark.parametrize(
    "bid",
    [
        "",
        "kring",
        "kring:who:design",
        "kring:who:design:x",
        "kring:who:a:b:0",
        "kring:dance:x:0",
        "other:who:design:0",
        "digest:0",
    ],
)
def test_view_of_refuses_anything_else(bid: str) -> None:
    assert view_of(bid) is None


@pytest.mark.parametrize(
    ("arg", "days"),
    [
        (None, 7),
        ("7d", 7),
        ("7", 7),
        ("week", 7),
        ("7D", 7),
        ("30d", 30),
        ("30", 30),
        ("Month", 30),
        ("maand", 30),
        ("14d", None),
        ("fortnight", None),
        ("", None),
    ],
)
def test_trending_window(arg: str | None, days: int | None) -> None:
    assert parse_window(arg) == days


def test_question_words_drop_the_question_around_the_tag() -> None:
    assert question_words(["knows", "about", "#design", "?"]) == ["#design"]
    assert question_words(["weet", "iets", "van", "#design"]) == ["#design"]
    assert question_words(["#design"]) == ["#design"]
    # A filler word alone is what was asked about.
    assert question_words(["about"]) == ["about"]
    assert question_words(["#!!!"]) == ["#!!!"]
    assert question_words(["two", "words"]) == ["two", "words"]


def test_titles_cannot_format_link_or_ping() -> None:
    assert inert("*Boss* <!channel> & _co_") == "Boss &lt;!channel&gt; &amp; co"
    assert inert("line\none\x07") == "line one"
    long = inert("x" * 500)
    assert len(long) == 80 and long.endswith("…")


def test_quiet_turns_broadcasts_into_plain_text() -> None:
    text = "<!here> look <!channel|channel> <!subteam^S0123|@design-team> <@U1> <#C1|x>"
    assert quiet(text) == "@here look @channel @design-team <@U1> <#C1|x>"


def test_fit_counts_utf16_and_keeps_markup_whole() -> None:
    text = "😀" * 2000 + " <@U0BOB>"
    fitted = fit(text)
    assert 2900 < utf16(fitted) <= 3000
    assert "<@U0B" not in fitted or "<@U0BOB>" in fitted


def blocks_with_buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in blocks if b.get("accessory") or b["type"] == "actions"]


def test_answer_stays_within_slack_limits_for_any_input() -> None:
    label = "Volgen " * 30
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
    blocks = reply.blocks or []
    assert len(blocks) <= 50
    for block in blocks:
        if block["type"] == "section":
            assert utf16(block["text"]["text"]) <= 3000
            if "accessory" in block:
                assert utf16(block["accessory"]["text"]["text"]) <= 75
    shown = len(blocks_with_buttons(blocks))
    assert blocks[-1]["type"] == "context"
    assert f"…and {5 + 200 - shown} more." == blocks[-1]["elements"][0]["text"]


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
    blocks = reply.blocks or []
    ids = [b.get("block_id") for b in blocks]
    assert ids == ["kring:who:design:0", "kring:who:design:1", None, "kring:who:design:2"]
    assert blocks[0]["accessory"]["value"] == "tag:design"
    assert [b["accessory"]["value"] for b in blocks[1:] if "accessory" in b] == [
        "person:U1",
        "person:U3",
    ]
    assert reply.text.splitlines() == ["*Who knows #design*", "<@U1>", "<@U2>", "<@U3>"]


def test_several_head_buttons_become_an_actions_block() -> None:
    buttons = [
        Button(FOLLOW_ACTION, "Follow", "person:U1"),
        Button(MUTE_ACTION, "Mute", "person:U1"),
    ]
    blocks = answer("profile", "U1", head="*<@U1>*", head_buttons=buttons).blocks or []
    assert [b["type"] for b in blocks] == ["section", "actions"]
    assert "accessory" not in blocks[0] and "block_id" not in blocks[0]
    assert blocks[1]["block_id"] == "kring:profile:U1:0"
    assert [e["action_id"] for e in blocks[1]["elements"]] == ["kring_follow", "kring_mute"]


def test_every_subcommand_has_a_usage_line() -> None:
    assert set(DISCOVERY_SUBCOMMANDS) == {"who", "trending", "profile", "suggest", "followers"}
    for name, (_, usage) in DISCOVERY_SUBCOMMANDS.items():
        assert usage == f"usage.{name}"
