"""Digest settings, delivery claims and the permalink cache."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import and_, bindparam, delete, func, select, tuple_, update
from sqlalchemy.orm import Session

from storage.db import chunked, insert_ignore
from storage.models import DigestDelivery, DigestSetting, Follow, Permalink, Person, Post
from storage.visibility import shown_person

RETRY_LIMIT = 3  # sends of one day's digest before it is given up (and logged)

Frequency = Literal["daily", "weekdays", "weekly", "off"]
FREQUENCIES: tuple[Frequency, ...] = ("daily", "weekdays", "weekly", "off")
DEFAULT_MINUTE_OF_DAY = 9 * 60  # 09:00 local time


@dataclass(frozen=True)
class DigestSettings:
    """One person's digest preferences (the defaults apply until they change them)."""

    minute_of_day: int = DEFAULT_MINUTE_OF_DAY  # 0..1439, local time
    frequency: Frequency = "daily"
    weekday: int = 0  # Monday=0 … Sunday=6, used when frequency is "weekly"


def _frequency(value: str) -> Frequency:
    for f in FREQUENCIES:
        if f == value:
            return f
    return "daily"


def get_settings(*, session: Session, team_id: str, user_id: str) -> DigestSettings:
    """A person's digest settings, or the defaults."""
    row = session.get(DigestSetting, (team_id, user_id))
    if row is None:
        return DigestSettings()
    return DigestSettings(row.minute_of_day, _frequency(row.frequency), row.weekday)


def save_settings(
    *, session: Session, team_id: str, user_id: str, settings: DigestSettings, now: datetime
) -> None:
    """Store a person's digest settings."""
    row = session.get(DigestSetting, (team_id, user_id))
    if row is None:
        row = DigestSetting(team_id=team_id, user_id=user_id)
        session.add(row)
    row.minute_of_day = settings.minute_of_day
    row.frequency = settings.frequency
    row.weekday = settings.weekday
    row.updated_at = now
    session.flush()


@dataclass(frozen=True)
class Reader:
    """Someone who may get a digest: follows at least one person or tag and is active."""

    team_id: str
    user_id: str
    tz: str | None
    tz_offset: int
    locale: str | None
    settings: DigestSettings


def readers(*, session: Session, team_ids: Sequence[str] | None = None) -> list[Reader]:
    """Every active person who follows something, with their settings (one query)."""
    followers = select(Follow.team_id, Follow.follower_id).distinct().subquery()
    stmt = (
        select(
            followers.c.team_id,
            followers.c.follower_id,
            Person.tz,
            Person.tz_offset,
            Person.locale,
            Person.deleted,
            Person.is_bot,
            DigestSetting.minute_of_day,
            DigestSetting.frequency,
            DigestSetting.weekday,
        )
        .select_from(followers)
        .outerjoin(
            Person,
            and_(Person.team_id == followers.c.team_id, Person.user_id == followers.c.follower_id),
        )
        .outerjoin(
            DigestSetting,
            and_(
                DigestSetting.team_id == followers.c.team_id,
                DigestSetting.user_id == followers.c.follower_id,
            ),
        )
    )
    if team_ids is not None:
        stmt = stmt.where(followers.c.team_id.in_(list(team_ids)))
    out = []
    for team, user, tz, offset, locale, deleted, is_bot, minute, freq, weekday in session.execute(
        stmt
    ):
        if deleted or is_bot:
            continue
        settings = (
            DigestSettings()
            if minute is None
            else DigestSettings(minute, _frequency(freq), weekday)
        )
        if settings.frequency == "off":
            continue
        out.append(Reader(team, user, tz, offset or 0, locale, settings))
    return out


def delivered_days(
    *, session: Session, keys: Iterable[tuple[str, str, date]]
) -> set[tuple[str, str, date]]:
    """Which (team, user, local day) already have a digest row (claimed, sent or empty)."""
    wanted = list(keys)
    found: set[tuple[str, str, date]] = set()
    days = sorted({k[2] for k in wanted})
    if not days:
        return found
    rows = session.execute(
        select(DigestDelivery.team_id, DigestDelivery.user_id, DigestDelivery.local_date).where(
            DigestDelivery.local_date.in_(days)
        )
    )
    wanted_set = set(wanted)
    for team, user, day in rows:
        if (team, user, day) in wanted_set:
            found.add((team, user, day))
    return found


