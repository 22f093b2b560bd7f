"""The stand-in Slack refuses what Slack refuses in Block Kit, and keeps refused messages apart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.webhook import WebhookClient

from digests.render import render
from standin.blockkit import blocks_problems, view_problems
from standin.slack import StandinSlack
from tests.digests.test_render import digest, item
from ui.blocks import Button, Item, answer


@pytest.fixture
def standin() -> Iterator[StandinSlack]:
    with StandinSlack() as slack:
        slack.add_user("U0001", "ann")
        slack.add_channel("C0001", "general")
        yield slack


@pytest.fixture
def client(standin: StandinSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=standin.url)


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(action_id: str, value: str = "v") -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": "Go"},
        "value": value,
    }


# Each: a name, blocks Slack refuses, and words of the problem the stand-in names.
REFUSED: list[tuple[str, list[dict[str, Any]], str]] = [
    ("too many blocks", [section(f"{n}") for n in range(51)], "no more than 50 items"),
    ("over-long section text", [section("x" * 3001)], "less than 3001 characters"),
    (
        "section text over 3000 in UTF-16 units",
        [section("😀" * 1501)],
        "less than 3001 characters",
    ),
    (
        "over-long button value",
        [section("hi", accessory=button("go", "v" * 2001))],
        "less than 2001 characters",
    ),
    (
        "duplicate action_id",
        [{"type": "actions", "elements": [button("go"), button("go")]}],
        "duplicate action_id: go",
    ),
    (
        "duplicate block_id",
        [section("a", block_id="b1"), section("b", block_id="b1")],
        "duplicate block_id: b1",
    ),
    ("unknown block type", [{"type": "fancy", "text": "hi"}], "unsupported type: fancy"),
    ("empty mrkdwn text", [section("")], "more than 0 characters"),
    (
        "empty plain_text",
        [{"type": "header", "text": {"type": "plain_text", "text": ""}}],
        "more than 0 characters",
    ),
    (
        "over-long header",
        [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
        "less than 151 characters",
    ),
    (
        "mrkdwn header",
        [{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}],
        "must be plain_text",
    ),
    (
        "context with 11 elements",
        [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
        "no more than 10 items",
    ),
    (
        "actions with 26 elements",
        [{"type": "actions", "elements": [button(f"b{n}") for n in range(26)]}],
        "no more than 25 items",
    ),
    (
        "section with 11 fields",
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
        "no more than 10 items",
    ),
    (
        "over-long section field",
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
        "less than 2001 characters",
    ),
    (
        "over-long button label",
        [
            {
                "type": "actions",
                "elements": [{**button("go"), "text": {"type": "plain_text", "text": "b" * 76}}],
            }
        ],
        "less than 76 characters",
    ),
    (
        "over-long action_id",
        [{"type": "actions", "elements": [button("a" * 256)]}],
        "less than 256 characters",
    ),
    ("over-long block_id", [section("a", block_id="b" * 256)], "less than 256 characters"),
    ("section without text or fields", [{"type": "section"}], "either text or fields"),
    (
        "input block in a message",
        [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Name"},
                "element": {"type": "plain_text_input", "action_id": "name"},
            }
        ],
        "unsupported type: input",
    ),
]


@pytest.mark.parametrize(
    ("blocks", "problem"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_post_message_with_blocks_slack_refuses_answers_invalid_blocks(
    client: WebClient, standin: StandinSlack, blocks: list[dict[str, Any]], problem: str
) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0001", text="fallback", blocks=blocks)

    answer = raised.value.response
    assert answer.status_code == 200
    assert answer["error"] == "invalid_blocks"
    assert any(problem in e for e in answer["errors"]), answer["errors"]
    assert all(m.startswith("[ERROR] ") for m in answer["response_metadata"]["messages"])
    assert standin.posted_messages() == []
    (refusal,) = standin.refusals()
    assert (refusal.method, refusal.error) == ("chat.postMessage", "invalid_blocks")
    assert any(problem in p for p in refusal.problems)


def test_each_refusal_names_where_the_problem_is() -> None:
    problems = blocks_problems([section("ok"), section("x" * 3001)])

    assert problems == ["must be less than 3001 characters [json-pointer:/blocks/1/text/text]"]


def sdk_refuses(blocks: list[dict[str, Any]]) -> bool:
    """Whether slack_sdk's Block Kit models refuse ``blocks`` (unknown types, limits they know)."""
    try:
        for block in blocks:
            parsed = Block.parse(block)
            if parsed is None:
                return True
            parsed.to_dict()  # validates the block and, through theirs, its elements
    except SlackObjectFormationError:
        return True
    return False


