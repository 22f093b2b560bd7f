"""The one rule for what Kring may show anyone: every reader composes these expressions.

A post may be shown when its author is shown (a person row that is not deactivated, not a bot,
not opted out and not forgotten; someone Kring has no row for yet counts as shown), its channel
is still in Kring's public view (no ``closed_channels`` row) and it is within retention
(``posted_at >= kept_since``, even when the daily purge has not run yet). A deleted message is
no longer stored at all, so nothing here needs to ask about it.

The expressions come in two shapes with the same meaning. An EXISTS on a primary key
(:func:`hidden_author`, :func:`closed_channel`) is checked per row a query already found
through its own index, the right shape under a LIMIT or for a few rows. A subquery of the few
hidden people or closed channels (:func:`hidden_people`, :func:`closed_channels`) is for
``NOT IN`` over many rows: the database evaluates it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, cast, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from storage.db import as_expression
from storage.models import ClosedChannel, Person, Post, PostTag


def kept_since(now: datetime, retention_days: int | None) -> datetime | None:
    """The oldest moment a post may be from to be shown (``retention_days`` back from ``now``);
    None when no retention applies."""
    if retention_days is None:
        return None
    return now - timedelta(days=retention_days)


def is_hidden(person: Any = Person) -> ColumnElement[bool]:
    """Whether a person row (``Person`` or an alias of it) is someone shown to no one:
    deactivated, a bot, opted out or forgotten."""
    return or_(
        person.deleted.is_(True),
        person.is_bot.is_(True),
        person.opted_out.is_(True),
        person.forgotten.is_(True),
    )


def hidden_author(team_id: str, author: Any) -> ColumnElement[bool]:
    """Whether the person ``author`` (a column or value of user ids) is hidden, as an EXISTS on
    their person row: its negation lets PostgreSQL check each row found through an index
    instead of reading all people (or all posts) first."""
    person = aliased(Person)
    return (
        select(person.user_id)
        .where(person.team_id == team_id, person.user_id == author, is_hidden(person))
        .exists()
    )


def shown_person(team_id: str, user: Any) -> ColumnElement[bool]:
    """Whether ``user`` may be shown (listed, ranked, counted): not :func:`hidden_author`."""
    return ~hidden_author(team_id, user)


def hidden_people(team_id: str) -> Select[str]:
    """The hidden people of a workspace as a subquery, for ``NOT IN`` over many rows."""
    return select(Person.user_id).where(Person.team_id == team_id, is_hidden(Person))


def hidden_tag_counts(
    *, session: Session, team_id: str, since: datetime, until: datetime
) -> dict[str, int]:
    """How many posts with ``since <= posted_at < until`` each tag has from hidden people: what
    the rule takes off counts kept for every author (``tag_days``), so that neither their
    numbers nor the tags only they used show. Read from ``post_tags`` alone, an index range per
    hidden person (``ix_post_tags_author_time``)."""
    grouped = as_expression(PostTag.tag)
    rows = session.execute(
        select(grouped, func.count())
        .where(
            PostTag.team_id == team_id,
            PostTag.user_id.in_(hidden_people(team_id)),
            PostTag.posted_at >= since,
            PostTag.posted_at < until,
        )
        .group_by(grouped)
    )
    return {tag: int(n) for tag, n in rows}


def closed_channel(team_id: str, channel: Any) -> ColumnElement[bool]:
    """Whether ``channel`` left Kring's public view (see :class:`ClosedChannel`), an EXISTS on
    its primary key."""
    closed = aliased(ClosedChannel)
    return (
        select(closed.channel_id)
        .where(closed.team_id == team_id, closed.channel_id == channel)
        .exists()
    )


def closed_channels(team_id: str) -> Select[str]:
    """The closed channels of a workspace as a subquery, for ``NOT IN`` over many rows."""
    return select(ClosedChannel.channel_id).where(ClosedChannel.team_id == team_id)


def closed_channel_ids(session: Session, team_id: str) -> list[str]:
    """The closed channels of a workspace, read once: usually none (closing a channel deletes
    its posts), and then a query needs no channel clause at all (see :func:`open_channel`)."""
    return list(session.scalars(closed_channels(team_id)))


def open_channel(channel: Any, closed: Sequence[str]) -> ColumnElement[bool]:
    """``channel`` is none of ``closed`` (from :func:`closed_channel_ids`); always true when
    none is closed, so that a query reading many posts through a covering index need not
    fetch each post's channel."""
    return channel.not_in(list(closed)) if closed else true()


def ts_within_retention(ts: Any, since: datetime | None) -> ColumnElement[bool]:
    """:func:`within_retention` on a Slack message ts (seconds since the epoch, as text): for
    queries that read ``posts.ts`` from a covering index but not ``posted_at``."""
    return true() if since is None else cast(ts, Float) >= since.timestamp()


def within_retention(posted_at: Any, since: datetime | None) -> ColumnElement[bool]:
    """``posted_at >= since`` (always true without a retention)."""
    return true() if since is None else posted_at >= since


def visible_post(
    team_id: str,
    post: Any = Post,
    since: datetime | None = None,
    closed: Sequence[str] | None = None,
) -> ColumnElement[bool]:
    """Whether a post (``Post`` or an alias) may be shown: author shown, channel open, within
    retention (``since``, see :func:`kept_since`). Per-row EXISTS checks, for queries that
    find their posts through an index and stop at a LIMIT; given the ``closed`` channels read
    beforehand (:func:`closed_channel_ids`), the channel is checked against that list instead,
    which costs nothing when none is closed."""
    return and_(
        ~hidden_author(team_id, post.user_id),
        ~closed_channel(team_id, post.channel_id)
        if closed is None
        else open_channel(post.channel_id, closed),
        within_retention(post.posted_at, since),
    )


def visible_posts(
    team_id: str, post: Any = Post, since: datetime | None = None
) -> ColumnElement[bool]:
    """:func:`visible_post` with ``NOT IN`` subqueries evaluated once: for queries reading many
    posts of a window (digest candidates), where a probe per post would cost more."""
    return and_(
        post.user_id.not_in(hidden_people(team_id)),
        post.channel_id.not_in(closed_channels(team_id)),
        within_retention(post.posted_at, since),
    )
