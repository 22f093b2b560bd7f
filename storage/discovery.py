"""Finding people and topics: experts on a tag, trending tags, profiles, suggestions."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Float,
    Select,
    and_,
    bindparam,
    cast,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from storage.db import as_expression, chunked
from storage.models import Follow, Mute, Person, Post, PostTag, TagDay
from storage.references import top_quoters
from storage.search import TERM_COUNT_LIMIT, distinctive_terms, term_writers
from storage.visibility import (
    closed_channel_ids,
    hidden_people,
    hidden_tag_counts,
    is_hidden,
    open_channel,
    shown_person,
    ts_within_retention,
    visible_post,
)

EXPERT_HALF_LIFE_DAYS = 90.0
# `suggest`: the newest posts of each followed tag that count towards "posts about #tag".
SUGGEST_TAG_POSTS = 300
# Candidates whose profiles are read at a time, best first.
SUGGEST_LOOKUP_CHUNK = 100
# The most recent follows that suggestions draw on (tags, people; about what most people follow
# in all): someone following many things gets suggestions from what they took up last, for no
# more work than someone following a few.
SUGGEST_SOURCE_TAGS = 10
SUGGEST_SOURCE_PEOPLE = 50
# "You both write about …": the asker's most distinctive terms over this many days (as a
# profile's "writes about") that others' posts are searched for, and the fewest posts with a
# term that make it someone's (as for distinctive_terms). A term in TERM_COUNT_LIMIT posts or
# more is not rare, whatever the workspace's size, and would cost a pass over many posts.
SUGGEST_TERMS = 8
SUGGEST_TERM_DAYS = 90
SUGGEST_TERM_MIN_POSTS = 2
# Shared terms shown as a reason, most written first.
SUGGEST_TERMS_SHOWN = 3


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
    kept_since: datetime | None = None,
) -> list[Expert]:
    """The people with most expertise on ``tag``: their posts with it and the reactions and
    replies and shares by others those drew, each weighted by age (exponential decay, 90-day half-life).

    Only visible posts count (:mod:`storage.visibility`): shown authors, open channels, posted
    since ``kept_since``."""
    age_days = (now.timestamp() - cast(Post.ts, Float)) / 86400.0
    weight = func.exp(-math.log(2) * age_days / EXPERT_HALF_LIFE_DAYS)
    # Others sharing a post count like replies (self-shares are not in reference_count).
    engagement = 1 + Post.reaction_count + 2 * Post.reply_count + 2 * Post.reference_count
    # Everyone's posts with the tag are summed per author (on PostgreSQL an index-only nested
    # loop through ix_posts_id_cover), and only then are the removed people taken out, with a
    # NOT EXISTS per author: a ``NOT IN`` subquery on the posts themselves made PostgreSQL
    # read the whole posts table whatever the tag. Retention and closed channels (usually
    # none) are checked on columns that index holds, or not at all.
    closed = closed_channel_ids(session, team_id)
    per_author = (
        select(
            Post.user_id.label("user_id"),
            func.sum(weight * engagement).label("score"),
            func.count().label("posts"),
            func.sum(Post.reaction_count).label("reactions"),
            func.sum(Post.reply_count).label("replies"),
        )
        .select_from(PostTag)
        .join(Post, Post.id == PostTag.post_id)
        .where(
            PostTag.team_id == team_id,
            PostTag.tag == tag,
            ts_within_retention(Post.ts, kept_since),
            open_channel(Post.channel_id, closed),
        )
        .group_by(Post.user_id)
        .subquery()
    )
    stmt = (
        select(
            per_author.c.user_id,
            per_author.c.score,
            per_author.c.posts,
            per_author.c.reactions,
            per_author.c.replies,
        )
        .where(shown_person(team_id, per_author.c.user_id))
        .order_by(per_author.c.score.desc(), per_author.c.user_id)
        .limit(limit + len(exclude))
    )
    out = [
        Expert(uid, float(score or 0), int(n), int(r or 0), int(p or 0))
        for uid, score, n, r, p in session.execute(stmt)
        if uid not in exclude
    ]
    return out[:limit]


def tag_counts(
    *, session: Session, team_id: str, since: datetime, until: datetime
) -> dict[str, int]:
    """How many posts carried each tag with ``since <= posted_at < until`` (every author; tags
    without posts are left out).

    Whole UTC days are summed from ``tag_days`` (kept exact by triggers on ``post_tags``); only
    the parts of a day at either end of the window are counted from ``post_tags`` itself, so
    the work no longer grows with the window.
    """
    since, until = since.astimezone(UTC), until.astimezone(UTC)
    if since >= until:
        return {}
    first = since.replace(hour=0, minute=0, second=0, microsecond=0)
    if first < since:
        first += timedelta(days=1)
    last = until.replace(hour=0, minute=0, second=0, microsecond=0)
    counts: dict[str, int] = defaultdict(int)
    if first < last:
        days = session.execute(
            select(TagDay.tag, func.sum(TagDay.posts))
            .where(TagDay.team_id == team_id, TagDay.day >= first.date(), TagDay.day < last.date())
            .group_by(TagDay.tag)
        )
        for tag, n in days:
            counts[tag] += int(n or 0)
        edges = [(since, first), (last, until)]
    else:
        edges = [(since, until)]
    for start, end in edges:
        if start >= end:
            continue
        grouped = as_expression(PostTag.tag)
        rows = session.execute(
            select(grouped, func.count())
            .where(PostTag.team_id == team_id, PostTag.posted_at >= start, PostTag.posted_at < end)
            .group_by(grouped)
        )
        for tag, n in rows:
            counts[tag] += int(n)
    return {tag: n for tag, n in counts.items() if n > 0}


def visible_tag_counts(
    *,
    session: Session,
    team_id: str,
    since: datetime,
    until: datetime,
    kept_since: datetime | None = None,
) -> dict[str, int]:
    """:func:`tag_counts` of the posts :mod:`storage.visibility` lets anyone see: not before
    ``kept_since``, and without the posts of hidden people and closed channels.

    Everyone's posts are counted per tag first (cheap, see :func:`tag_counts`), then the few
    invisible posts of the window are taken off again: the hidden people's found by author
    and time (a few index ranges), those of closed channels (normally deleted when the
    channel closed) by channel, and only then their tags.
    """
    if kept_since is not None:
        since = max(since, kept_since)
    counts = tag_counts(session=session, team_id=team_id, since=since, until=until)
    if not counts:
        return counts
    hidden = hidden_tag_counts(session=session, team_id=team_id, since=since, until=until)
    for tag, n in hidden.items():
        counts[tag] = counts.get(tag, 0) - n
    # Read first, as a plain list: with a subquery SQLite would rather walk the whole window
    # (by time) and look up each post's channel, even when no channel is closed.
    closed = closed_channel_ids(session, team_id)
    if closed:
        rows = session.execute(
            select(PostTag.tag, func.count())
            .select_from(Post)
            .join(PostTag, PostTag.post_id == Post.id)
            .where(
                Post.team_id == team_id,
                Post.posted_at >= since,
                Post.posted_at < until,
                Post.channel_id.in_(closed),
                Post.user_id.not_in(hidden_people(team_id)),  # taken off above
            )
            .group_by(PostTag.tag)
        )
        for tag, n in rows:
            counts[tag] = counts.get(tag, 0) - int(n)
    return {tag: n for tag, n in counts.items() if n > 0}


@dataclass(frozen=True)
class Trend:
    tag: str
    current: int
    previous: int
    score: float


def trending(
    *,
    session: Session,
    team_id: str,
    now: datetime,
    days: int = 7,
    limit: int = 10,
    kept_since: datetime | None = None,
) -> list[Trend]:
    """Tags growing fastest in the last ``days`` against the ``days`` before (not just the
    biggest): growth is damped by the square root of the earlier count. Only visible posts
    count (see :func:`visible_tag_counts`).
    """
    start = now - timedelta(days=days)
    before = start - timedelta(days=days)
    current = visible_tag_counts(
        session=session, team_id=team_id, since=start, until=now, kept_since=kept_since
    )
    previous = visible_tag_counts(
        session=session, team_id=team_id, since=before, until=start, kept_since=kept_since
    )
    trends = []
    for tag, cur in current.items():
        prev = previous.get(tag, 0)
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
    # Who shares or links this person's messages most: (user id, how often), most first.
    quoted_by: list[tuple[str, int]] = field(default_factory=list)


def profile(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    viewer_id: str,
    recent: int = 3,
    kept_since: datetime | None = None,
) -> Profile:
    """What Kring knows publicly about one person, seen by ``viewer_id``.

    Only what :mod:`storage.visibility` allows: their visible posts (none when they are hidden
    themselves; none before ``kept_since``), and of the people around them (followers, whom
    they follow, mutual follows, who shares their messages) only those shown.
    """
    person = session.get(Person, (team_id, user_id))
    visible = and_(
        Post.team_id == team_id, Post.user_id == user_id, visible_post(team_id, Post, kept_since)
    )
    top_tags = [
        (tag, int(n))
        for tag, n in session.execute(
            select(PostTag.tag, func.count())
            .join(Post, Post.id == PostTag.post_id)
            .where(visible)
            .group_by(PostTag.tag)
            .order_by(func.count().desc(), PostTag.tag)
            .limit(5)
        )
    ]
    # count(created_at), not count(*): a column ix_follows_target lacks, so that SQLite (without
    # statistics) reads that index rather than every follow of the workspace.
    followers = session.scalar(
        select(func.count(Follow.created_at)).where(
            Follow.team_id == team_id,
            Follow.kind == "person",
            Follow.target == user_id,
            shown_person(team_id, Follow.follower_id),
        )
    )
    following = session.scalar(
        select(func.count()).where(
            Follow.team_id == team_id,
            Follow.follower_id == user_id,
            or_(Follow.kind != "person", shown_person(team_id, Follow.target)),
        )
    )
    posts = list(
        session.scalars(
            select(Post)
            .where(visible)
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
                shown_person(team_id, Follow.target),
            )
            .order_by(Follow.target)
            .limit(10)
        )
    )
    quoted_by = top_quoters(
        session=session, team_id=team_id, user_id=user_id, limit=3, kept_since=kept_since
    )
    return Profile(
        person, top_tags, int(followers or 0), int(following or 0), posts, mutual, quoted_by
    )


@dataclass(frozen=True)
class Suggestion:
    user_id: str
    score: float
    tag: str | None  # "posts about #tag"
    tag_posts: int
    followed_by: int  # how many people you follow follow them
    other_department: bool
    # "you both write about …": distinctive terms of yours they write about too, most first
    terms: tuple[str, ...] = ()


def title_department(title: str | None) -> str:
    """The department part of a Slack title as written ("Backend engineer, Engineering" →
    "Engineering"; a title without a separator is taken whole), whitespace collapsed."""
    if not title:
        return ""
    for sep in (",", " - ", " – ", "|", "@"):
        if sep in title:
            title = title.rsplit(sep, 1)[1]
            break
    return " ".join(title.split())


def department_of(title: str | None) -> str:
    """The department guessed from a Slack title, casefolded ("…, Engineering" → "engineering").

    Only the fallback for people whose workspace keeps no department field (or who left it
    empty): readers compare the stored ``Person.department`` (see storage.people).
    """
    return title_department(title).casefold()[:255]


def suggest(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    now: datetime,
    limit: int = 5,
    muted_people: Collection[str] = (),
    days: int = 30,
    kept_since: datetime | None = None,
) -> list[Suggestion]:
    """People worth following, weighted toward other departments so connections cross the
    organisation. Never yourself, anyone you follow or muted, nor anyone
    :mod:`storage.visibility` hides; only visible posts (none before ``kept_since``) count.

    "Posts about #tag" counts, for each tag you follow, the authors of its newest
    SUGGEST_TAG_POSTS posts of the last ``days`` (all of them on a quieter tag). "You both
    write about …" counts, for your SUGGEST_TERMS most distinctive terms (see
    :func:`storage.search.distinctive_terms`), the authors of at least SUGGEST_TERM_MIN_POSTS
    posts with one in the last SUGGEST_TERM_DAYS days (:func:`storage.search.term_writers`):
    shared interests without anyone typing a hashtag."""
    since = now - timedelta(days=days)
    if kept_since is not None:
        since = max(since, kept_since)
    tag_posts, by_tag = _tag_authors(session, team_id, user_id, since)
    reasons = _Reasons(
        tag_posts=tag_posts,
        by_tag=by_tag,
        followed_by=_followed_by(session, team_id, user_id),
        writers=_shared_terms_writers(session, team_id, user_id, now, kept_since),
    )
    pool = reasons.candidates() - _excluded(session, team_id, user_id, muted_people)
    if not pool:
        return []
    me = session.get(Person, (team_id, user_id))
    my_department = me.department if me else ""
    return _rank(session, team_id, reasons, _base_scores(pool, reasons), my_department, limit)


@dataclass(frozen=True)
class _Reasons:
    """Why people could be suggested to someone, each counted per candidate."""

    tag_posts: dict[str, int]  # their posts about the tags followed
    by_tag: dict[str, tuple[str, int]]  # the followed tag they posted most about, and how often
    followed_by: dict[str, int]  # how many of the people followed follow them
    writers: dict[str, dict[str, int]]  # {user: {shared term: their posts with it}}

    def candidates(self) -> set[str]:
        return set(self.tag_posts) | set(self.followed_by) | set(self.writers)


def _follows_of(team_id: str, user_id: str, kind: str) -> Select[str]:
    """What ``user_id`` follows of ``kind``."""
    return select(Follow.target).where(
        Follow.team_id == team_id, Follow.follower_id == user_id, Follow.kind == kind
    )


def _recent_follows(team_id: str, user_id: str, kind: str, limit: int) -> Select[str]:
    """The ``limit`` newest of :func:`_follows_of`."""
    return (
        _follows_of(team_id, user_id, kind)
        .order_by(Follow.created_at.desc(), Follow.id.desc())
        .limit(limit)
    )


def _tag_authors(
    session: Session, team_id: str, user_id: str, since: datetime
) -> tuple[dict[str, int], dict[str, tuple[str, int]]]:
    """For the newest tags ``user_id`` follows, the authors of each tag's newest posts since
    ``since``: (their posts on all those tags, the tag they posted most about and how often)."""
    tags = sorted(session.scalars(_recent_follows(team_id, user_id, "tag", SUGGEST_SOURCE_TAGS)))
    closed = closed_channel_ids(session, team_id)
    # Only the newest SUGGEST_TAG_POSTS posts of each tag count (read newest first from the
    # tag's index), so a busy tag costs no more than a quiet one. One statement per tag, the
    # same each time: SQLAlchemy compiles it once, where a UNION as wide as the person's tags
    # was compiled anew for every person (more than the database's work).
    newest = (
        select(PostTag.post_id)
        .where(
            PostTag.team_id == team_id,
            PostTag.tag == bindparam("tag"),
            PostTag.posted_at >= since,
        )
        .order_by(PostTag.posted_at.desc(), PostTag.post_id.desc())
        .limit(SUGGEST_TAG_POSTS)
        .subquery()
    )
    per_author = (
        select(Post.user_id, func.count())
        .select_from(newest)
        .join(Post, Post.id == newest.c.post_id)
        # Retention is ``since``; hidden authors are left out with the people looked up
        # later (see _rank), so only the channel is checked here (against a list, usually empty).
        .where(open_channel(Post.channel_id, closed))
        .group_by(Post.user_id)
    )
    tag_posts: dict[str, int] = {}
    by_tag: dict[str, tuple[str, int]] = {}
    for tag in tags:
        for author, n in session.execute(per_author, {"tag": tag}):
            tag_posts[author] = tag_posts.get(author, 0) + int(n)
            if author not in by_tag or by_tag[author][1] < n:
                by_tag[author] = (tag, int(n))
    return tag_posts, by_tag


def _followed_by(session: Session, team_id: str, user_id: str) -> dict[str, int]:
    """Whom the people ``user_id`` followed most recently follow: {person: how many of them}."""
    grouped = as_expression(Follow.target)
    # A hidden person's follows suggest no one either: they are taken out of the list first.
    recent = list(
        session.scalars(_recent_follows(team_id, user_id, "person", SUGGEST_SOURCE_PEOPLE))
    )
    hidden_recent = set(
        session.scalars(
            select(Person.user_id).where(
                Person.team_id == team_id, Person.user_id.in_(recent), is_hidden(Person)
            )
        )
    )
    return {
        target: int(n)
        for target, n in session.execute(
            select(grouped, func.count())
            .where(
                Follow.team_id == team_id,
                Follow.kind == "person",
                Follow.follower_id.in_([uid for uid in recent if uid not in hidden_recent]),
            )
            .group_by(grouped)
        )
    }


def _shared_terms_writers(
    session: Session, team_id: str, user_id: str, now: datetime, kept_since: datetime | None
) -> dict[str, dict[str, int]]:
    """Who writes about ``user_id``'s most distinctive terms too."""
    my_terms = distinctive_terms(
        session=session,
        team_id=team_id,
        user_id=user_id,
        now=now,
        days=SUGGEST_TERM_DAYS,
        limit=SUGGEST_TERMS,
        below=TERM_COUNT_LIMIT,
        kept_since=kept_since,
    )
    # {user: {term: their posts with it}}, for every term at once.
    return term_writers(
        session=session,
        team_id=team_id,
        terms=[term.word for term in my_terms],
        now=now,
        days=SUGGEST_TERM_DAYS,
        min_posts=SUGGEST_TERM_MIN_POSTS,
        kept_since=kept_since,
    )


