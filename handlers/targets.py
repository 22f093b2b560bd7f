"""Reading what people type after a command: people, tags and channel links."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from handlers import lookups
from handlers.calls import Call
from storage.channels import cached_names, open_channels_named
from storage.follows import Target
from storage.text import TAG_MAX, normalize_tag, tag_from_channel_name
from ui import mrkdwn
from ui.mrkdwn import mrkdwn_code, mrkdwn_name

TOKEN = re.compile(r"<[^<>]*>|[^\s,<>]+")
USER_REF = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
CHANNEL_REF = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|([^>]*))?>$")


def tokens(text: str) -> list[str]:
    """Split command text into words, keeping Slack's `<…>` references whole."""
    return TOKEN.findall(text)


@dataclass
class Resolved:
    targets: list[Target] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def resolve_targets(
    call: Call, words: list[str], *, checking_people: bool, channels: bool = False
) -> Resolved:
    """Turn command words into follow targets, collecting a sentence for each word refused.

    With ``channels`` (follow and unfollow), a channel link or a ``#tag`` naming a public channel
    Kring is in stands for the topic: the tag and the channel (see :func:`_resolve_topics`).
    """
    out = Resolved()
    user_ids: list[str] = []
    unnamed_channels: list[str] = []
    topics: list[tuple[str | None, str | None]] = []  # (channel id, tag) in the order typed
    for word in words:
        if m := USER_REF.match(word):
            user_ids.append(m.group(1))
        elif channels and (m := CHANNEL_REF.match(word)):
            topics.append((m.group(1), normalize_tag((m.group(2) or "").strip()) or None))
        elif channels and word.startswith("#") and (tag := normalize_tag(word)):
            topics.append((None, tag))
        elif m := CHANNEL_REF.match(word):
            name = (m.group(2) or "").strip()
            tag = normalize_tag(name) if name else None
            if tag:
                out.targets.append(Target("tag", tag))
            else:
                unnamed_channels.append(m.group(1))
        elif word.startswith("#"):
            body = word.lstrip("#")
            tag = normalize_tag(word)
            if tag:
                out.targets.append(Target("tag", tag))
            elif len(body) > TAG_MAX:
                out.problems.append(
                    call.t("target.tag_too_long", tag_start=mrkdwn_name(body[:20]), limit=TAG_MAX)
                )
            else:
                out.problems.append(call.t("target.bad_tag", token=shorten(word)))
        elif word.startswith("@") and len(word) > 1:
            out.problems.append(call.t("target.unknown_name", token=shorten(word)))
        else:
            out.problems.append(call.t("target.not_understood", token=shorten(word)))
    if topics:
        _resolve_topics(call, topics, out, unnamed_channels, checking=checking_people)
    if unnamed_channels:
        now = call.deps.clock()
        names = lookups.channel_names(
            session=call.session,
            client=call.client,
            team_id=call.asker.team_id,
            channel_ids=unnamed_channels,
            now=now,
        )
        for cid in unnamed_channels:
            tag = normalize_tag(names.get(cid, ""))
            if tag:
                out.targets.append(Target("tag", tag))
            else:
                out.problems.append(call.t("target.channel_unknown"))
    if user_ids:
        _resolve_people(call, user_ids, out, checking=checking_people)
    return out


def _resolve_topics(
    call: Call,
    topics: list[tuple[str | None, str | None]],
    out: Resolved,
    unnamed_channels: list[str],
    *,
    checking: bool,
) -> None:
    """Channel links and #tags as topics: the tag, plus the channel when there is one.

    Following (``checking``), a channel counts when Slack says it is public and Kring is in it
    (:func:`handlers.lookups.member_channel`); a `#tag` is looked for among the cached channel
    names first. Otherwise a `#tag` stays a tag, and a channel link a tag of its name, as
    without channels. Unfollowing asks Slack nothing: the cached names are enough to undo it.
    """
    team_id, now = call.asker.team_id, call.deps.clock()
    named = open_channels_named(
        session=call.session, team_id=team_id, tags=[tag for cid, tag in topics if tag and not cid]
    )
    known = cached_names(
        session=call.session, team_id=team_id, channel_ids=[cid for cid, _ in topics if cid]
    )
    for cid, tag in topics:
        ids = [cid] if cid else named.get(tag or "", [])
        if not checking:
            out.targets += [Target("channel", c) for c in ids]
            tag = tag or normalize_tag(known.get(cid or "", ""))
            if tag:
                out.targets.append(Target("tag", tag))
            continue
        found: str | None = None
        for candidate in ids:
            name = lookups.member_channel(
                session=call.session,
                client=call.client,
                team_id=team_id,
                channel_id=candidate,
                now=now,
            )
            # A cached name may be stale: the channel must still carry the name typed.
            if name is not None and (cid or tag_from_channel_name(name) == tag):
                out.targets.append(Target("channel", candidate))
                found = name
                break
        tag = tag or normalize_tag(found or "")
        if tag:
            out.targets.append(Target("tag", tag))
        elif cid and found is None:
            unnamed_channels.append(cid)  # looked up, and refused when Slack won't say, as before


def _resolve_people(call: Call, user_ids: list[str], out: Resolved, *, checking: bool) -> None:
    if not checking:
        out.targets += [Target("person", uid) for uid in user_ids]
        return
    found = lookups.people(
        session=call.session,
        client=call.client,
        team_id=call.asker.team_id,
        user_ids=user_ids,
        now=call.deps.clock(),
        departments=call.deps.departments,
    )
    for uid in dict.fromkeys(user_ids):
        person = found.get(uid)
        mention = mrkdwn.mention(uid)
        if uid == call.asker.user_id:
            out.problems.append(call.t("target.self"))
        elif person is None:
            out.problems.append(call.t("target.unknown_user", user=mention))
        elif person.deleted:
            out.problems.append(call.t("target.deactivated", user=mention))
        elif person.is_bot:
            out.problems.append(call.t("target.bot", user=mention))
        else:
            out.targets.append(Target("person", uid))


def shorten(word: str, limit: int = 40) -> str:
    """A word someone typed, to be shown back between backticks."""
    return mrkdwn_code(word, limit)
