"""Who and what a newcomer could follow first: colleagues of their own department, the most
followed and the most helpful people, and the busiest tags."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from storage.models import Follow, Person, Post, TagDay
from storage.visibility import hidden_people, hidden_tag_counts, is_hidden, visible_posts

HELPFUL_DAYS = 90
BUSY_TAG_DAYS = 30
# At most this many colleagues of the newcomer's own department, so the list always also
# reaches across the organisation (that is where working apart hurts most).
DEPARTMENT_SHARE = 3
# Colleagues of the department read at a time, most followed first: plenty to find the few
# that are needed.
DEPARTMENT_POOL = 50
SLACKBOT = "USLACKBOT"


@dataclass(frozen=True)
class Starter:
    """Someone worth following for a newcomer, and why."""

    user_id: str
    title: str
    same_department: bool
    followers: int
    helpful: int  # reactions and replies on their posts in the last HELPFUL_DAYS
    department: str = ""  # casefolded, as stored (Person.department)


def starter_people(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    department: str,
    now: datetime,
    limit: int = 5,
    exclude: Collection[str] = (),
    kept_since: datetime | None = None,
) -> list[Starter]:
    """Up to ``limit`` people for ``user_id`` to follow: colleagues of ``department`` (the
    newcomer's stored department, compared casefolded) first (at most DEPARTMENT_SHARE, most
    followed first), then the most followed and the most helpful of everyone else in turn.

    Never ``user_id`` themself, anyone in ``exclude``, anyone they already follow, nor anyone
    :mod:`storage.visibility` hides (bots, deactivated, opted out, forgotten); followers count
    only shown people, helpfulness only visible posts (none before ``kept_since``).
    """
    if limit <= 0:
        return []
    department = department.casefold()
    same = _colleagues(session, team_id, user_id, department, now, exclude, kept_since)
    wanted = limit + DEPARTMENT_SHARE + len(exclude)
    followed = _ranked(
        session,
        team_id,
        user_id,
        now,
        where=None,
        by="followers",
        limit=wanted,
        kept_since=kept_since,
    )
    helpful = _ranked(
        session,
        team_id,
        user_id,
        now,
        where=None,
        by="helpful",
        limit=wanted,
        kept_since=kept_since,
    )
    chosen: dict[str, Starter] = {p.user_id: p for p in same[: min(DEPARTMENT_SHARE, limit)]}
    _take_in_turn(chosen, followed, helpful, limit=limit, exclude=exclude)
    # Still room (a young workspace, where few follow or react yet): more of the department.
    for person in same:
        if len(chosen) < limit:
            chosen.setdefault(person.user_id, person)
    return [
        replace(p, same_department=bool(department) and p.department == department)
        for p in chosen.values()
    ]


def _colleagues(
    session: Session,
    team_id: str,
    user_id: str,
    department: str,
    now: datetime,
    exclude: Collection[str],
    kept_since: datetime | None,
) -> list[Starter]:
    """Up to DEPARTMENT_POOL people of ``department`` (casefolded; none without one), most
    followed first, without those in ``exclude``."""
    if not department:
        return []
    pool = _ranked(
        session,
        team_id,
        user_id,
        now,
        where=Person.department == department,
        by="followers",
        limit=DEPARTMENT_POOL,
        kept_since=kept_since,
    )
    return [p for p in pool if p.user_id not in exclude]


def _take_in_turn(
    chosen: dict[str, Starter],
    followed: list[Starter],
    helpful: list[Starter],
    *,
    limit: int,
    exclude: Collection[str],
) -> None:
    """Adds to ``chosen`` (up to ``limit``) the next of the most followed and the next of the
    most helpful in turn, until neither has anyone left that counts (none with no followers or
    no helpfulness at all)."""
    by_followers = iter([p for p in followed if p.followers > 0])
    by_helpful = iter([p for p in helpful if p.helpful > 0])
    while len(chosen) < limit:
        before = len(chosen)
        _take_one(chosen, by_followers, limit=limit, exclude=exclude)
        _take_one(chosen, by_helpful, limit=limit, exclude=exclude)
        if len(chosen) == before:
            break


def _take_one(
    chosen: dict[str, Starter],
    candidates: Iterator[Starter],
    *,
    limit: int,
    exclude: Collection[str],
) -> None:
    """Adds the next of ``candidates`` not yet chosen nor excluded to ``chosen``, if there is
    room."""
    for person in candidates:
        if len(chosen) >= limit:
            return
        if person.user_id not in chosen and person.user_id not in exclude:
            chosen[person.user_id] = person
            return


def _ranked(
    session: Session,
    team_id: str,
    user_id: str,
    now: datetime,
    *,
    where: ColumnElement[bool] | None,
    by: str,
    limit: int,
    kept_since: datetime | None,
) -> list[Starter]:
    """Shown people of the team with their follower count and helpfulness, best first."""
    followers = (
        select(Follow.target.label("uid"), func.count().label("n"))
        .where(
            Follow.team_id == team_id,
            Follow.kind == "person",
            # Every follow is read: the hidden people as one list, not a lookup per follow.
            Follow.follower_id.not_in(hidden_people(team_id)),
        )
        .group_by(Follow.target)
        .subquery()
    )
    helpful = (
        select(
            Post.user_id.label("uid"),
            func.sum(Post.reaction_count + Post.reply_count).label("n"),
        )
        .where(
            Post.team_id == team_id,
            Post.posted_at >= now - timedelta(days=HELPFUL_DAYS),
            # Many posts: the NOT IN shape of the rule, its subqueries evaluated once.
            visible_posts(team_id, Post, kept_since),
        )
        .group_by(Post.user_id)
        .subquery()
    )
    already = select(Follow.target).where(
        Follow.team_id == team_id, Follow.follower_id == user_id, Follow.kind == "person"
    )
    n_followers = func.coalesce(followers.c.n, 0)
    n_helpful = func.coalesce(helpful.c.n, 0)
    order: list[Any] = (
        [n_followers.desc(), n_helpful.desc()]
        if by == "followers"
        else [n_helpful.desc(), n_followers.desc()]
    )
    stmt = (
        select(Person.user_id, Person.title, n_followers, n_helpful, Person.department)
        .outerjoin(followers, followers.c.uid == Person.user_id)
        .outerjoin(helpful, helpful.c.uid == Person.user_id)
        .where(
            Person.team_id == team_id,
            ~is_hidden(Person),
            Person.user_id.not_in([user_id, SLACKBOT]),
            Person.user_id.not_in(already),
        )
        .order_by(*order, Person.user_id)
        .limit(limit)
    )
    if where is not None:
        stmt = stmt.where(where)
    return [
        Starter(uid, title or "", False, int(n or 0), int(h or 0), department or "")
        for uid, title, n, h, department in session.execute(stmt)
    ]


def busy_tags(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    now: datetime,
    limit: int = 5,
    days: int = BUSY_TAG_DAYS,
    exclude: Collection[str] = (),
    kept_since: datetime | None = None,
) -> list[tuple[str, int]]:
    """The tags with most posts in the last ``days`` whole UTC days and today so far (none
    before ``kept_since``'s day: retention), as (tag, posts), busiest first.

    Tags ``user_id`` already follows and those in ``exclude`` are left out. Read from the daily
    counts (``tag_days``), not from ``post_tags``: the Home tab shows this to everyone on every
    open, and the exact edges of the window (a day of ``post_tags``) would cost more than the
    rest together. The posts of the people storage.visibility hides are taken off (their tags
    too, when only they used them): :func:`storage.visibility.hidden_tag_counts`.
    """
    if limit <= 0:
        return []
    first = now - timedelta(days=days)
    if kept_since is not None:
        first = max(first, kept_since)
    first_day, last_day = first.astimezone(UTC).date(), now.astimezone(UTC).date()
    hidden = hidden_tag_counts(
        session=session,
        team_id=team_id,
        since=datetime.combine(first_day, time.min, UTC),
        until=datetime.combine(last_day + timedelta(days=1), time.min, UTC),
    )
    followed = select(Follow.target).where(
        Follow.team_id == team_id, Follow.follower_id == user_id, Follow.kind == "tag"
    )
    left_out = sorted(set(exclude))
    posts = func.sum(TagDay.posts)
    # Only the tags left out or with hidden posts can drop below one that is not: the first
    # limit + those are enough to find the busiest that remain.
    statement = (
        select(TagDay.tag, posts)
        .where(
            TagDay.team_id == team_id,
            TagDay.day >= first_day,
            TagDay.day <= last_day,
            TagDay.tag.not_in(followed),
        )
        .group_by(TagDay.tag)
        .having(posts > 0)
        .order_by(posts.desc(), TagDay.tag)
        .limit(limit + len(left_out) + len(hidden))
    )
    shown = [
        (tag, int(n) - hidden.get(tag, 0))
        for tag, n in session.execute(statement)
        if tag not in exclude
    ]
    shown = sorted((row for row in shown if row[1] > 0), key=lambda row: (-row[1], row[0]))
    return shown[:limit]