def _excluded(
    session: Session, team_id: str, user_id: str, muted_people: Collection[str]
) -> set[str]:
    """Who is never suggested to ``user_id``: themself, whom they follow or muted."""
    mine = _follows_of(team_id, user_id, "person")
    muted = select(Mute.target).where(
        Mute.team_id == team_id, Mute.user_id == user_id, Mute.kind == "person"
    )
    excluded = set(session.scalars(mine)) | set(session.scalars(muted)) | set(muted_people)
    excluded.add(user_id)
    return excluded


def _base_scores(pool: set[str], reasons: _Reasons) -> dict[str, float]:
    """Each candidate's score before their department counts."""
    # Shared terms weigh as posts on a followed tag do: what they wrote about it, dampened.
    term_posts = {uid: sum(reasons.writers.get(uid, {}).values()) for uid in pool}
    return {
        uid: math.log1p(reasons.tag_posts.get(uid, 0))
        + 1.5 * math.log1p(reasons.followed_by.get(uid, 0))
        + math.log1p(term_posts[uid])
        for uid in pool
    }


def _rank(
    session: Session,
    team_id: str,
    reasons: _Reasons,
    base: dict[str, float],
    my_department: str,
    limit: int,
) -> list[Suggestion]:
    """The ``limit`` best of the candidates in ``base`` that are shown, people of another
    department than ``my_department`` weighing 1.5 times their base."""
    # A score is the base at most times 1.5, so people are looked up best base first, and only
    # until no one further down could still reach the list.
    ranked = sorted(base, key=lambda uid: (-base[uid], uid))
    out: list[Suggestion] = []
    for chunk in chunked(ranked, SUGGEST_LOOKUP_CHUNK):
        if len(out) >= limit and base[chunk[0]] * 1.5 < out[limit - 1].score:
            break
        people = session.execute(
            select(Person.user_id, Person.department).where(
                Person.team_id == team_id, Person.user_id.in_(chunk), ~is_hidden(Person)
            )
        )
        for uid, department in people:
            other = bool(my_department) and department not in ("", my_department)
            best = reasons.by_tag.get(uid)
            out.append(
                Suggestion(
                    uid,
                    base[uid] * (1.5 if other else 1.0),
                    best[0] if best else None,
                    reasons.tag_posts.get(uid, 0),
                    int(reasons.followed_by.get(uid, 0)),
                    other,
                    _shared_terms(reasons.writers.get(uid, {})),
                )
            )
        out.sort(key=lambda s: (-s.score, s.user_id))
    out.sort(key=lambda s: (-s.score, s.user_id))
    return out[:limit]


def _shared_terms(posts_by_term: dict[str, int]) -> tuple[str, ...]:
    """The shared terms shown as the reason: those they wrote most about first."""
    ranked = sorted(posts_by_term, key=lambda term: (-posts_by_term[term], term))
    return tuple(ranked[:SUGGEST_TERMS_SHOWN])


def follower_ids(*, session: Session, team_id: str, user_id: str) -> list[str]:
    """Who follows ``user_id``, newest first: only people :mod:`storage.visibility` shows
    (not deactivated, a bot, opted out or forgotten)."""
    return list(
        session.scalars(
            select(Follow.follower_id)
            .where(
                Follow.team_id == team_id,
                Follow.kind == "person",
                Follow.target == user_id,
                shown_person(team_id, Follow.follower_id),
            )
            .order_by(Follow.created_at.desc())
        )
    )