def select(options: int, text: str = "o", value: str = "v") -> dict[str, Any]:
    option = {"text": {"type": "plain_text", "text": text}, "value": value}
    return {
        "type": "static_select",
        "action_id": "pick",
        "placeholder": {"type": "plain_text", "text": "Pick"},
        "options": [option] * options,
    }


def confirm(title: int = 1, text: int = 1, yes: int = 1) -> dict[str, Any]:
    return {
        **button("go"),
        "confirm": {
            "title": {"type": "plain_text", "text": "t" * title},
            "text": {"type": "plain_text", "text": "t" * text},
            "confirm": {"type": "plain_text", "text": "y" * yes},
            "deny": {"type": "plain_text", "text": "n"},
        },
    }


def actions(*elements: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": "actions", "elements": list(elements)}]


# Limits slack_sdk's models check as well: (name, its limit, blocks with n of the thing).
SHARED_LIMITS: list[tuple[str, int, Any]] = [
    ("section text", 3000, lambda n: [section("x" * n)]),
    (
        "header text",
        150,
        lambda n: [{"type": "header", "text": {"type": "plain_text", "text": "h" * n}}],
    ),
    (
        "button text",
        75,
        lambda n: actions({**button("go"), "text": {"type": "plain_text", "text": "b" * n}}),
    ),
    ("button value", 2000, lambda n: actions(button("go", "v" * n))),
    ("action_id", 255, lambda n: actions(button("a" * n))),
    ("block_id", 255, lambda n: [section("s", block_id="b" * n)]),
    ("actions elements", 25, lambda n: actions(*(button(f"b{i}") for i in range(n)))),
    (
        "context elements",
        10,
        lambda n: [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * n}],
    ),
    (
        "section fields",
        10,
        lambda n: [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * n}],
    ),
    ("select options", 100, lambda n: actions(select(n))),
    ("confirm title", 100, lambda n: actions(confirm(title=n))),
    ("confirm text", 300, lambda n: actions(confirm(text=n))),
    ("confirm button", 30, lambda n: actions(confirm(yes=n))),
]
# Limits slack_sdk's models know but do not check in a select's options (nor in a section's
# fields): the stand-in does.
STANDIN_ONLY_LIMITS: list[tuple[str, int, Any]] = [
    ("option text", 75, lambda n: actions(select(1, text="o" * n))),
    ("option value", 150, lambda n: actions(select(1, value="v" * n))),
    (
        "section field text",
        2000,
        lambda n: [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * n}]}],
    ),
]


@pytest.mark.parametrize(
    ("limit", "make"), [r[1:] for r in SHARED_LIMITS], ids=[r[0] for r in SHARED_LIMITS]
)
def test_standin_and_slack_sdk_agree_on_both_sides_of_each_limit_they_share(
    limit: int, make: Any
) -> None:
    # The stand-in keeps its own copy of Slack's rules (it must not drift with the SDK), so this
    # is where a limit that one of them gets wrong shows up.
    assert not sdk_refuses(make(limit)) and blocks_problems(make(limit)) == []
    assert sdk_refuses(make(limit + 1)) and blocks_problems(make(limit + 1)) != []


@pytest.mark.parametrize(
    ("limit", "make"), [r[1:] for r in STANDIN_ONLY_LIMITS], ids=[r[0] for r in STANDIN_ONLY_LIMITS]
)
def test_standin_checks_limits_slack_sdk_lets_through(limit: int, make: Any) -> None:
    assert blocks_problems(make(limit)) == []
    assert blocks_problems(make(limit + 1)) != []
    # When slack_sdk starts checking one of these, it belongs in SHARED_LIMITS.
    assert not sdk_refuses(make(limit + 1))


def test_unknown_block_types_are_refused_by_both() -> None:
    blocks = [{"type": "fancy", "text": "hi"}]
    assert sdk_refuses(blocks) and blocks_problems(blocks)


def test_message_text_over_40000_characters_is_msg_too_long(
    client: WebClient, standin: StandinSlack
) -> None:
    client.chat_postMessage(channel="C0001", text="x" * 40_000)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0001", text="x" * 40_001)

    assert raised.value.response["error"] == "msg_too_long"
    assert len(standin.posted_messages()) == 1
    assert [r.error for r in standin.refusals()] == ["msg_too_long"]


