"""Reading what people type after a command: people, tags and channel links."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from handlers import lookups
from handlers.calls import Call
from storage.follows import Target
from storage.text import TAG_MAX, normalize_tag
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


def resolve_targets(call: Call, words: list[str], *, checking_people: bool) -> Resolved:
    """Turn command words into follow targets, collecting a sentence for each word refused."""
    out = Resolved()
    user_ids: list[str] = []
    unnamed_channels: list[str] = []
    for word in words:
        if m := USER_REF.match(word):
            user_ids.append(m.group(1))
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