def last_covered(
    *, session: Session, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], datetime]:
    """The end of each person's last delivered (sent or empty) digest window."""
    pairs = sorted(set(keys))
    out: dict[tuple[str, str], datetime] = {}
    for start in range(0, len(pairs), 500):
        chunk = pairs[start : start + 500]
        rows = session.execute(
            select(
                DigestDelivery.team_id, DigestDelivery.user_id, func.max(DigestDelivery.covered_to)
            )
            .where(
                tuple_(DigestDelivery.team_id, DigestDelivery.user_id).in_(chunk),
                DigestDelivery.status.in_(("sent", "empty")),
            )
            .group_by(DigestDelivery.team_id, DigestDelivery.user_id)
        )
        for team, user, covered in rows:
            out[(team, user)] = covered
    return out


@dataclass(frozen=True)
class Claim:
    """A digest this pass owns and must send (or mark empty/failed)."""

    delivery_id: int
    team_id: str
    user_id: str
    local_date: date
    covered_from: datetime
    covered_to: datetime


def claim(
    *,
    session: Session,
    wanted: Sequence[tuple[str, str, date, datetime]],
    now: datetime,
) -> list[Claim]:
    """Claim (team, user, local day, covered_from) digests; returns only the ones won.

    The unique day key makes this safe across overlapping passes and instances: a row that
    another pass inserted first is skipped, never sent twice.
    """
    won: list[Claim] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = [
            {
                "team_id": team,
                "user_id": user,
                "local_date": day,
                "status": "claimed",
                "attempts": 1,
                "claimed_at": now,
                "covered_from": since,
                "covered_to": now,
                "post_count": 0,
            }
            for team, user, day, since in chunk
        ]
        result = session.execute(
            insert_ignore(session, DigestDelivery)
            .values(rows)
            .returning(
                DigestDelivery.id,
                DigestDelivery.team_id,
                DigestDelivery.user_id,
                DigestDelivery.local_date,
                DigestDelivery.covered_from,
            )
        )
        won += [Claim(i, team, user, day, since, now) for i, team, user, day, since in result]
    return won


def reclaim_failed(*, session: Session, local_dates: Iterable[date], now: datetime) -> list[Claim]:
    """Take back failed digests of the given local days for another try (bounded attempts).

    The UPDATE … WHERE status = 'failed' is atomic, so two passes never retry the same one.
    """
    days = sorted(set(local_dates))
    if not days:
        return []
    result = session.execute(
        update(DigestDelivery)
        .where(
            DigestDelivery.status == "failed",
            DigestDelivery.attempts < RETRY_LIMIT,
            DigestDelivery.local_date.in_(days),
        )
        .values(
            status="claimed", attempts=DigestDelivery.attempts + 1, claimed_at=now, covered_to=now
        )
        .returning(
            DigestDelivery.id,
            DigestDelivery.team_id,
            DigestDelivery.user_id,
            DigestDelivery.local_date,
            DigestDelivery.covered_from,
        )
    )
    return [Claim(i, team, user, day, since, now) for i, team, user, day, since in result]


def finish(
    *,
    session: Session,
    delivery_id: int,
    status: str,
    now: datetime,
    post_count: int = 0,
    channel_id: str | None = None,
    message_ts: str | None = None,
    error: str | None = None,
) -> None:
    """Record how a claimed digest ended: sent, empty, failed or gave_up."""
    values: dict[str, object] = {"status": status, "post_count": post_count, "error": error}
    if status in ("sent", "empty"):
        values["sent_at"] = now
    if channel_id is not None:
        values.update(channel_id=channel_id, message_ts=message_ts)
    session.execute(update(DigestDelivery).where(DigestDelivery.id == delivery_id).values(**values))


@dataclass(frozen=True)
class Finished:
    """How one claimed digest ended, for :func:`finish_many` (the arguments of :func:`finish`)."""

    delivery_id: int
    status: str
    post_count: int = 0
    channel_id: str | None = None
    message_ts: str | None = None
    error: str | None = None


def finish_many(*, session: Session, finished: Iterable[Finished], now: datetime) -> None:
    """:func:`finish` for a whole batch: one executemany per shape of UPDATE, same rows after."""
    groups: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for f in finished:
        values: dict[str, object] = {
            "status": f.status,
            "post_count": f.post_count,
            "error": f.error,
        }
        if f.status in ("sent", "empty"):
            values["sent_at"] = now
        if f.channel_id is not None:
            values.update(channel_id=f.channel_id, message_ts=f.message_ts)
        params = {f"v_{name}": value for name, value in values.items()}
        params["v_id"] = f.delivery_id
        groups.setdefault(tuple(values), []).append(params)
    columns = DigestDelivery.__table__.c
    for names, rows in groups.items():
        stmt = (
            update(DigestDelivery)
            .where(DigestDelivery.id == bindparam("v_id"))
            .values({name: bindparam(f"v_{name}", type_=columns[name].type) for name in names})
        )
        session.connection().execute(stmt, rows)