@pytest.mark.parametrize("method", ["chat_postEphemeral", "chat_update"])
def test_ephemeral_messages_and_updates_are_checked_too(
    client: WebClient, standin: StandinSlack, method: str
) -> None:
    call = getattr(client, method)
    with pytest.raises(SlackApiError) as raised:
        call(channel="C0001", user="U0001", ts="1700000000.000100", text="x", blocks=[section("")])

    assert raised.value.response["error"] == "invalid_blocks"
    assert [r.method for r in standin.refusals()] == [method.replace("_", ".")]


def test_home_view_with_101_blocks_answers_invalid_arguments(
    client: WebClient, standin: StandinSlack
) -> None:
    client.views_publish(user_id="U0001", view={"type": "home", "blocks": [section("a")] * 100})

    with pytest.raises(SlackApiError) as raised:
        client.views_publish(user_id="U0001", view={"type": "home", "blocks": [section("b")] * 101})

    answer = raised.value.response
    assert answer["error"] == "invalid_arguments"
    assert answer["response_metadata"]["messages"] == [
        "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]"
    ]
    home = standin.home_view("U0001")
    assert home is not None and home["blocks"][0]["text"]["text"] == "a"
    assert [r.method for r in standin.refusals()] == ["views.publish"]


def test_modal_views_are_checked_even_when_stubbed(standin: StandinSlack) -> None:
    standin.stub("views.open", {"view": {"id": "V1"}})
    client = WebClient(token="xoxb-test", base_url=standin.url)
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "t" * 25}, "blocks": []}

    with pytest.raises(SlackApiError) as raised:
        client.views_open(trigger_id="1.2.3", view=modal)

    assert raised.value.response["error"] == "invalid_arguments"


def test_response_url_post_slack_refuses_is_a_400_invalid_blocks(standin: StandinSlack) -> None:
    url = standin.new_response_url()

    refused = WebhookClient(url).send(text="hi", blocks=[section("x" * 3001)])
    accepted = WebhookClient(url).send(text="hi", blocks=[section("x" * 3000)])

    assert (refused.status_code, refused.body) == (400, "invalid_blocks")
    assert accepted.status_code == 200
    assert len(standin.response_url_posts()) == 1
    assert [r.method for r in standin.refusals()] == ["response_url"]


def test_an_ack_body_slack_would_refuse_is_recorded(standin: StandinSlack) -> None:
    standin.check_ack(json.dumps({"text": "hi", "blocks": [section("")]}).encode())
    standin.check_ack(json.dumps({"text": "hi", "blocks": [section("fine")]}).encode())
    standin.check_ack(b"plain text answer")

    assert [(r.method, r.error) for r in standin.refusals()] == [("ack", "invalid_blocks")]


def test_valid_blocks_are_delivered_and_no_refusal_is_recorded(
    client: WebClient, standin: StandinSlack
) -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Hello", "emoji": True}},
        section("*hi*", block_id="s1", accessory=button("go")),
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "small"}]},
        {"type": "actions", "block_id": "a1", "elements": [button("one"), button("two")]},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 10},
    ]

    client.chat_postMessage(channel="C0001", text="x", blocks=blocks)

    assert standin.refusals() == []
    assert standin.posted_messages()[0]["blocks"] == blocks


def test_kring_answers_at_their_limits_pass() -> None:
    long = "word " * 2000 + "😀" * 2000
    items = [
        Item(long, Button("kring_follow", "Follow " + "😀" * 100, "U" + "1" * 1999))
        for _ in range(200)
    ]
    buttons = [Button(f"kring_b{n}", "b" * 200, "v") for n in range(30)]

    reply = answer(
        "who",
        "x" * 200,
        head=long,
        items=items,
        head_buttons=buttons,
        more=5,
        more_line=lambda n: long,
    )

    assert blocks_problems(reply.blocks) == []


def test_kring_digests_at_their_limits_pass() -> None:
    long = "x" * 10_000 + "😀" * 3000
    items = [
        item(n, author_name=long, text=long, via_tags=("t" * 80,) * 50, show_follow_button=True)
        for n in range(1, 80)
    ]

    _, blocks = render(digest(*items, new_followers=("U1",) * 500), settings_hint=long)

    assert blocks_problems(blocks) == []


def test_views_need_a_known_type() -> None:
    assert view_problems({"type": "home", "blocks": []}) == []
    assert view_problems({"type": "sheet", "blocks": []}) == [
        "must be home or modal [json-pointer:/view/type]"
    ]
    assert view_problems("not json") == ["must provide an object [json-pointer:/view]"]
