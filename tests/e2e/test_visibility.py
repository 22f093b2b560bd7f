"""The one visibility rule, through the real app and the stand-in Slack: what someone who opted
out wrote reaches no one else's Home tab, digest, `who`, `profile` or `followers`, and nobody
can follow a person who opted out or was forgotten."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from standin.harness import Running, running_kring
from standin.slack import StandinSlack
from tests.e2e.test_privacy import DAY, EVENING, ask, click, digest_pass, digest_text, say
from tests.payloads import event

ANN, BOB, CAT = "U0ANN", "U0BOB", "U0CAT"


@pytest.fixture
def kring(db_url: str, standin: StandinSlack) -> Iterator[Running]:
    with running_kring(db_url, standin, clock=lambda: DAY + timedelta(hours=7)) as running:
        yield running


def home_of(kring: Running, user: str) -> str:
    assert kring.slack.post_event(event("app_home_opened", user=user)).status == 200
    view: dict[str, Any] | None = kring.standin.home_view(user)
    assert view is not None
    return json.dumps(view["blocks"], ensure_ascii=False)


def test_an_opted_out_persons_posts_reach_no_one_else(
    kring: Running, standin: StandinSlack
) -> None:
    ask(kring, f"follow <@{BOB}|bob> #design", user=CAT)
    ask(kring, f"follow <@{CAT}|cat>", user=BOB)
    say(kring, BOB, "Grid system #design", EVENING, 1)
    say(kring, ANN, "Colour tokens #design", EVENING, 2)
    say(kring, BOB, "Reorg notes #reorg", EVENING, 3)
    # Before: Bob is everywhere Cat looks, and his tag among the busy ones on Ann's Home.
    assert "Grid system" in home_of(kring, CAT)
    assert "#reorg" in home_of(kring, ANN)
    assert f"<@{BOB}>" in ask(kring, "who #design", user=CAT)["text"]
    assert "Grid system" in json.dumps(ask(kring, f"profile <@{BOB}|bob>", user=CAT))
    assert BOB in json.dumps(ask(kring, "followers", user=CAT))

    assert "no longer records" in ask(kring, "opt-out", user=BOB)["text"]

    # After: what he wrote before opting out is still stored, and shown to no one.
    home = home_of(kring, CAT)
    assert "Grid system" not in home and "Colour tokens" in home
    assert "#reorg" not in home_of(kring, ANN) and "#design" in home_of(kring, ANN)
    assert f"<@{BOB}>" not in ask(kring, "who #design", user=CAT)["text"]
    profile = json.dumps(ask(kring, f"profile <@{BOB}|bob>", user=CAT))
    assert "Grid system" not in profile and "design" not in profile
    assert BOB not in json.dumps(ask(kring, "followers", user=CAT))
    report = digest_pass(kring, DAY + timedelta(hours=8, minutes=1))
    assert report.sent >= 1
    digest = digest_text(standin, CAT)
    assert "Colour tokens" in digest and "Grid system" not in digest


def test_following_someone_who_opted_out_or_was_forgotten_is_refused(
    kring: Running, standin: StandinSlack
) -> None:
    ask(kring, "opt-out", user=BOB)
    body = ask(kring, "forget-me", user=ANN)
    [button] = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    click(kring, ANN, {"type": "button", "action_id": button["action_id"], "value": "forget"})
    standin.wait_for("response_url")

    answer = ask(kring, f"follow <@{ANN}|ann> <@{BOB}|bob> #design", user=CAT)["text"]
    assert "You can't follow" in answer and f"<@{ANN}>" in answer and f"<@{BOB}>" in answer
    assert "You now follow #design" in answer
    following = ask(kring, "following", user=CAT)["text"]
    assert ANN not in following and BOB not in following
