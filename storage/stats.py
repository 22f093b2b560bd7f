"""Workspace statistics for admins: weekly activity and the channels Kring records."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    and_,
    case,
    distinct,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from storage.models import DigestDelivery, Follow, Person, Post, Reference
from storage.visibility import hidden_people, is_hidden, visible_posts, within_retention

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class WeekStats:
    """One week of a workspace: ``start`` (inclusive) to ``end`` (exclusive), midnights UTC."""

    start: datetime
    end: datetime
    active_posters: int = 0
    posts: int = 0
    new_follows: int = 0  # people and tags followed that week (and still followed)
    # New person-follows where both people's departments are known, and how many of those
    # cross from one department to another.
    known_department_follows: int = 0
    cross_department_follows: int = 0
    digests_sent: int = 0
    # Shares or links of a colleague's message from another department (both departments
    # known), by when they were shared.
    cross_department_references: int = 0

    @property
    def cross_department_share(self) -> float | None:
        """Crossing follows / follows with both departments known; None when there are none."""
        if not self.known_department_follows:
            return None
        return self.cross_department_follows / self.known_department_follows


def week_bounds(now: datetime, weeks: int) -> list[datetime]:
    """``weeks + 1`` boundaries of whole UTC days: 7-day windows, the last one ending with
    today (so it is still running), the first one ``weeks`` weeks back."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    end = today + timedelta(days=1)
    return [end - WEEK * (weeks - i) for i in range(weeks + 1)]


def _week_index(column: SQLColumnExpression[Any], bounds: Sequence[datetime]) -> ColumnElement[int]:
    """Which window a timestamp falls in (0 = oldest), as a portable CASE expression.

    Callers keep rows within ``bounds[0] <= column < bounds[-1]``.
    """
    if len(bounds) <= 2:
        return literal(0)
    return case(*[(column < end, i) for i, end in enumerate(bounds[1:-1])], else_=len(bounds) - 2)


def weekly_stats(
    *,
    session: Session,
    team_id: str,
    now: datetime,
    weeks: int = 4,
    kept_since: datetime | None = None,
) -> list[WeekStats]:
    """Activity of a workspace over the last ``weeks`` weeks (see :func:`week_bounds`), oldest first.

    Per week: active posters and posts (Kring's stored posts), new follows, the share of new
    person-follows that cross departments (each person's stored department: the workspace's
    department field, else guessed from the title; only follows where both are known count) and
    digests delivered, and shares of messages across departments. Four GROUP BY queries, one
    per table.

    Only what :mod:`storage.visibility` allows is counted: visible posts (none before
    ``kept_since``), follows and shares between shown people (someone who opted out or was
    forgotten is not counted anywhere).
    """
    if weeks < 1:
        return []
    bounds = week_bounds(now, weeks)
    posts, posters = _posts_by_week(
        session=session, team_id=team_id, bounds=bounds, kept_since=kept_since
    )
    follows, known, crossing = _follows_by_week(session=session, team_id=team_id, bounds=bounds)
    digests = _digests_by_week(session=session, team_id=team_id, bounds=bounds)
    shares = _references_by_week(
        session=session, team_id=team_id, bounds=bounds, kept_since=kept_since
    )
    return [
        WeekStats(
            start=bounds[i],
            end=bounds[i + 1],
            active_posters=posters[i],
            posts=posts[i],
            new_follows=follows[i],
            known_department_follows=known[i],
            cross_department_follows=crossing[i],
            digests_sent=digests[i],
            cross_department_references=shares[i],
        )
        for i in range(weeks)
    ]


def _posts_by_week(
    *, session: Session, team_id: str, bounds: Sequence[datetime], kept_since: datetime | None
) -> tuple[list[int], list[int]]:
    """Visible posts and distinct posters per window of ``bounds``."""
    start, end = bounds[0], bounds[-1]
    posts = [0] * (len(bounds) - 1)
    posters = [0] * (len(bounds) - 1)

    # Grouping on a subquery's column keeps PostgreSQL happy: the CASE carries bound
    # parameters, and the same expression repeated in GROUP BY would not count as equal.
    post_weeks = (
        select(_week_index(Post.posted_at, bounds).label("week"), Post.user_id)
        .where(
            Post.team_id == team_id,
            Post.posted_at >= start,
            Post.posted_at < end,
            visible_posts(team_id, Post, kept_since),
        )
        .subquery()
    )
    for week, count, people in session.execute(
        select(
            post_weeks.c.week, func.count(), func.count(distinct(post_weeks.c.user_id))
        ).group_by(post_weeks.c.week)
    ):
        posts[int(week)] = int(count)
        posters[int(week)] = int(people)
    return posts, posters


