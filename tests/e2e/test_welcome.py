"""New colleagues get one welcome DM with whom and what to follow first."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from standin.harness import Running
from standin.slack import StandinSlack
from storage.models import Person
from tests.payloads import event

NEW = "U0NEW"


def dms_to(standin: StandinSlack, user: str) -> list[dict[str, Any]]:
    return [m for m in standin.posted_messages() if m.get("channel") == user]


def blocks_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    raw = message.get("blocks")
    blocks = json.loads(raw) if isinstance(raw, str) else raw
    assert isinstance(blocks, list)
    return blocks


def follow_values(message: dict[str, Any]) -> list[str]:
    return [
        b["accessory"]["value"]
        for b in blocks_of(message)
        if (b.get("accessory") or {}).get("action_id") == "kring_follow"
    ]


def newcomer(standin: StandinSlack, *, locale: str = "en-US") -> dict[str, Any]:
    """The team_join event for Nora, a product designer, whom Slack knows with ``locale``."""
    standin.add_user(
        NEW, "nora", real_name="Nora Visser", title="Product designer, Design", locale=locale
    )
    return event("team_join")


def colleague(kring: Running, uid: str, name: str, title: str) -> None:
    """A colleague Kring learns about from a user_change event."""
    kring.standin.add_user(uid, name, real_name=name.title(), title=title)
    user = event("user_change")["user"] | {"id": uid, "name": name, "real_name": name.title()}
    user["profile"] = {"title": title, "real_name": name.title(), "display_name": ""}
    user.pop("tz", None)
    assert kring.slack.post_event(event("user_change", user=user)).status == 200


def say(kring: Running, user: str, text: str, ts: str) -> None:
    message = {
        "type": "message",
        "channel": "C0GENERAL",
        "channel_type": "channel",
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
    }
    assert kring.slack.post_event(message).status == 200


def react(kring: Running, user: str, ts: str, name: str) -> None:
    reaction = {
        "type": "reaction_added",
        "user": user,
        "reaction": name,
        "item": {"type": "message", "channel": "C0GENERAL", "ts": ts},
        "event_ts": ts,
    }
    assert kring.slack.post_event(reaction).status == 200


def busy_workspace(kring: Running) -> None:
    """Bob is followed most, Dan helps most, Eve and Fay work in Design, #release is busy."""
    colleague(kring, "U0EVE", "eve", "Illustrator, Design")
    colleague(kring, "U0FAY", "fay", "UX researcher, Design")
    for user in ("U0ANN", "U0CAT"):
        kring.slack.command("follow <@U0BOB|bob> #release", user_id=user)
    kring.slack.command("follow <@U0FAY|fay>", user_id="U0ANN")
    kring.slack.command("follow <@U0GONE|gone>", user_id="U0ANN")
    now = int(time.time())
    for i in range(3):
        say(kring, "U0DAN", f"Answered a #release question {i}", f"{now - 3600 * (i + 1)}.000100")
        for user, emoji in (("U0ANN", "pray"), ("U0CAT", "tada")):
            react(kring, user, f"{now - 3600 * (i + 1)}.000100", emoji)
    say(kring, "U0CAT", "Design crit at 3 #design", f"{now - 600}.000200")


def test_newcomer_gets_one_welcome_with_department_first(kring: Running) -> None:
    busy_workspace(kring)
    join = newcomer(kring.standin)
    first = kring.slack.post_event(join, event_id="EvJOIN1")
    retry = kring.slack.post_event(join, event_id="EvJOIN1", retry_num=1)
    assert (first.status, retry.status) == (200, 200)
    [welcome] = dms_to(kring.standin, NEW)
    assert "Welcome" in str(welcome["text"])
    people = [v for v in follow_values(welcome) if v.startswith("person:")]
    tags = [v for v in follow_values(welcome) if v.startswith("tag:")]
    # Design colleagues first (Fay has a follower), then the most followed and the most helpful.
    assert people[:4] == ["person:U0FAY", "person:U0EVE", "person:U0BOB", "person:U0DAN"]
    for absent in ("U0NEW", "U0GONE", "U0DEPLOY", "UKRING"):
        assert f"person:{absent}" not in people
    assert tags[0] == "tag:release" and "tag:design" in tags
    text = json.dumps(blocks_of(welcome), ensure_ascii=False)
    assert "/kring follow" in text and "/kring digest" in text and "Home" in text
    assert "in your team" in text and "Product designer" not in text
    with kring.sessions() as session:
        nora = session.get(Person, ("T0001", NEW))
        assert nora is not None and nora.title == "Product designer, Design"


def test_concurrent_retry_waits_and_sends_nothing(kring: Running) -> None:
    join = newcomer(kring.standin)
    kring.standin.delay("chat.postMessage", 0.5)
    answers: list[int] = []

    def deliver(retry_num: int | None) -> None:
        answers.append(kring.slack.post_event(join, event_id="EvJOIN2", retry_num=retry_num).status)

    threads = [threading.Thread(target=deliver, args=(n,)) for n in (None, 1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200, 200, 200]
    assert len(dms_to(kring.standin, NEW)) == 1


def test_failed_welcome_is_sent_by_slacks_retry(kring: Running) -> None:
    join = newcomer(kring.standin)
    kring.standin.fail_next("chat.postMessage", error="fatal_error")
    assert kring.slack.post_event(join, event_id="EvJOIN3").status == 500
    assert kring.slack.post_event(join, event_id="EvJOIN3", retry_num=1).status == 200
    assert len(dms_to(kring.standin, NEW)) == 1


def test_bots_and_deactivated_accounts_get_no_welcome(kring: Running) -> None:
    bot = event("team_join")
    bot["user"] = bot["user"] | {"id": "U0ROBOT", "is_bot": True}
    gone = event("team_join")
    gone["user"] = gone["user"] | {"id": "U0LEFT", "deleted": True}
    for join in (bot, gone):
        assert kring.slack.post_event(join).status == 200
    assert kring.standin.posted_messages() == []


def test_dutch_newcomer_is_welcomed_in_dutch(kring: Running) -> None:
    busy_workspace(kring)
    assert kring.slack.post_event(newcomer(kring.standin, locale="nl-NL")).status == 200
    [welcome] = dms_to(kring.standin, NEW)
    assert str(welcome["text"]).startswith("Welkom")
    text = json.dumps(blocks_of(welcome), ensure_ascii=False)
    assert "Collega's om te volgen" in text and "in jouw team" in text
    assert "Volgen" in text


def test_follow_button_in_the_welcome_follows(kring: Running, standin: StandinSlack) -> None:
    busy_workspace(kring)
    kring.slack.post_event(newcomer(standin))
    [welcome] = dms_to(standin, NEW)
    payload = {
        "type": "block_actions",
        "user": {"id": NEW, "username": "nora", "team_id": "T0001"},
        "team": {"id": "T0001", "domain": "kring-test"},
        "api_app_id": "A0001",
        "container": {"type": "message", "channel_id": "DU0NEW", "message_ts": "1.2"},
        "channel": {"id": "DU0NEW", "name": "directmessage"},
        "trigger_id": "1.2.3",
        "response_url": standin.new_response_url(),
        "actions": [
            {
                "type": "button",
                "action_id": "kring_follow",
                "block_id": "b",
                "value": follow_values(welcome)[0],
                "action_ts": "1700000001.0",
            }
        ],
    }
    assert kring.slack.action(payload).status == 200
    [confirm] = standin.wait_for("response_url")
    assert "You now follow <@U0FAY>" in str(confirm.params["text"])
    assert "<@U0FAY>" in str(kring.slack.command("following", user_id=NEW).json()["text"])
