"""Kring records exactly what public channels show: posts, tags, mentions, reactions, edits."""

from __future__ import annotations

import pytest

from standin.harness import Running
from tests.e2e import db_checks as db
from tests.payloads import event

PARENT_TS = "1764316800.000100"


def test_message_is_recorded_with_tags_mentions_and_links(kring: Running) -> None:
    answer = kring.slack.post_event(event("message"))
    assert answer.status == 200
    stored = db.posts(kring.sessions)[PARENT_TS]
    assert (stored.user_id, stored.channel_id) == ("U0ANN", "C0GENERAL")
    assert db.tags(kring.sessions, PARENT_TS) == {"release", "onboarding"}
    assert db.mentions(kring.sessions, PARENT_TS) == {"U0BOB"}
    assert stored.links == ["https://wiki.example.com/onboarding#steps"]


def test_retried_event_stores_one_post(kring: Running) -> None:
    first = kring.slack.post_event(event("message"), event_id="Ev0001")
    retry = kring.slack.post_event(event("message"), event_id="Ev0001", retry_num=1)
    duplicate = kring.slack.post_event(event("message"), event_id="Ev0002")
    assert (first.status, retry.status, duplicate.status) == (200, 200, 200)
    assert list(db.posts(kring.sessions)) == [PARENT_TS]
    assert db.mentions(kring.sessions, PARENT_TS) == {"U0BOB"}


def test_retried_reaction_counts_once(kring: Running) -> None:
    kring.slack.post_event(event("message"))
    kring.slack.post_event(event("reaction_added"), event_id="EvR1")
    kring.slack.post_event(event("reaction_added"), event_id="EvR1", retry_num=1)
    assert db.reactions(kring.sessions) == [("U0BOB", "tada")]
    assert db.posts(kring.sessions)[PARENT_TS].reaction_count == 1
    kring.slack.post_event(event("reaction_removed"))
    assert db.reactions(kring.sessions) == []
    assert db.posts(kring.sessions)[PARENT_TS].reaction_count == 0


def test_thread_replies_and_broadcasts_are_recorded_under_their_parent(kring: Running) -> None:
    kring.slack.post_event(event("message"))
    kring.slack.post_event(event("thread_reply"))
    kring.slack.post_event(event("thread_broadcast"))
    stored = db.posts(kring.sessions)
    assert stored["1764316900.000200"].thread_ts == PARENT_TS
    assert stored["1764316950.000300"].is_broadcast
    assert stored[PARENT_TS].reply_count == 2


def test_edit_replaces_text_tags_and_mentions(kring: Running) -> None:
    kring.slack.post_event(event("message"))
    kring.slack.post_event(event("message_changed"))
    stored = db.posts(kring.sessions)[PARENT_TS]
    assert "(edited" in stored.text
    assert stored.edited_at is not None
    assert db.tags(kring.sessions, PARENT_TS) == {"launch"}
    assert db.mentions(kring.sessions, PARENT_TS) == {"U0CAT"}


def test_deleted_message_disappears_with_what_hangs_on_it(kring: Running) -> None:
    kring.slack.post_event(event("message"))
    kring.slack.post_event(event("reaction_added"))
    kring.slack.post_event(event("message_deleted"))
    assert db.posts(kring.sessions) == {}
    assert db.reactions(kring.sessions) == []
    # Slack retrying the original event afterwards must not bring it back.
    kring.slack.post_event(event("message"), retry_num=2)
    assert db.posts(kring.sessions) == {}


def test_channel_links_count_as_tags(kring: Running) -> None:
    kring.slack.post_event(event("message_channel_link"))
    assert db.tags(kring.sessions, "1764316801.000100") == {"release", "design"}
    # The unnamed reference was looked up once and then cached.
    assert [c.params["channel"] for c in kring.standin.calls("conversations.info")] == ["C0DESIGN"]


def test_renamed_channel_changes_the_tag_of_later_links(kring: Running) -> None:
    kring.slack.post_event(event("channel_rename"))
    kring.slack.post_event(event("message_channel_link"))
    assert db.tags(kring.sessions, "1764316801.000100") == {"release", "design-crit"}
    assert kring.standin.calls("conversations.info") == []


@pytest.mark.parametrize(
    "name",
    [
        "bot_message",
        "app_bot_user_message",
        "slackbot_reminder",
        "app_user_message",
        "private_channel_message",
        "dm_message",
        "group_dm_message",
        "channel_join",
    ],
)
def test_bots_private_conversations_and_system_messages_are_never_recorded(
    kring: Running, name: str
) -> None:
    answer = kring.slack.post_event(event(name))
    assert answer.status == 200
    assert db.posts(kring.sessions) == {}


def test_slackbot_is_never_a_poster_though_slack_calls_it_no_bot(kring: Running) -> None:
    kring.standin.add_user("USLACKBOT", "slackbot", real_name="Slackbot")  # is_bot: false
    assert kring.slack.post_event(event("slackbot_reminder")).status == 200
    edit = event("message_changed")
    edit["message"] = {**event("slackbot_reminder"), "edited": {"user": "USLACKBOT", "ts": "1"}}
    assert kring.slack.post_event(edit).status == 200
    assert db.posts(kring.sessions) == {}
    assert db.person(kring.sessions, "USLACKBOT") is None


def test_someone_slack_describes_as_a_bot_is_never_recorded(kring: Running) -> None:
    kring.slack.post_event(event("user_change_bot"))
    plain = event("app_user_message")
    del plain["app_id"]  # nothing in the message itself gives the bot away
    assert kring.slack.post_event(plain).status == 200
    assert db.posts(kring.sessions) == {}
    kring.slack.post_event(event("message"))
    assert list(db.posts(kring.sessions)) == [PARENT_TS]


def test_user_change_refreshes_the_cached_profile(kring: Running) -> None:
    kring.slack.post_event(event("user_change"))
    person = db.person(kring.sessions, "U0ANN")
    assert person is not None
    assert (person.title, person.tz, person.display_name) == (
        "Head of Design",
        "Asia/Tokyo",
        "annj",
    )


def test_failed_write_is_not_acknowledged_so_slack_retries(kring: Running) -> None:
    from sqlalchemy import text

    with kring.engine.begin() as conn:
        conn.execute(text("DROP TABLE post_tags"))
    answer = kring.slack.post_event(event("message"))
    assert answer.status == 500
    assert db.posts(kring.sessions) == {}
