"""Shares, message unfurls and permalinks in message payloads become references."""

from __future__ import annotations

import pytest

from handlers.payloads import message_refs, new_post
from storage.posts import Ref
from tests.payloads import event

ANNS = Ref("C0GENERAL", "1764316800.000100", "U0ANN")


def no_names(channel_ids: list[str]) -> dict[str, str]:
    return {}


def test_shared_message_references_the_original_and_its_author() -> None:
    post = new_post("T0001", "C0RANDOM", event("message_share"), no_names)
    assert post.refs == (ANNS,)


def test_unfurl_in_a_message_changed_event_references_the_original() -> None:
    message = event("message_changed_unfurl")["message"]
    assert message_refs(message) == (ANNS,)  # the unfurl's author wins over the bare link


def test_permalink_with_thread_ts_references_the_reply_it_points_at() -> None:
    assert message_refs(event("message_permalink")) == (Ref("C0GENERAL", "1764316800.000100"),)


def test_permalink_without_thread_ts_in_plain_text() -> None:
    text = "look https://acme.slack.com/archives/C024BE91L/p1355517523000008 and again <https://acme-eu.enterprise.slack.com/archives/C0ABC/p1764316800000100|here>"
    assert message_refs({"text": text}) == (
        Ref("C024BE91L", "1355517523.000008"),
        Ref("C0ABC", "1764316800.000100"),
    )


def test_the_same_message_twice_is_one_reference() -> None:
    link = "https://acme.slack.com/archives/C0ABC/p1764316800000100"
    assert message_refs({"text": f"{link} {link}?thread_ts=1764316800.000100"}) == (
        Ref("C0ABC", "1764316800.000100"),
    )


@pytest.mark.parametrize(
    "text",
    [
        "https://acme.slack.com/archives/G0PRIVATE/p1764316800000100",  # private channel
        "https://acme.slack.com/archives/D0DM/p1764316800000100",  # a DM
        "https://acme.slack.com/archives/C0ABC/p17643168000001",  # too few digits
        "https://acme.slack.com/archives/C0ABC/p17643168000001000",  # too many
        "https://acme.slack.com/archives/C0ABC",  # the channel, not a message
        "https://slack.com.evil.example/archives/C0ABC/p1764316800000100",
        "https://acme.slack.com.evil.example/archives/C0ABC/p1764316800000100",
        "https://evil-slack.com/archives/C0ABC/p1764316800000100",
        "https://evil.example/?u=https://acme.slack.com/archives/C0ABC/p1764316800000100",
        "http://acme.slack.com/archives/C0ABC/p1764316800000100",  # Slack links are https
        "https://acme.slack.com/files/U0ANN/F0ABC/p1764316800000100",
        "p1764316800000100",
    ],
)
def test_junk_urls_never_match(text: str) -> None:
    assert message_refs({"text": text}) == ()


def test_attachments_that_are_not_shares_are_not_references() -> None:
    link_preview = {
        "from_url": "https://acme.slack.com/archives/C0ABC/p1764316800000100",
        "title": "A page",
        "channel_id": "C0ABC",
        "ts": "1764316800.000100",
    }
    assert message_refs({"text": "", "attachments": [link_preview, "junk", None]}) == ()


def test_share_without_channel_and_ts_falls_back_to_its_url() -> None:
    share = {
        "is_share": True,
        "author_id": "U0ANN",
        "from_url": "https://acme.slack.com/archives/C0ABC/p1764316800000100",
    }
    assert message_refs({"attachments": [share]}) == (Ref("C0ABC", "1764316800.000100", "U0ANN"),)


def test_share_with_a_malformed_author_keeps_the_reference_without_author() -> None:
    share = {
        "is_share": True,
        "author_id": "<bad>",
        "channel_id": "C0ABC",
        "ts": "1764316800.000100",
    }
    assert message_refs({"attachments": [share]}) == (Ref("C0ABC", "1764316800.000100"),)
