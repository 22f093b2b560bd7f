"""Nothing Kring sends is refused by Slack, even for a workspace at the edges of what Slack
allows: names and titles full of emoji, posts of 40,000 characters full of markup, tags at their
longest. The stand-in refuses what Slack refuses (standin.blockkit); the shared ``standin``
fixture fails any test after which something was refused, and each test here says so too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from digests.deliver import run_pass
from handlers.registry import COMMANDS
from standin.harness import Running, running_kring
from standin.slack import StandinSlack
from tests.payloads import event

DAY = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
ANN = "U0ANN"
LOUD = "U0LOUD"
# Slack allows 80 characters in a display name; emoji count twice. The title stays within the
# 255 characters Kring's people table holds (longer ones fail on PostgreSQL: see the report).
LOUD_NAME = "🎉" * 80
LOUD_TITLE = "🚀 &<>*_~` " * 23
# A post as long as Slack allows, all of it markup, escapes and emoji.
LONG_POST = (
    "&lt;b&gt; *bold* _it_ <https://example.com/x|link> 😀 #design-" + "x" * 60 + " "
) * 350
LONG_TAG = "t" * 80


@pytest.fixture
def kring(db_url: str, standin: StandinSlack) -> Iterator[Running]:
    standin.add_user(LOUD, "loud", real_name=LOUD_NAME, display_name=LOUD_NAME, title=LOUD_TITLE)
    with running_kring(db_url, standin, clock=lambda: DAY + timedelta(hours=7)) as running:
        yield running


def stamp(hours_ago: float, seq: int) -> str:
    return f"{(DAY - timedelta(hours=hours_ago)).timestamp():.0f}.{seq:06d}"


def say(kring: Running, user: str, text: str, seq: int, channel: str = "C0DESIGN") -> None:
    ts = stamp(4, seq)
    message = event("message", user=user, text=text, ts=ts, event_ts=ts, channel=channel)
    assert kring.slack.post_event(message).status == 200


def ask(kring: Running, text: str, user: str = ANN) -> None:
    answer = kring.slack.command(text, user_id=user, user_name=user.lower())
    assert answer.status == 200, answer.text


@pytest.fixture
def loud(kring: Running) -> Running:
    """Ann follows Loud, #design and a tag at its longest; Loud posted long posts yesterday."""
    ask(kring, f"follow <@{LOUD}|loud> #design #{LONG_TAG}")
    for seq in range(1, 12):
        say(kring, LOUD, f"{LONG_POST} #{LONG_TAG} #design {seq}", seq)
    ask(kring, f"follow <@{ANN}|ann>", user=LOUD)
    return kring


def test_every_answer_to_a_loud_workspace_is_one_slack_accepts(
    loud: Running, standin: StandinSlack
) -> None:
    asked = [
        "",
        "following",
        "followers",
        f"profile <@{LOUD}|loud>",
        "who #design",
        f"who #{LONG_TAG}",
        "who bold link " + "x" * 300,
        "search bold link",
        "search " + "😀" * 500,
        "trending",
        "suggest",
        "digest",
        *(f"{c.name} help" for c in COMMANDS),
    ]
    for text in asked:
        ask(loud, text)
        ask(loud, text, user=LOUD)
    assert standin.refusals() == []


def test_home_digest_and_mentions_for_a_loud_workspace_are_accepted(
    loud: Running, standin: StandinSlack
) -> None:
    for user in (ANN, LOUD):
        assert loud.slack.post_event(event("app_home_opened", user=user)).status == 200
    before = len(standin.calls("chat.postMessage"))
    assert loud.slack.post_event(event("app_mention", text="<@UKRING> who #design")).status == 200
    standin.wait_for("chat.postMessage", before + 1)

    report = run_pass(
        sessions=loud.sessions,
        client=loud.kring.client,
        now=DAY + timedelta(hours=8, minutes=1),
        per_second=None,
    )

    assert report.sent >= 1
    assert standin.refusals() == []


def test_welcome_naming_loud_colleagues_is_accepted(loud: Running, standin: StandinSlack) -> None:
    assert loud.slack.post_event(event("team_join"), event_id="EvJOINLOUD").status == 200

    assert [m for m in standin.posted_messages() if m.get("channel") == "U0NEW"]
    assert standin.refusals() == []
