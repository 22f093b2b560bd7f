"""Slack look-ups (users.info, conversations.info) cached in the database."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from handlers.departments import Departments
from handlers.payloads import profile_from_user
from storage.channels import cached_names, is_closed, remember_channel
from storage.models import Person
from storage.people import get_people, upsert_profile

log = logging.getLogger(__name__)

PROFILE_MAX_AGE = timedelta(hours=12)
MISSING_USER_ERRORS = frozenset({"user_not_found", "users_not_found"})


def people(
    *,
    session: Session,
    client: WebClient,
    team_id: str,
    user_ids: Iterable[str],
    now: datetime,
    max_age: timedelta = PROFILE_MAX_AGE,
    departments: Departments | None = None,
) -> dict[str, Person]:
    """Profiles for ``user_ids``, fetched from Slack when not cached or older than ``max_age``.

    With ``departments``, a fetched profile's department field is read too (users.info may
    carry it, else users.profile.get); without, the stored one is kept. Users Slack does not
    know are left out. When Slack cannot be reached the cached (possibly stale) profile is used.
    """
    ids = sorted(set(user_ids))
    cached = get_people(session=session, team_id=team_id, user_ids=ids)
    out: dict[str, Person] = {}
    for uid in ids:
        person = cached.get(uid)
        age = None if person is None else profile_age(person, now)
        if person is not None and age is not None and age < max_age:
            out[uid] = person
            continue
        try:
            answer = client.users_info(user=uid, include_locale=True)
        except (SlackApiError, OSError) as exc:
            # OSError: Slack unreachable or too slow (after the client's own retries).
            error = exc.response.get("error") if isinstance(exc, SlackApiError) else repr(exc)
            if error in MISSING_USER_ERRORS:
                continue
            log.warning("users.info failed for %s: %s", uid, error)
            if person is not None and person.fetched_at is not None:
                out[uid] = person
            continue
        user = answer.get("user")
        if isinstance(user, dict):
            profile = profile_from_user(user)
            if departments is not None and not (profile.is_bot or profile.deleted):
                department = departments.of_user(client, team_id, user, now)
                profile = replace(profile, department=department)
            out[uid] = upsert_profile(session=session, team_id=team_id, profile=profile, now=now)
    return out


def profile_age(person: Person, now: datetime) -> timedelta | None:
    """How long ago Slack last described ``person`` (None: never)."""
    if person.fetched_at is None:
        return None
    return now - _aware(person.fetched_at, now)


def _aware(value: datetime, like: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns.
    return value if value.tzinfo is not None else value.replace(tzinfo=like.tzinfo)


def channel_names(
    *,
    session: Session,
    client: WebClient,
    team_id: str,
    channel_ids: Iterable[str],
    now: datetime,
) -> dict[str, str]:
    """Names for channel ids, from the cache or conversations.info (which is then cached).

    Channels Slack will not describe (private ones, say) are left out.
    """
    ids = sorted(set(channel_ids))
    names = cached_names(session=session, team_id=team_id, channel_ids=ids)
    for cid in ids:
        if cid in names:
            continue
        try:
            info = client.conversations_info(channel=cid)
        except SlackApiError as exc:
            log.info("conversations.info failed for %s: %s", cid, exc.response.get("error"))
            continue
        channel = info.get("channel")
        if isinstance(channel, dict) and channel.get("name") and not channel.get("is_private"):
            names[cid] = str(channel["name"])
            remember_channel(
                session=session, team_id=team_id, channel_id=cid, name=names[cid], now=now
            )
    return names


def member_channel(
    *, session: Session, client: WebClient, team_id: str, channel_id: str, now: datetime
) -> str | None:
    """The name of the channel when it is public, Kring is in it and it is not closed (one
    conversations.info, whose name is then cached); None otherwise, or when Slack can't tell.

    Following a channel needs this: only such a channel's posts are recorded.
    """
    if is_closed(session=session, team_id=team_id, channel_id=channel_id):
        return None
    try:
        info = client.conversations_info(channel=channel_id)
    except SlackApiError as exc:
        log.info("conversations.info failed for %s: %s", channel_id, exc.response.get("error"))
        return None
    channel = info.get("channel")
    if not (
        isinstance(channel, dict)
        and channel.get("name")
        and channel.get("is_channel", True)
        and channel.get("is_member")
        and not channel.get("is_private")
    ):
        return None
    name = str(channel["name"])
    remember_channel(session=session, team_id=team_id, channel_id=channel_id, name=name, now=now)
    return name


def names_lookup(
    *,
    sessions: sessionmaker[Session],
    client: WebClient,
    team_id: str,
    clock: Callable[[], datetime],
) -> Callable[[list[str]], dict[str, str]]:
    """:func:`channel_names` as the lookup :func:`handlers.payloads.post_from_message` takes,
    for live events and the history import alike."""

    def names(channel_ids: list[str]) -> dict[str, str]:
        # Only `<#C…>` links without a name need this (rare), so it gets its own session.
        with sessions.begin() as session:
            return channel_names(
                session=session,
                client=client,
                team_id=team_id,
                channel_ids=channel_ids,
                now=clock(),
            )

    return names
