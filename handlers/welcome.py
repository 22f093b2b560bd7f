"""New colleagues (`team_join`): a welcome DM with what Kring is and whom to follow first.

Working apart weakens the ties of new employees first, so the welcome points a newcomer at
colleagues of their own department, the people most followed and most helpful, and the busiest
tags, each one click away.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from sqlalchemy.orm import Session

from handlers.deps import Deps
from handlers.payloads import profile_from_user
from storage.events import claim_event
from storage.people import get_person, upsert_profile
from storage.welcome import BUSY_TAG_DAYS, Starter, busy_tags, starter_people
from ui.blocks import FOLLOW_ACTION, MAX_BUTTON_TEXT
from ui.i18n import language_for, t, tn
from ui.mrkdwn import mention, mrkdwn_name, tag
from ui.text import SEPARATOR, clip_plain

log = logging.getLogger(__name__)

PEOPLE_SHOWN = 5
TAGS_SHOWN = 5
MAX_HEADER_TEXT = 150


def plain(text: str, limit: int) -> PlainTextObject:
    """Plain text cut to Slack's ``limit`` for its field."""
    return PlainTextObject(text=clip_plain(text, limit))


def follow_button(value: str, lang: str) -> ButtonElement:
    """A Follow button for a ``person:U…`` or ``tag:x`` value."""
    return ButtonElement(
        action_id=FOLLOW_ACTION,
        text=plain(t("home.follow", lang), MAX_BUTTON_TEXT),
        value=value,
        style="primary",
    )


def starter_reason(person: Starter, lang: str) -> str:
    """Why a newcomer might follow ``person``: same team, followers, helpfulness."""
    parts = []
    if person.same_department:
        parts.append(t("welcome.reason.department", lang))
    if person.followers:
        parts.append(tn("welcome.reason.followers", person.followers, lang))
    if person.helpful:
        parts.append(tn("welcome.reason.helpful", person.helpful, lang))
    return SEPARATOR.join(parts)


def person_section(user_id: str, title: str, reason: str, lang: str) -> SectionBlock:
    """A person (mention, title, why) with a Follow button."""
    head = mention(user_id)
    shown = mrkdwn_name(title)
    if shown:
        head += SEPARATOR + shown
    text = f"{head}\n{reason}" if reason else head
    return SectionBlock(
        text=MarkdownTextObject(text=text), accessory=follow_button(f"person:{user_id}", lang)
    )


def tag_section(name: str, posts: int, lang: str) -> SectionBlock:
    """A busy tag (how busy) with a Follow button."""
    busy = tn("welcome.tag_posts", posts, lang, days=BUSY_TAG_DAYS)
    return SectionBlock(
        text=MarkdownTextObject(text=f"*{tag(name)}*{SEPARATOR}{busy}"),
        accessory=follow_button(f"tag:{name}", lang),
    )


def welcome_blocks(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    lang: str,
    now: datetime,
    kept_since: datetime | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """(notification text, blocks) of the welcome DM for ``user_id``; nothing posted before
    ``kept_since`` (retention) counts."""
    me = get_person(session=session, team_id=team_id, user_id=user_id)
    people = starter_people(
        session=session,
        team_id=team_id,
        user_id=user_id,
        department=me.department if me else "",
        now=now,
        limit=PEOPLE_SHOWN,
        kept_since=kept_since,
    )
    tags = busy_tags(
        session=session,
        team_id=team_id,
        user_id=user_id,
        now=now,
        limit=TAGS_SHOWN,
        kept_since=kept_since,
    )
    blocks: list[Block] = [
        HeaderBlock(text=plain(t("welcome.header", lang), MAX_HEADER_TEXT)),
        SectionBlock(text=MarkdownTextObject(text=t("welcome.intro", lang))),
        SectionBlock(text=MarkdownTextObject(text=t("welcome.howto", lang))),
        DividerBlock(),
    ]
    if people:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=t("welcome.people.title", lang))))
        blocks += [
            person_section(p.user_id, p.title, starter_reason(p, lang), lang) for p in people
        ]
    else:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=t("welcome.nobody", lang))))
    if tags:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=t("welcome.tags.title", lang))))
        blocks += [tag_section(tag, posts, lang) for tag, posts in tags]
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=t("welcome.footer", lang))]))
    return t("welcome.notification", lang), [block.to_dict() for block in blocks]


def _slack_locale(client: WebClient, user_id: str) -> str | None:
    # team_join carries no locale; users.info tells it only when asked.
    try:
        answer = client.users_info(user=user_id, include_locale=True)
    except SlackApiError as exc:
        log.info("users.info failed for %s: %s", user_id, exc.response.get("error"))
        return None
    user = answer.get("user")
    locale = user.get("locale") if isinstance(user, dict) else None
    return str(locale) if locale else None


def send_welcome(
    deps: Deps, client: WebClient, *, team_id: str, user: dict[str, Any], event_id: str
) -> None:
    """`team_join`: cache the newcomer's profile and DM them the welcome, once.

    Bots and deactivated accounts get no welcome. ``event_id`` is the Slack event id: a retried
    delivery of the same event finds it claimed and sends nothing.
    """
    if not isinstance(user, dict) or not user.get("id"):
        return
    profile = profile_from_user(user)
    newcomer = not profile.is_bot and not profile.deleted
    now = deps.clock()
    if newcomer and profile.locale is None:
        profile = replace(profile, locale=_slack_locale(client, profile.user_id))
    if newcomer:
        # Their own department comes first in the welcome.
        department = deps.departments.of_user(client, team_id, user, now)
        profile = replace(profile, department=department)
    with deps.sessions.begin() as session:
        # Claimed before anything else is written: a concurrent delivery of the same event
        # waits here until this one commits, instead of racing it to insert the profile.
        first = newcomer and claim_event(
            session=session,
            team_id=team_id,
            event_id=event_id or f"team_join:{profile.user_id}",
            now=now,
        )
        person = upsert_profile(session=session, team_id=team_id, profile=profile, now=now)
        if not first:
            return
        lang = language_for(person.locale, person.language)
        text, blocks = welcome_blocks(
            session=session,
            team_id=team_id,
            user_id=profile.user_id,
            lang=lang,
            now=now,
            kept_since=deps.kept_since(now),
        )
        # Sent before the claim commits: a failed send rolls the claim back so that Slack's
        # retry tries again, and a retry arriving meanwhile waits on the claim, then skips.
        client.chat_postMessage(channel=profile.user_id, text=text, blocks=blocks)
