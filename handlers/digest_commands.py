"""`/kring digest …`: see and change when your digest comes; `now` sends it at once."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from digests.deliver import send_now
from digests.schedule import (
    day_name,
    format_time,
    local_now,
    next_digest,
    parse_digest_args,
    person_zone,
)
from handlers import lookups
from handlers.calls import Call, Reply
from handlers.deps import Deps
from storage.digests import DigestSettings, get_settings, save_settings, today_row
from storage.follows import following
from ui.i18n import t
from ui.mrkdwn import mrkdwn_code, mrkdwn_name


def describe(settings: DigestSettings, lang: str, locale: str | None = None) -> str:
    """'every weekday at 8:30 AM' in the person's language, the time as their locale writes it."""
    time = format_time(settings.minute_of_day, locale, lang=lang)
    if settings.frequency == "weekly":
        return t("digest.schedule.weekly", lang, day=day_name(settings.weekday, lang), time=time)
    if settings.frequency == "weekdays":
        return t("digest.schedule.weekdays", lang, time=time)
    return t("digest.schedule.daily", lang, time=time)


def when(moment: datetime, local: datetime, lang: str, locale: str | None = None) -> str:
    """'today at 09:00', 'tomorrow at 9:00 AM' or 'Friday at 09:00'."""
    time = format_time(moment.hour * 60 + moment.minute, locale, lang=lang)
    days = (moment.date() - local.date()).days
    if days <= 0:
        return t("when.today", lang, time=time)
    if days == 1:
        return t("when.tomorrow", lang, time=time)
    return t("when.day", lang, day=day_name(moment.weekday(), lang), time=time)


def cmd_digest(call: Call) -> Reply:
    return Reply(
        digest_reply(
            call.deps,
            call.client,
            call.session,
            team_id=call.asker.team_id,
            user_id=call.asker.user_id,
            lang=call.asker.lang,
            args=call.args,
        )
    )


def digest_reply(
    deps: Deps,
    client: WebClient,
    session: Session,
    *,
    team_id: str,
    user_id: str,
    lang: str,
    args: list[str],
) -> str:
    """The answer to `/kring digest [args]`; `now` is slow work (digest_now, see
    handlers.registry) and does not get here."""
    now = deps.clock()
    people = lookups.people(
        session=session, client=client, team_id=team_id, user_ids=[user_id], now=now
    )
    person = people.get(user_id)
    zone = person_zone(person.tz if person else None, person.tz_offset if person else 0)
    zone_name = (person.tz if person and person.tz else None) or str(zone)
    locale = person.locale if person else None
    settings = get_settings(session=session, team_id=team_id, user_id=user_id)
    change = parse_digest_args(args)
    if change.kind == "error":
        return t(change.error or "digest.error.unknown", lang, bad=mrkdwn_code(change.bad or ""))
    if change.kind == "time" and change.minute_of_day is not None:
        settings = replace(settings, minute_of_day=change.minute_of_day)
        if settings.frequency == "off":
            settings = replace(settings, frequency="daily")
    elif change.kind == "frequency" and change.frequency is not None:
        settings = replace(
            settings,
            frequency=change.frequency,
            weekday=change.weekday if change.weekday is not None else settings.weekday,
        )
    if change.kind in ("time", "frequency"):
        save_settings(session=session, team_id=team_id, user_id=user_id, settings=settings, now=now)
        if settings.frequency == "off":
            return t("digest.paused", lang)
        head = t("digest.changed", lang, schedule=describe(settings, lang, locale), zone=zone_name)
    elif settings.frequency == "off":
        return t("digest.show_off", lang)
    else:
        head = t("digest.show", lang, schedule=describe(settings, lang, locale), zone=zone_name)
    local = local_now(now, zone)
    delivered = (
        today_row(session=session, team_id=team_id, user_id=user_id, local_date=local.date())
        is not None
    )
    upcoming = next_digest(settings, local, delivered_today=delivered)
    lines = [head]
    if upcoming is not None:
        lines.append(t("digest.next", lang, when=when(max(upcoming, local), local, lang, locale)))
    if not following(session=session, team_id=team_id, follower_id=user_id):
        lines.append(t("digest.nothing_followed", lang))
    return "\n".join(lines)


def digest_now(deps: Deps, client: WebClient, *, team_id: str, user_id: str, lang: str) -> str:
    """`/kring digest now`: send the digest right away; the sentence to answer with."""
    outcome = send_now(
        sessions=deps.sessions,
        client=client,
        team_id=team_id,
        user_id=user_id,
        now=deps.clock(),
        retention_days=deps.retention_days,
    )
    if outcome is None:
        return t("digest.now.busy", lang)
    if outcome.status == "sent":
        return t("digest.now.sent", lang, count=outcome.post_count)
    if outcome.status == "empty":
        return t("digest.now.empty", lang)
    return t("digest.now.failed", lang, error=mrkdwn_name(outcome.error or "?"))
