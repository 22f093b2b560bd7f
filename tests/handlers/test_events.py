"""Event listeners: which Slack payloads become posts, edits, deletions, reactions and closed
channels, called directly with the payload fixtures (tests/fixtures/events)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from handlers.events import (
    handle_channel_id_changed,
    handle_channel_rename,
    handle_member_joined,
    handle_member_left,
    handle_message,
    handle_reaction,
    handle_user_change,
    team_of,
)
from storage.channels import cached_names, is_closed
from storage.people import get_people
from storage.posts import get_post, mentions_of, tags_of
from tests.handlers.conftest import TEAM, Workspace
from tests.payloads import event

BOT = "UKRING"
ANNS_POST = "1764316800.000100"  # the ts of tests/fixtures/events/message.json
_ids = itertools.count(1)


def body(payload: dict[str, Any]) -> dict[str, Any]:
    """An Events API envelope around ``payload``."""
    return {"team_id": TEAM, "event_id": f"EvUnit{next(_ids)}", "event": payload}


def message(w: Workspace, name: str, **overrides: Any) -> None:
    handle_message(w.deps, body=body(event(name, **overrides)), client=w.client)


def stored(w: Workspace, ts: str, channel_id: str = "C0GENERAL") -> dict[str, Any] | None:
    """The stored post as plain values (its tags and mentions too), None when not stored."""
    with w.deps.sessions.begin() as session:
        post = get_post(session=session, team_id=TEAM, channel_id=channel_id, ts=ts)
        if post is None:
            return None
        return {
            "user_id": post.user_id,
            "text": post.text,
            "files": list(post.files),
            "is_broadcast": post.is_broadcast,
            "edited": post.edited_at is not None,
            "reactions": post.reaction_count,
            "references": post.reference_count,
            "tags": sorted(tags_of(session=session, post_ids=[post.id]).get(post.id, [])),
            "mentions": sorted(mentions_of(session=session, post_ids=[post.id]).get(post.id, [])),
        }


def closed(w: Workspace, channel_id: str = "C0GENERAL") -> bool:
    with w.deps.sessions.begin() as session:
        return is_closed(session=session, team_id=TEAM, channel_id=channel_id)


def test_the_team_comes_from_the_envelope_else_the_event() -> None:
    assert team_of({"team_id": "T1", "event": {"team": "T2"}}) == "T1"
    assert team_of({"event": {"team": "T2"}}) == "T2"
    assert team_of({}) == ""


def test_a_message_is_recorded_with_its_tags_and_mentions(workspace: Workspace) -> None:
    message(workspace, "message")
    post = stored(workspace, ANNS_POST)
    assert post is not None
    assert post["user_id"] == "U0ANN"
    assert post["tags"] == ["onboarding", "release"]
    assert post["mentions"] == ["U0BOB"]
    assert not post["edited"]


def test_a_retried_message_is_recorded_once(workspace: Workspace) -> None:
    message(workspace, "message")
    message(workspace, "message")
    post = stored(workspace, ANNS_POST)
    assert post is not None and post["tags"] == ["onboarding", "release"]


def test_message_changed_replaces_text_tags_and_mentions(workspace: Workspace) -> None:
    message(workspace, "message")
    message(workspace, "message_changed")
    post = stored(workspace, ANNS_POST)
    assert post is not None
    assert "(edited" in post["text"]
    assert post["tags"] == ["launch"]
    assert post["mentions"] == ["U0CAT"]
    assert post["edited"]


def test_an_edit_of_a_message_never_seen_records_it(workspace: Workspace) -> None:
    message(workspace, "message_changed")
    post = stored(workspace, ANNS_POST)
    assert post is not None and post["tags"] == ["launch"]


def test_an_unfurl_arriving_as_an_edit_counts_one_reference(workspace: Workspace) -> None:
    message(workspace, "message")
    unfurl = event("message_changed_unfurl")
    # Bob's message as first posted: the bare permalink, before Slack added the unfurl.
    message(
        workspace,
        "message",
        channel="C0RANDOM",
        user="U0BOB",
        text=unfurl["message"]["text"],
        ts=unfurl["message"]["ts"],
    )
    handle_message(workspace.deps, body=body(unfurl), client=workspace.client)
    handle_message(workspace.deps, body=body(unfurl), client=workspace.client)  # and again
    anns = stored(workspace, ANNS_POST)
    assert anns is not None and anns["references"] == 1
    bobs = stored(workspace, unfurl["message"]["ts"], "C0RANDOM")
    assert bobs is not None and bobs["references"] == 0


def test_a_shared_message_counts_on_the_original(workspace: Workspace) -> None:
    message(workspace, "message")
    message(workspace, "message_share")
    anns = stored(workspace, ANNS_POST)
    assert anns is not None and anns["references"] == 1


def test_a_file_share_is_a_post_keeping_the_file_name_as_text(workspace: Workspace) -> None:
    message(workspace, "file_share")
    post = stored(workspace, "1764316800.000200")
    assert post is not None
    assert post["user_id"] == "U0BOB"
    # Untrusted: stored as written, escaped only where it is shown (ui/mrkdwn.py).
    assert post["files"] == ["<https://evil.example/login|Payroll.pdf> <!channel>"]


def test_a_thread_broadcast_is_a_post_sent_to_the_channel(workspace: Workspace) -> None:
    message(workspace, "thread_broadcast")
    post = stored(workspace, "1764316950.000300")
    assert post is not None and post["is_broadcast"]


@pytest.mark.parametrize(
    ("name", "ts", "channel_id"),
    [
        ("channel_join", "1764317500.000900", "C0GENERAL"),  # a system message
        ("slackbot_reminder", "1764317260.000660", "C0GENERAL"),  # USLACKBOT, no bot_id
        ("bot_message", "1764317200.000600", "C0GENERAL"),
        ("app_user_message", None, None),
        ("app_bot_user_message", None, None),
        ("dm_message", "1764317400.000800", "D0ANNBOB"),
        ("group_dm_message", None, None),
    ],
)
def test_what_no_person_wrote_in_a_public_channel_is_not_a_post(
    workspace: Workspace, name: str, ts: str | None, channel_id: str | None
) -> None:
    payload = event(name)
    message(workspace, name)
    assert stored(workspace, ts or payload["ts"], channel_id or payload["channel"]) is None


def test_message_deleted_removes_the_post(workspace: Workspace) -> None:
    message(workspace, "message")
    message(workspace, "message_deleted")
    assert stored(workspace, ANNS_POST) is None


def test_a_deletion_before_the_message_keeps_a_late_event_out(workspace: Workspace) -> None:
    message(workspace, "message_deleted")
    message(workspace, "message")
    assert stored(workspace, ANNS_POST) is None


def test_a_tombstone_removes_the_thread_parent(workspace: Workspace) -> None:
    message(workspace, "message")
    tombstone = {
        "type": "message",
        "subtype": "tombstone",
        "user": "USLACKBOT",
        "text": "This message was deleted.",
        "ts": ANNS_POST,
        "thread_ts": ANNS_POST,
        "reply_count": 1,
    }
    message(workspace, "message_changed", message=tombstone)
    assert stored(workspace, ANNS_POST) is None


def test_a_changed_message_without_a_message_is_ignored(workspace: Workspace) -> None:
    message(workspace, "message")
    message(workspace, "message_changed", message={"text": "no ts"})
    post = stored(workspace, ANNS_POST)
    assert post is not None and post["tags"] == ["onboarding", "release"]


def test_converting_to_private_deletes_the_posts_and_keeps_new_ones_out(
    workspace: Workspace,
) -> None:
    message(workspace, "message")
    message(workspace, "channel_convert_to_private")
    assert stored(workspace, ANNS_POST) is None
    assert closed(workspace)
    message(workspace, "thread_broadcast")  # a late event still typed as public
    assert stored(workspace, "1764316950.000300") is None


def test_any_message_typed_private_closes_its_channel(workspace: Workspace) -> None:
    message(workspace, "message", channel="C0SECRET")
    message(workspace, "private_channel_message")
    assert stored(workspace, ANNS_POST, "C0SECRET") is None
    assert closed(workspace, "C0SECRET")


def test_converting_back_to_public_records_again(workspace: Workspace) -> None:
    message(workspace, "channel_convert_to_private")
    message(workspace, "channel_convert_to_public")
    assert not closed(workspace)
    message(workspace, "message")
    assert stored(workspace, ANNS_POST) is not None


def test_reactions_are_counted_and_taken_back(workspace: Workspace) -> None:
    message(workspace, "message")
    added = body(event("reaction_added"))
    handle_reaction(workspace.deps, body=added, present=True)
    handle_reaction(workspace.deps, body=added, present=True)  # a retry
    post = stored(workspace, ANNS_POST)
    assert post is not None and post["reactions"] == 1
    handle_reaction(workspace.deps, body=body(event("reaction_removed")), present=False)
    post = stored(workspace, ANNS_POST)
    assert post is not None and post["reactions"] == 0


def test_a_reaction_to_a_file_is_ignored(workspace: Workspace) -> None:
    message(workspace, "message")
    on_file = event("reaction_added", item={"type": "file", "file": "F0PAYROLL"})
    handle_reaction(workspace.deps, body=body(on_file), present=True)
    post = stored(workspace, ANNS_POST)
    assert post is not None and post["reactions"] == 0


def test_a_renamed_channel_keeps_its_new_name(workspace: Workspace) -> None:
    handle_channel_rename(workspace.deps, body=body(event("channel_rename")))
    with workspace.deps.sessions.begin() as session:
        names = cached_names(session=session, team_id=TEAM, channel_ids=["C0DESIGN"])
    assert names == {"C0DESIGN": "design-crit"}


def test_a_changed_channel_id_moves_the_posts(workspace: Workspace) -> None:
    message(workspace, "message")
    handle_channel_id_changed(workspace.deps, body=body(event("channel_id_changed")))
    assert stored(workspace, ANNS_POST) is None
    assert stored(workspace, ANNS_POST, "C0GENERAL2") is not None


def test_a_malformed_channel_id_change_is_ignored(workspace: Workspace) -> None:
    message(workspace, "message")
    bad = event("channel_id_changed", new_channel_id="not an id")
    handle_channel_id_changed(workspace.deps, body=body(bad))
    assert stored(workspace, ANNS_POST) is not None


def test_only_krings_own_join_of_a_private_channel_closes_it(workspace: Workspace) -> None:
    message(workspace, "message")
    private = event("member_joined_channel", channel_type="G")
    someone = body({**private, "user": "U0BOB"})
    handle_member_joined(workspace.deps, body=someone, bot_user_id=BOT, client=workspace.client)
    assert not closed(workspace)
    handle_member_joined(
        workspace.deps, body=body(private), bot_user_id=BOT, client=workspace.client
    )
    assert closed(workspace)
    assert stored(workspace, ANNS_POST) is None


def test_only_kring_leaving_closes_the_channel(workspace: Workspace) -> None:
    message(workspace, "message")
    left = {"type": "member_left_channel", "channel": "C0GENERAL", "channel_type": "C"}
    handle_member_left(workspace.deps, body=body({**left, "user": "U0BOB"}), bot_user_id=BOT)
    assert not closed(workspace)
    handle_member_left(workspace.deps, body=body({**left, "user": BOT}), bot_user_id=BOT)
    assert closed(workspace)


def test_a_profile_change_is_stored(workspace: Workspace) -> None:
    handle_user_change(workspace.deps, body=body(event("user_change")), client=workspace.client)
    with workspace.deps.sessions.begin() as session:
        ann = get_people(session=session, team_id=TEAM, user_ids=["U0ANN"])["U0ANN"]
    assert (ann.title, ann.tz) == ("Head of Design", "Asia/Tokyo")


def test_a_user_change_without_a_user_is_ignored(workspace: Workspace) -> None:
    handle_user_change(
        workspace.deps, body=body({"type": "user_change", "user": "U0ANN"}), client=workspace.client
    )
    with workspace.deps.sessions.begin() as session:
        assert get_people(session=session, team_id=TEAM, user_ids=["U0ANN"]) == {}
