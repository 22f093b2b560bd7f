"""Block Kit as `kring demo` prints it: what Slack would show, as text."""

from __future__ import annotations

from typing import Any

from standin.blocktext import RULE, blocks_text, mrkdwn_text

NAMES = {"U0ANN": "Ann Jansen", "C0GEN": "general"}


def test_mentions_and_channels_read_as_names() -> None:
    assert mrkdwn_text("<@U0ANN> posted in <#C0GEN>", NAMES) == "@Ann Jansen posted in #general"
    assert mrkdwn_text("<@U0BOB|bob> in <#C0NEW|new-channel>", NAMES) == "@bob in #new-channel"
    assert mrkdwn_text("<@U0BOB> in <#C0NEW>") == "@U0BOB in #C0NEW"


def test_links_dates_and_broadcasts_read_as_slack_shows_them() -> None:
    assert mrkdwn_text("<https://x.example/a|the plan>") == "the plan (https://x.example/a)"
    assert mrkdwn_text("<https://x.example/a>") == "https://x.example/a"
    assert mrkdwn_text("<mailto:a@x.example|Ann>") == "Ann"
    when = "<!date^1764318000^{date_short_pretty} {time}^https://x.example|2025-11-28 08:20 UTC>"
    assert mrkdwn_text(when) == "2025-11-28 08:20 UTC"
    assert mrkdwn_text("<!here> and <!subteam^S1|@design>") == "@here and @design"


def test_styling_marks_go_and_escapes_are_undone() -> None:
    assert mrkdwn_text("*Bold* and _italic_ and ~gone~") == "Bold and italic and gone"
    assert mrkdwn_text("snake_case_name and 2*3*4 stay") == "snake_case_name and 2*3*4 stay"
    assert mrkdwn_text("Lunch &amp; learn &lt;3 &amp;lt;") == "Lunch & learn <3 &lt;"
    assert mrkdwn_text("`/kring follow` stays code") == "`/kring follow` stays code"


def test_blocks_read_top_to_bottom_with_their_controls() -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your Kring"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*<@U0ANN>* — Designer\n_posts about #design_"},
            "accessory": {
                "type": "button",
                "text": {"type": "plain_text", "text": "Follow"},
                "action_id": "kring_follow",
                "value": "person:U0ANN",
            },
        },
        {"type": "divider"},
        {
            "type": "actions",
            "elements": [
                {"type": "timepicker", "action_id": "t", "initial_time": "09:00"},
                {
                    "type": "static_select",
                    "action_id": "f",
                    "options": [],
                    "initial_option": {
                        "text": {"type": "plain_text", "text": "Every day"},
                        "value": "daily",
                    },
                },
            ],
        },
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": "in <#C0GEN>"},
                {"type": "plain_text", "text": "2 reactions"},
            ],
        },
        {"type": "rich_text", "elements": []},
    ]

    assert blocks_text(blocks, NAMES).split("\n") == [
        "Your Kring",
        "==========",
        "@Ann Jansen — Designer   [Follow]",
        "posts about #design",
        RULE,
        "[09:00] [Every day ▾]",
        "in #general · 2 reactions",
        "[rich_text block]",
        "",
    ]
