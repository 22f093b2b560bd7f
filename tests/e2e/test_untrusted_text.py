"""What people write and call themselves reaches digests, the Home tab and answers as text.

A file named like a link and a broadcast, posts full of `@channel` and user groups, a display
name and a title with markup: through the real app over signed HTTP, none of it pings anyone,
disguises a link or restyles Kring's message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from digests.deliver import run_pass
from standin.harness import Running, running_kring
from standin.slack import StandinSlack
from tests.payloads import event

DAY = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
ANN = "U0ANN"
EVIL = "U0EVIL"
EVIL_FILE = "<https://evil.example/login|Payroll.pdf> <!channel>"
# Slack sends the text people type escaped, with broadcasts and groups as markup.
BROADCASTS = (
    "<!here> <!channel> <!everyone> ask <!subteam^S123|@devs> about "
    "<https://evil.example/login|Payroll.pdf>"
)
EVIL_NAME = "*Boss* <!channel>"
EVIL_TITLE = "*CEO* <!channel>, Design"
# No markup that pings, and no link labelled with anything but Kring's own words.
LIVE_BROADCAST = re.compile(r"<!(?:here|channel|everyone|subteam)")
DISGUISED_LINK = re.compile(r"<https?://[^<>|]*\|(?!Open>)[^<>]*>")


@pytest.fixture
def kring(db_url: str, standin: StandinSlack) -> Iterator[Running]:
    standin.add_user(EVIL, "evil", real_name="Evil Boss", display_name=EVIL_NAME, title=EVIL_TITLE)
    with running_kring(db_url, standin, clock=lambda: DAY + timedelta(hours=7)) as running:
        yield running


def stamp(hours_ago: float, seq: int) -> str:
    return f"{(DAY - timedelta(hours=hours_ago)).timestamp():.0f}.{seq:06d}"


def say(kring: Running, user: str, text: str, seq: int, channel: str = "C0GENERAL") -> None:
    ts = stamp(4, seq)
    message = event("message", user=user, text=text, ts=ts, event_ts=ts, channel=channel)
    assert kring.slack.post_event(message).status == 200


def ask(kring: Running, text: str, user: str = ANN) -> dict[str, Any]:
    answer = kring.slack.command(text, user_id=user, user_name=user.lower())
    assert answer.status == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def mention_answer(kring: Running, text: str) -> dict[str, Any]:
    """What Kring posts in the channel for `@Kring <text>`."""
    before = len(kring.standin.calls("chat.postMessage"))
    mention = event("app_mention", text=f"<@UKRING> {text}")
    assert kring.slack.post_event(mention).status == 200
    calls = kring.standin.wait_for("chat.postMessage", before + 1)
    return dict(calls[before].params)


def shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def assert_harmless(*values: Any) -> None:
    for value in values:
        text = shown(value)
        assert not LIVE_BROADCAST.search(text), text
        assert not DISGUISED_LINK.search(text), text


@pytest.fixture
def shared(kring: Running) -> Running:
    """Ann follows Bob; yesterday evening Bob shared a file and a post written to ping."""
    assert "You now follow" in ask(kring, "follow <@U0BOB|bob>")["text"]
    ts = stamp(4, 1)
    assert kring.slack.post_event(event("file_share", ts=ts, event_ts=ts)).status == 200
    say(kring, "U0BOB", BROADCASTS, 2)
    return kring


def test_digest_shows_file_names_and_broadcasts_as_text(
    shared: Running, standin: StandinSlack
) -> None:
    report = run_pass(
        sessions=shared.sessions,
        client=shared.kring.client,
        now=DAY + timedelta(hours=8, minutes=1),
        per_second=None,
    )
    assert report.sent == 1
    [dm] = [m for m in standin.posted_messages() if m.get("channel") == ANN]
    blocks = shown(json.loads(dm["blocks"]) if isinstance(dm["blocks"], str) else dm["blocks"])
    assert_harmless(dm["text"], blocks)
    assert "&lt;https://evil.example/login|Payroll.pdf&gt; &lt;!channel&gt;" in blocks
    assert "@here @channel @everyone ask @devs about" in blocks
    assert "Payroll.pdf (<https://evil.example/login>)" in blocks


def test_home_shows_file_names_and_broadcasts_as_text(shared: Running) -> None:
    assert shared.slack.post_event(event("app_home_opened", user=ANN)).status == 200
    view = shared.standin.home_view(ANN)
    assert view is not None
    blocks = shown(view["blocks"])
    assert_harmless(blocks)
    assert "&lt;https://evil.example/login|Payroll.pdf&gt; &lt;!channel&gt;" in blocks
    assert "@here @channel @everyone ask @devs about" in blocks
    assert "Payroll.pdf (<https://evil.example/login>)" in blocks


INERT_TITLE = "CEO &lt;!channel&gt;, Design"
INERT_NAME = "Boss &lt;!channel&gt;"


def test_profile_shows_a_title_with_markup_as_text(kring: Running) -> None:
    say(kring, EVIL, "Quarterly plan #design <!channel>", 1, channel="C0DESIGN")
    body = ask(kring, f"profile <@{EVIL}|evil>")
    assert_harmless(body["text"], body["blocks"])
    assert f"*<@{EVIL}> — {INERT_TITLE}*" in body["text"]
    assert "Quarterly plan #design @channel" in body["text"]
    # Asked in a channel, the person is named, not pinged, and the name is text.
    posted = mention_answer(kring, f"profile <@{EVIL}>")
    assert_harmless(posted["text"], posted["blocks"])
    assert f"*{INERT_NAME} — {INERT_TITLE}*" in posted["text"]
    assert f"<@{EVIL}>" not in posted["text"] + shown(posted["blocks"])


def test_who_names_an_expert_with_markup_in_their_name_as_text(kring: Running) -> None:
    say(kring, EVIL, "Type scale #design", 1, channel="C0DESIGN")
    body = ask(kring, "who #design")
    assert_harmless(body["text"], body["blocks"])
    assert f"1. <@{EVIL}> — {INERT_TITLE}" in body["text"]
    posted = mention_answer(kring, "who knows about #design?")
    assert_harmless(posted["text"], posted["blocks"])
    assert f"1. {INERT_NAME} — {INERT_TITLE}" in posted["text"]
    assert "*Boss*" not in posted["text"] + shown(posted["blocks"])


def test_followers_show_a_title_with_markup_as_text(kring: Running) -> None:
    assert "now follow" in ask(kring, f"follow <@{ANN}>", user=EVIL)["text"]
    body = ask(kring, "followers")
    assert_harmless(body["text"], body["blocks"])
    assert f"<@{EVIL}> — {INERT_TITLE}" in body["text"]


def test_welcome_shows_a_colleagues_title_with_markup_as_text(kring: Running) -> None:
    user = event("user_change")["user"] | {"id": EVIL, "name": "evil", "real_name": "Evil Boss"}
    user["profile"] = {"title": EVIL_TITLE, "real_name": "Evil Boss", "display_name": EVIL_NAME}
    user.pop("tz", None)
    assert kring.slack.post_event(event("user_change", user=user)).status == 200
    assert kring.slack.post_event(event("team_join"), event_id="EvJOINEVIL").status == 200
    [welcome] = [m for m in kring.standin.posted_messages() if m.get("channel") == "U0NEW"]
    blocks = shown(
        json.loads(welcome["blocks"]) if isinstance(welcome["blocks"], str) else welcome["blocks"]
    )
    assert_harmless(welcome["text"], blocks)
    assert f"<@{EVIL}> · {INERT_TITLE}" in blocks
