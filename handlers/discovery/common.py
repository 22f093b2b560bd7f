"""What the discovery answers share: the asker's follows, fresh-enough profiles, Follow buttons."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta

from slack_sdk.errors import SlackClientError

from handlers import lookups
from handlers.calls import Call
from storage.digests import cached_permalinks, remember_permalinks
from storage.follows import Target, following
from storage.models import Person
from ui import blocks
from ui.blocks import FOLLOW_ACTION, Button
from ui.mrkdwn import permalink

log = logging.getLogger(__name__)


# Lists show up to 30 people; their titles need not be fresher than this, because user_change
# events keep cached profiles current, and 30 users.info calls would not fit in 3 seconds.
LIST_PROFILE_MAX_AGE = timedelta(days=7)

answer = blocks.answer


def follows(call: Call) -> set[Target]:
    """Everyone and every tag the asker follows."""
    return set(
        following(session=call.session, team_id=call.asker.team_id, follower_id=call.asker.user_id)
    )


def people(
    call: Call, user_ids: Sequence[str], max_age: timedelta = LIST_PROFILE_MAX_AGE
) -> dict[str, Person]:
    """Profiles of ``user_ids``, asked of Slack only when the cached one is older than
    ``max_age``."""
    return lookups.people(
        session=call.session,
        client=call.client,
        team_id=call.asker.team_id,
        user_ids=user_ids,
        now=call.deps.clock(),
        max_age=max_age,
        departments=call.deps.departments,
    )


def active(found: dict[str, Person], user_id: str) -> bool:
    """Whether to show someone: only known leavers and bots are left out."""
    # Someone Slack could not describe just now is still shown.
    person = found.get(user_id)
    return person is None or not (person.deleted or person.is_bot)


def title_of(person: Person | None) -> str:
    return person.title if person is not None else ""


def follow_button(call: Call, target: Target, followed: set[Target], key: str) -> Button | None:
    """Follow, unless it is the asker or already followed (lists then show nothing)."""
    if target in followed or (target.kind == "person" and target.value == call.asker.user_id):
        return None
    return Button(FOLLOW_ACTION, call.t(key), f"{target.kind}:{target.value}")


def permalinks(call: Call, messages: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Permalinks for (channel, ts) ``messages``: cached ones, the rest asked of Slack (and then
    cached)."""
    team_id = call.asker.team_id
    links = cached_permalinks(session=call.session, team_id=team_id, messages=list(messages))
    fetched: dict[tuple[str, str], str] = {}
    for channel, ts in messages:
        if (channel, ts) in links or (channel, ts) in fetched:
            continue
        try:
            answered = call.client.chat_getPermalink(channel=channel, message_ts=ts)
        except (SlackClientError, OSError) as exc:
            # The answer is still worth showing without the link.
            log.info("chat.getPermalink failed for %s/%s: %s", channel, ts, exc)
            continue
        link = answered.get("permalink")
        if isinstance(link, str) and link:
            fetched[(channel, ts)] = link
    remember_permalinks(session=call.session, team_id=team_id, links=fetched)
    return links | fetched


def open_link(call: Call, links: Mapping[tuple[str, str], str], channel: str, ts: str) -> str:
    """An "open" link to the message, or "" when Slack gave no usable permalink."""
    return permalink(links.get((channel, ts)), call.t("profile.open")) or ""
