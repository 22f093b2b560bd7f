"""Turn Slack payloads into the plain values storage takes."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from storage.channels import NOT_MEMBER, PRIVATE
from storage.people import Profile
from storage.posts import NewPost, Ref, ts_to_datetime
from storage.text import ParsedText, parse_text, tag_from_channel_name

# Message subtypes written by people; everything else (joins, topics, bots…) is not a post.
HUMAN_SUBTYPES = frozenset({None, "thread_broadcast", "file_share", "me_message"})
# Slackbot posts reminders and auto-responses as a user, without a bot_id, and users.info says
# is_bot: false for it.
SLACKBOT = "USLACKBOT"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def profile_from_user(user: Mapping[str, Any]) -> Profile:
    """A users.info / user_change user object as a Profile."""
    profile = user.get("profile") or {}
    return Profile(
        user_id=str(user["id"]),
        name=str(user.get("name") or ""),
        real_name=str(user.get("real_name") or profile.get("real_name") or ""),
        display_name=str(profile.get("display_name") or ""),
        title=str(profile.get("title") or ""),
        tz=user.get("tz") or None,
        tz_offset=int(user.get("tz_offset") or 0),
        locale=user.get("locale") or None,
        # Not is_app_user: that marks a person who authorised the calling app, not a bot.
        is_bot=bool(user.get("is_bot")) or user.get("id") == SLACKBOT,
        deleted=bool(user.get("deleted")),
        is_admin=bool(user.get("is_admin")),
        is_owner=bool(user.get("is_owner") or user.get("is_primary_owner")),
    )


def is_public_channel_event(event: Mapping[str, Any]) -> bool:
    """Only public channels are recorded; private channels, DMs and group DMs never are."""
    return event.get("channel_type") == "channel"


def is_human_message(message: Mapping[str, Any]) -> bool:
    """Written by a person: not a system message, not Slackbot, not posted by an app or bot
    (those carry ``bot_id``, ``bot_profile`` or ``app_id``)."""
    return (
        message.get("subtype") in HUMAN_SUBTYPES
        and not message.get("bot_id")
        and not message.get("bot_profile")
        and not message.get("app_id")
        and bool(message.get("user"))
        and message.get("user") != SLACKBOT
    )


SLACK_ID = re.compile(r"[A-Z0-9]{1,32}")


def slack_id(value: object) -> str | None:
    """A Slack id (``C0123ABC``) from a payload field, or None when it is missing or malformed."""
    text = str(value or "")
    return text if SLACK_ID.fullmatch(text) else None


# What a message event's channel_type says about where it happened.
PRIVATE_CHANNEL_TYPE = "group"
# member_joined_channel says it with one letter.
JOINED_PUBLIC, JOINED_PRIVATE = "C", "G"


def closes_channel(event: Mapping[str, Any]) -> bool:
    """A message event that shows its channel is no longer public: made private
    (``channel_convert_to_private``), or any message from a private channel (``channel_type``
    ``group``), which is how Slack describes a converted channel from then on."""
    return (
        event.get("subtype") == "channel_convert_to_private"
        or event.get("channel_type") == PRIVATE_CHANNEL_TYPE
    )


def reopens_channel(event: Mapping[str, Any]) -> bool:
    """A ``channel_convert_to_public`` message: the channel (Kring is in it, or it would not
    hear this) is public again."""
    return (
        event.get("subtype") == "channel_convert_to_public"
        and event.get("channel_type") == "channel"
    )


def audit_verdict(channel: Mapping[str, Any]) -> str | None:
    """What a conversations.info channel object means for the posts Kring holds from it: None
    to keep them (a public channel Kring is in, or an archived public channel, which stays
    readable), else why the channel closes (a reason of :mod:`storage.channels`)."""
    if channel.get("is_private") or channel.get("is_im") or channel.get("is_mpim"):
        return PRIVATE
    if channel.get("is_archived"):
        return None
    if not channel.get("is_member"):
        return NOT_MEMBER
    return None


# A message's permalink: https://<workspace>.slack.com/archives/<channel>/p<ts without its dot>,
# optionally ?thread_ts=…&cid=… for a reply. Only public channels (C…) are recorded by Kring.
PERMALINK = re.compile(
    r"(?<![\w/=.:?&%@-])https://[a-z0-9][a-z0-9-]*(?:\.enterprise)?\.slack\.com/archives/(C[A-Z0-9]{2,31})"
    r"/p(\d{10})(\d{6})(?![\d])"
)
MESSAGE_TS = re.compile(r"\d{10}\.\d{6}")


def permalink_refs(text: str) -> list[Ref]:
    """The messages whose permalinks ``text`` contains, in order."""
    return [
        Ref(channel, f"{seconds}.{micros}") for channel, seconds, micros in PERMALINK.findall(text)
    ]


def attachment_ref(attachment: Mapping[str, Any]) -> Ref | None:
    """The message a share (``is_share``) or a message unfurl (``is_msg_unfurl``) attachment
    shows, with its author; None for any other attachment or one without a usable message."""
    if not (attachment.get("is_share") or attachment.get("is_msg_unfurl")):
        return None
    author = slack_id(attachment.get("author_id"))
    channel = slack_id(attachment.get("channel_id"))
    ts = str(attachment.get("ts") or "")
    if channel and MESSAGE_TS.fullmatch(ts):
        return Ref(channel, ts, author)
    for url in (attachment.get("from_url"), attachment.get("original_url")):
        found = permalink_refs(str(url or ""))
        if found:
            return Ref(found[0].channel_id, found[0].ts, author)
    return None


def message_refs(message: Mapping[str, Any]) -> tuple[Ref, ...]:
    """Every message ``message`` shares, unfurls or links to, once each (an attachment's
    author wins over a bare link to the same message)."""
    refs: dict[tuple[str, str], Ref] = {}
    attachments = message.get("attachments")
    for attachment in attachments if isinstance(attachments, list) else ():
        ref = attachment_ref(attachment) if isinstance(attachment, Mapping) else None
        if ref is not None:
            refs[(ref.channel_id, ref.ts)] = ref
    for ref in permalink_refs(str(message.get("text") or "")):
        refs.setdefault((ref.channel_id, ref.ts), ref)
    return tuple(refs.values())


def clean_text(text: str) -> str:
    """Drop control characters that Slack would not show anyway."""
    return CONTROL.sub(" ", text)


def new_post(
    team_id: str,
    channel_id: str,
    message: Mapping[str, Any],
    channel_names: Callable[[list[str]], Mapping[str, str]],
) -> NewPost:
    """A message object (from a message or message_changed event) as a NewPost.

    ``channel_names`` looks up the names of channel links that came without one.
    """
    text = clean_text(str(message.get("text") or ""))
    parsed = parse_text(text)
    unnamed = [cid for cid, name in parsed.channel_refs.items() if name is None]
    names = channel_names(unnamed) if unnamed else {}
    thread_ts = message.get("thread_ts")
    edited = message.get("edited") or {}
    return NewPost(
        team_id=team_id,
        channel_id=channel_id,
        ts=str(message["ts"]),
        user_id=str(message["user"]),
        text=text,
        tags=tags_with_channels(parsed, names),
        mentions=parsed.mentions,
        links=parsed.links,
        files=tuple(str(f.get("name") or f.get("title") or "") for f in message.get("files") or ()),
        thread_ts=str(thread_ts) if thread_ts else None,
        is_broadcast=message.get("subtype") == "thread_broadcast",
        edited_at=ts_to_datetime(str(edited["ts"])) if edited.get("ts") else None,
        refs=message_refs(message),
    )


def post_from_message(
    team_id: str,
    channel_id: str,
    message: Mapping[str, Any],
    channel_names: Callable[[list[str]], Mapping[str, str]],
) -> NewPost | None:
    """A message as live events and the history import both record it: a NewPost when a
    person wrote it (see :func:`is_human_message`), else None. The one gate for both, so that
    what is imported from history can never differ from what live events record."""
    if not message.get("ts") or not is_human_message(message):
        return None
    return new_post(team_id, channel_id, message, channel_names)


def tags_with_channels(parsed: ParsedText, channel_names: Mapping[str, str]) -> frozenset[str]:
    """The typed tags plus a tag for each channel reference (Slack links a typed #channel)."""
    tags = set(parsed.tags)
    for channel_id, name in parsed.channel_refs.items():
        resolved = name or channel_names.get(channel_id)
        tag = tag_from_channel_name(resolved) if resolved else None
        if tag:
            tags.add(tag)
    return frozenset(tags)
