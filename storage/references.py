"""References: posts that share, quote or link to other Slack messages.

Written by the ingest path (:mod:`storage.posts`); this module holds what the other writers
(deletes, channel purges, forget-me, retention) and readers (profiles, stats) share, and only
depends on the models (and the visibility rule, itself only models), so all of them can use it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    bindparam,
    delete,
    func,
    literal,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from storage.models import Post, Reference
from storage.visibility import hidden_author, hidden_people, within_retention

Key = tuple[str, str, str]  # team, channel, ts


@functools.cache
def _recount() -> Any:
    # Distinct sharers other than the author: quoting yourself, or sharing twice, adds nothing.
    return (
        update(Post)
        .where(
            tuple_(Post.team_id, Post.channel_id, Post.ts).in_(
                bindparam("messages", expanding=True)
            )
        )
        .values(
            reference_count=select(func.count(func.distinct(Reference.user_id)))
            .where(
                Reference.team_id == Post.team_id,
                Reference.channel_id == Post.channel_id,
                Reference.ts == Post.ts,
                Reference.user_id != Post.user_id,
            )
            .scalar_subquery()
        )
    )


def count_references(*, connection: Connection, messages: Iterable[Key]) -> None:
    """Set the reference count of each of ``messages`` that is stored from the references
    stored (messages not stored are left alone)."""
    keys = sorted(set(messages))
    if keys:
        connection.execute(_recount(), {"messages": keys})


def referenced_by(*, session: Session, where: ColumnElement[bool]) -> set[Key]:
    """The messages referenced by the posts ``where`` selects (to recount after they go)."""
    rows = session.execute(
        select(Reference.team_id, Reference.channel_id, Reference.ts)
        .join(Post, Post.id == Reference.post_id)
        .where(where)
        .distinct()
    )
    return {(team, channel, ts) for team, channel, ts in rows}


def delete_references(*, session: Session, where: ColumnElement[bool]) -> set[Key]:
    """Delete the references made by the posts ``where`` selects; the messages they referenced,
    whose counts are the caller's to recount with :func:`count_references`."""
    keys = referenced_by(session=session, where=where)
    session.execute(
        delete(Reference).where(Reference.post_id.in_(select(Post.id).where(where))),
        execution_options={"synchronize_session": False},
    )
    return keys


def top_quoters(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    limit: int = 3,
    kept_since: datetime | None = None,
) -> list[tuple[str, int]]:
    """Who references ``user_id``'s messages most, as (user id, messages referenced), most
    first (a message shared in two posts counts twice); the person themselves and people
    :mod:`storage.visibility` hides are left out, and so are shares before ``kept_since``.
    Nothing when ``user_id`` is hidden themselves."""
    if session.scalar(select(hidden_author(team_id, literal(user_id, type_=String)))):
        return []
    count = func.count()
    rows = session.execute(
        select(Reference.user_id, count)
        .where(
            Reference.team_id == team_id,
            Reference.author_id == user_id,
            Reference.user_id != user_id,
            Reference.user_id.not_in(hidden_people(team_id)),
            within_retention(Reference.shared_at, kept_since),
        )
        .group_by(Reference.user_id)
        .order_by(count.desc(), Reference.user_id)
        .limit(limit)
    )
    return [(uid, int(c)) for uid, c in rows]