def release(*, session: Session, delivery_id: int) -> None:
    """Give back a claimed digest that was never sent, so that it can be claimed again."""
    session.execute(
        delete(DigestDelivery).where(
            DigestDelivery.id == delivery_id, DigestDelivery.status == "claimed"
        )
    )


def today_row(
    *, session: Session, team_id: str, user_id: str, local_date: date
) -> DigestDelivery | None:
    """A person's digest row for one local day, if any."""
    return session.scalars(
        select(DigestDelivery).where(
            DigestDelivery.team_id == team_id,
            DigestDelivery.user_id == user_id,
            DigestDelivery.local_date == local_date,
        )
    ).first()


def reopen(*, session: Session, delivery_id: int, now: datetime, covered_from: datetime) -> None:
    """Claim an existing day row again (``/kring digest now`` after today's digest)."""
    session.execute(
        update(DigestDelivery)
        .where(DigestDelivery.id == delivery_id)
        .values(status="claimed", claimed_at=now, covered_from=covered_from, covered_to=now)
    )


def mark_inactive(*, session: Session, team_id: str, user_id: str) -> None:
    """A person Slack says is deactivated gets no more digests."""
    session.execute(
        update(Person)
        .where(Person.team_id == team_id, Person.user_id == user_id)
        .values(deleted=True)
    )


def new_followers(
    *, session: Session, team_id: str, user_ids: Sequence[str], since: datetime
) -> dict[str, list[str]]:
    """Who started following each of ``user_ids`` after ``since``: only the people
    :mod:`storage.visibility` shows (not deactivated, a bot, opted out or forgotten)."""
    out: dict[str, list[str]] = {u: [] for u in user_ids}
    for start in range(0, len(user_ids), 500):
        chunk = list(user_ids[start : start + 500])
        rows = session.execute(
            select(Follow.target, Follow.follower_id)
            .where(
                Follow.team_id == team_id,
                Follow.kind == "person",
                Follow.target.in_(chunk),
                Follow.created_at > since,
                shown_person(team_id, Follow.follower_id),
            )
            .order_by(Follow.created_at)
        )
        for target, follower in rows:
            out[target].append(follower)
    return out


def cached_permalinks(
    *, session: Session, team_id: str, messages: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """Known permalinks for (channel, ts) pairs."""
    wanted = sorted(set(messages))
    out: dict[tuple[str, str], str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.execute(
            # A row-value IN: one cached statement and primary key lookups, where an OR of
            # 500 pairs was compiled anew for every chunk.
            select(Permalink.channel_id, Permalink.ts, Permalink.url).where(
                Permalink.team_id == team_id,
                tuple_(Permalink.channel_id, Permalink.ts).in_(chunk),
            )
        )
        out.update({(c, t): url for c, t, url in rows})
    return out


def remember_permalinks(
    *, session: Session, team_id: str, links: dict[tuple[str, str], str]
) -> None:
    """Cache permalinks fetched from Slack."""
    if links:
        session.execute(
            insert_ignore(session, Permalink),
            [
                {"team_id": team_id, "channel_id": c, "ts": t, "url": url}
                for (c, t), url in sorted(links.items())
            ],
        )


@dataclass(frozen=True, slots=True)
class ShownPost:
    """What a digest shows of a post."""

    channel_id: str
    ts: str
    text: str  # the latest text (edits count)
    reaction_count: int
    reply_count: int
    files: tuple[str, ...] = ()  # file names, as Slack sent them
    reference_count: int = 0  # people other than the author who shared it


def shown_posts(*, session: Session, post_ids: Iterable[int]) -> dict[int, ShownPost]:
    """What a digest shows of the chosen posts, by post id (deleted ones left out)."""
    out: dict[int, ShownPost] = {}
    for chunk in chunked(sorted(set(post_ids))):
        rows = session.execute(
            select(
                Post.id,
                Post.channel_id,
                Post.ts,
                Post.text,
                Post.files,
                Post.reaction_count,
                Post.reply_count,
                Post.reference_count,
            ).where(Post.id.in_(chunk))
        )
        for pid, channel, ts, text, files, reactions, replies, shares in rows:
            out[pid] = ShownPost(
                channel, ts, text or "", reactions, replies, tuple(files or ()), shares
            )
    return out