def _follows_by_week(
    *, session: Session, team_id: str, bounds: Sequence[datetime]
) -> tuple[list[int], list[int], list[int]]:
    """New follows per window, those with both departments known, and those crossing."""
    start, end = bounds[0], bounds[-1]
    follows = [0] * (len(bounds) - 1)
    known = [0] * (len(bounds) - 1)
    crossing = [0] * (len(bounds) - 1)

    follower = aliased(Person)
    target = aliased(Person)
    follow_weeks = (
        select(
            _week_index(Follow.created_at, bounds).label("week"),
            follower.department.label("follower_department"),
            target.department.label("target_department"),
        )
        .select_from(Follow)
        .outerjoin(
            follower,
            and_(follower.team_id == Follow.team_id, follower.user_id == Follow.follower_id),
        )
        .outerjoin(
            target,
            and_(
                Follow.kind == "person",
                target.team_id == Follow.team_id,
                target.user_id == Follow.target,
            ),
        )
        .where(
            Follow.team_id == team_id,
            Follow.created_at >= start,
            Follow.created_at < end,
            Follow.follower_id.not_in(hidden_people(team_id)),
            or_(Follow.kind != "person", Follow.target.not_in(hidden_people(team_id))),
        )
        .subquery()
    )
    mine, theirs = follow_weeks.c.follower_department, follow_weeks.c.target_department
    # Target departments are only joined for person-follows, so a tag follow never counts.
    both_known = and_(mine != "", theirs != "")
    for week, count, n_known, n_crossing in session.execute(
        select(
            follow_weeks.c.week,
            func.count(),
            func.count().filter(both_known),
            func.count().filter(and_(both_known, mine != theirs)),
        ).group_by(follow_weeks.c.week)
    ):
        i = int(week)
        follows[i] += int(count)
        known[i] += int(n_known or 0)
        crossing[i] += int(n_crossing or 0)
    return follows, known, crossing


def _digests_by_week(*, session: Session, team_id: str, bounds: Sequence[datetime]) -> list[int]:
    """Digests sent per window."""
    start, end = bounds[0], bounds[-1]
    digests = [0] * (len(bounds) - 1)

    digest_weeks = (
        select(_week_index(DigestDelivery.sent_at, bounds).label("week"))
        .where(
            DigestDelivery.team_id == team_id,
            DigestDelivery.status == "sent",
            DigestDelivery.sent_at >= start,
            DigestDelivery.sent_at < end,
            DigestDelivery.user_id.not_in(hidden_people(team_id)),
        )
        .subquery()
    )
    for week, count in session.execute(
        select(digest_weeks.c.week, func.count()).group_by(digest_weeks.c.week)
    ):
        digests[int(week)] = int(count)
    return digests


def _references_by_week(
    *, session: Session, team_id: str, bounds: Sequence[datetime], kept_since: datetime | None
) -> list[int]:
    """Shares or links of a message across departments per window, between shown people."""
    start, end = bounds[0], bounds[-1]
    shares = [0] * (len(bounds) - 1)

    sharer = aliased(Person)
    author = aliased(Person)
    reference_weeks = (
        select(_week_index(Reference.shared_at, bounds).label("week"))
        .select_from(Reference)
        .join(
            sharer, and_(sharer.team_id == Reference.team_id, sharer.user_id == Reference.user_id)
        )
        .join(
            author, and_(author.team_id == Reference.team_id, author.user_id == Reference.author_id)
        )
        .where(
            Reference.team_id == team_id,
            Reference.shared_at >= start,
            Reference.shared_at < end,
            sharer.department != "",
            author.department != "",
            sharer.department != author.department,
            ~is_hidden(sharer),
            ~is_hidden(author),
            within_retention(Reference.shared_at, kept_since),
        )
        .subquery()
    )
    for week, count in session.execute(
        select(reference_weeks.c.week, func.count()).group_by(reference_weeks.c.week)
    ):
        shares[int(week)] = int(count)
    return shares


@dataclass(frozen=True)
class ChannelActivity:
    """What Kring stored from one channel."""

    posts: int
    last_post: datetime | None


def channel_activity(
    *,
    session: Session,
    team_id: str,
    channel_ids: Collection[str],
    kept_since: datetime | None = None,
) -> dict[str, ChannelActivity]:
    """Visible posts (see :mod:`storage.visibility`; none before ``kept_since``) and the time of
    the newest one for each channel (one GROUP BY query).

    Every requested channel is in the answer; one with nothing stored has 0 posts.
    """
    ids = sorted(set(channel_ids))
    out = {cid: ChannelActivity(0, None) for cid in ids}
    if not ids:
        return out
    rows = session.execute(
        select(Post.channel_id, func.count(), func.max(Post.posted_at))
        .where(
            Post.team_id == team_id,
            Post.channel_id.in_(ids),
            visible_posts(team_id, Post, kept_since),
        )
        .group_by(Post.channel_id)
    )
    for channel_id, count, last in rows:
        out[channel_id] = ChannelActivity(int(count), last)
    return out


def recorded_totals(*, session: Session, team_id: str) -> tuple[int, int]:
    """(posts stored, follows) of a workspace, as ``kring demo`` sums them up."""
    posts = session.scalar(select(func.count()).select_from(Post).where(Post.team_id == team_id))
    follows = session.scalar(
        select(func.count()).select_from(Follow).where(Follow.team_id == team_id)
    )
    return int(posts or 0), int(follows or 0)
