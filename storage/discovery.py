"""Finding people and topics: experts on a tag, trending tags, profiles, suggestions."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Float, Select, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from storage.models import Follow, Mute, Person, Post, PostTag

EXPERT_HALF_LIFE_DAYS = 90.0


@dataclass(frozen=True)
class Expert:
    user_id: str
    score: float
    posts: int
    reactions: int
    replies: int


def experts(
    *,
    session: Session,
    team_id: str,
    tag: str,
    now: datetime,
    limit: int = 10,
    exclude: Collection[str] = (),
) -> list[Expert]:
    """The people with most expertise on ``tag``: their posts with it and the reactions and
    replies those drew, each weighted by age (exponential decay, 90-day half-life)."""
    age_days = (now.timestamp() - cast(Post.ts, Float)) / 86400.0
    weight = func.exp(-math.log(2) * age_days / EXPERT_HALF_LIFE_DAYS)
    engagement = 1 + Post.reaction_count + 2 * Post.reply_count
    stmt = (
        select(
            Post.user_id,
            func.sum(weight * engagement).label("score"),
            func.count(),
            func.sum(Post.reaction_count),
            func.sum(Post.reply_count),
        )
        .select_from(PostTag)
        .join(Post, Post.id == PostTag.post_id)
        .where(PostTag.team_id == team_id, PostTag.tag == tag)
        .where(~Post.user_id.in_(_removed(team_id)))
        .group_by(Post.user_id)
        .order_by(func.sum(weight * engagement).desc(), Post.user_id)
        .limit(limit + len(exclude))
    )
    out = [
        Expert(uid, float(score or 0), int(n), int(r or 0), int(p or 0))
        for uid, score, n, r, p in session.execute(stmt)
        if uid not in exclude
    ]
    return out[:limit]


def _removed(team_id: str) -> Select[str]:
    """People who must not be suggested or ranked: deactivated accounts, bots, and people who
    opted out or were forgotten."""
    return select(Person.user_id).where(
        Person.team_id == team_id,
        or_(
            Person.deleted.is_(True),
            Person.is_bot.is_(True),
            Person.opted_out.is_(True),
            Person.forgotten.is_(True),
        ),
    )


@dataclass(frozen=True)
class Trend:
    tag: str
    current: int
    previous: int
    score: float


def trending(
    *, session: Session, team_id: str, now: datetime, days: int = 7, limit: int = 10
) -> list[Trend]:
    """Tags growing fastest in the last ``days`` against the ``days`` before (not just the
    biggest): growth is damped by the square root of the earlier count. Posts by people who
    must not be ranked (see ``_removed``: deactivated, opted out, forgotten) do not count."""
    start = now - timedelta(days=days)
    before = start - timedelta(days=days)
    rows = session.execute(
        select(
            PostTag.tag,
            func.count().filter(PostTag.posted_at >= start),
            func.count().filter(PostTag.posted_at < start),
        )
        .join(Post, Post.id == PostTag.post_id)
        .where(PostTag.team_id == team_id, PostTag.posted_at >= before, PostTag.posted_at < now)
        .where(~Post.user_id.in_(_removed(team_id)))
        .group_by(PostTag.tag)
    )
    trends = []
    for tag, cur, prev in rows:
        cur, prev = int(cur or 0), int(prev or 0)
        if cur < 2 or cur <= prev:
            continue
        trends.append(Trend(tag, cur, prev, (cur - prev) / math.sqrt(prev + 4)))
    trends.sort(key=lambda t: (-t.score, -t.current, t.tag))
    return trends[:limit]


@dataclass(frozen=True)
class Profile:
    person: Person | None
    top_tags: list[tuple[str, int]]
    followers: int
    following: int
    recent: list[Post]
    mutual: list[str]  # people both the viewer and this person follow


def profile(
    *, session: Session, team_id: str, user_id: str, viewer_id: str, recent: int = 3
) -> Profile:
    """What Kring knows publicly about one person, seen by ``viewer_id``."""
    person = session.get(Person, (team_id, user_id))
    top_tags = [
        (tag, int(n))
        for tag, n in session.execute(
            select(PostTag.tag, func.count())
            .join(Post, Post.id == PostTag.post_id)
            .where(Post.team_id == team_id, Post.user_id == user_id)
            .group_by(PostTag.tag)
            .order_by(func.count().desc(), PostTag.tag)
            .limit(5)
        )
    ]
    followers = session.scalar(
        select(func.count()).where(
            Follow.team_id == team_id, Follow.kind == "person", Follow.target == user_id
        )
    )
    following = session.scalar(
        select(func.count()).where(Follow.team_id == team_id, Follow.follower_id == user_id)
    )
    posts = list(
        session.scalars(
            select(Post)
            .where(Post.team_id == team_id, Post.user_id == user_id)
            .where((Post.thread_ts.is_(None)) | (Post.thread_ts == Post.ts) | Post.is_broadcast)
            .order_by(Post.posted_at.desc())
            .limit(recent)
        )
    )
    theirs = select(Follow.target).where(
        Follow.team_id == team_id, Follow.follower_id == user_id, Follow.kind == "person"
    )
    mutual = list(
        session.scalars(
            select(Follow.target)
            .where(
                Follow.team_id == team_id,
                Follow.follower_id == viewer_id,
                Follow.kind == "person",
                Follow.target.in_(theirs),
            )
            .order_by(Follow.target)
            .limit(10)
        )
    )
    return Profile(person, top_tags, int(followers or 0), int(following or 0), posts, mutual)


@dataclass(frozen=True)
class Suggestion:
    user_id: str
    score: float
    tag: str | None  # "posts about #tag"
    tag_posts: int
    followed_by: int  # how many people you follow follow them
    other_department: bool


def department_of(title: str | None) -> str:
    """The department part of a Slack title ("Backend engineer, Engineering" → "engineering")."""
    if not title:
        return ""
    for sep in (",", " - ", " – ", "|", "@"):
        if sep in title:
            return title.rsplit(sep, 1)[1].strip().casefold()
    return title.strip().casefold()


def suggest(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    now: datetime,
    limit: int = 5,
    muted_people: Collection[str] = (),
    days: int = 30,
) -> list[Suggestion]:
    """People worth following, weighted toward other departments so connections cross the
    organisation. Never yourself, anyone you follow or muted, bots or deactivated people."""
    mine = select(Follow.target).where(
        Follow.team_id == team_id, Follow.follower_id == user_id, Follow.kind == "person"
    )
    my_tags = select(Follow.target).where(
        Follow.team_id == team_id, Follow.follower_id == user_id, Follow.kind == "tag"
    )
    by_tag: dict[str, tuple[str, int]] = {}
    tag_posts: dict[str, int] = {}
    for author, tag, n in session.execute(
        select(Post.user_id, PostTag.tag, func.count())
        .join(Post, Post.id == PostTag.post_id)
        .where(
            PostTag.team_id == team_id,
            PostTag.tag.in_(my_tags),
            PostTag.posted_at >= now - timedelta(days=days),
        )
        .group_by(Post.user_id, PostTag.tag)
    ):
        tag_posts[author] = tag_posts.get(author, 0) + int(n)
        if author not in by_tag or by_tag[author][1] < n:
            by_tag[author] = (tag, int(n))
    followed_by = {
        target: int(n)
        for target, n in session.execute(
            select(Follow.target, func.count())
            .where(
                Follow.team_id == team_id,
                Follow.kind == "person",
                Follow.follower_id.in_(mine),
            )
            .group_by(Follow.target)
        )
    }
    muted = select(Mute.target).where(
        Mute.team_id == team_id, Mute.user_id == user_id, Mute.kind == "person"
    )
    excluded = set(session.scalars(mine)) | set(session.scalars(muted)) | set(muted_people)
    excluded.add(user_id)
    pool = (set(tag_posts) | set(followed_by)) - excluded
    if not pool:
        return []
    people = {
        p.user_id: p
        for p in session.scalars(
            select(Person).where(Person.team_id == team_id, Person.user_id.in_(sorted(pool)))
        )
    }
    me = session.get(Person, (team_id, user_id))
    my_department = department_of(me.title if me else None)
    out = []
    for uid in pool:
        person = people.get(uid)
        if person is None or person.deleted or person.is_bot:
            continue
        if person.opted_out or person.forgotten:
            continue
        other = bool(my_department) and department_of(person.title) not in ("", my_department)
        base = math.log1p(tag_posts.get(uid, 0)) + 1.5 * math.log1p(followed_by.get(uid, 0))
        score = base * (1.5 if other else 1.0)
        best = by_tag.get(uid)
        out.append(
            Suggestion(
                uid,
                score,
                best[0] if best else None,
                tag_posts.get(uid, 0),
                int(followed_by.get(uid, 0)),
                other,
            )
        )
    out.sort(key=lambda s: (-s.score, s.user_id))
    return out[:limit]


def follower_ids(*, session: Session, team_id: str, user_id: str) -> list[str]:
    """Who follows ``user_id``, active people only, newest first."""
    return list(
        session.scalars(
            select(Follow.follower_id)
            .join(
                Person,
                and_(Person.team_id == Follow.team_id, Person.user_id == Follow.follower_id),
                isouter=True,
            )
            .where(Follow.team_id == team_id, Follow.kind == "person", Follow.target == user_id)
            .where((Person.deleted.is_(None)) | (Person.deleted.is_(False)))
            .order_by(Follow.created_at.desc())
        )
    )
