"""Channels: cached names (for channel references that arrive without one), and which channels
left Kring's public view (see :class:`storage.models.ClosedChannel`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, select, update
from sqlalchemy.orm import Session, aliased

from storage.db import insert_ignore
from storage.models import (
    Channel,
    ClosedChannel,
    DeletedMessage,
    Permalink,
    Post,
    Reference,
)
from storage.references import count_references, referenced_by
from storage.retention import delete_posts
from storage.text import tag_from_channel_name
from storage.visibility import closed_channels


def cached_names(*, session: Session, team_id: str, channel_ids: Iterable[str]) -> dict[str, str]:
    """Known names for the given channel ids."""
    ids = sorted(set(channel_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Channel.channel_id, Channel.name).where(
            Channel.team_id == team_id, Channel.channel_id.in_(ids)
        )
    )
    return {cid: name for cid, name in rows}


def open_channels_named(
    *, session: Session, team_id: str, tags: Iterable[str]
) -> dict[str, list[str]]:
    """The cached channels, not closed, whose name is one of the ``tags`` (as
    :func:`storage.text.tag_from_channel_name` reads it): tag → channel ids, sorted.

    A cached name says Slack described the channel as public once; whether Kring is in it now
    is for the caller to ask Slack.
    """
    wanted = sorted(set(tags))
    if not wanted:
        return {}
    rows = session.execute(
        select(Channel.channel_id, Channel.name)
        .where(
            Channel.team_id == team_id,
            Channel.name.in_(wanted),
            Channel.channel_id.not_in(closed_channels(team_id)),
        )
        .order_by(Channel.channel_id)
    )
    out: dict[str, list[str]] = {}
    for cid, name in rows:
        tag = tag_from_channel_name(name)
        if tag in wanted:
            out.setdefault(tag, []).append(cid)
    return out


def open_channels(*, session: Session, team_id: str, channel_ids: Iterable[str]) -> list[str]:
    """Those of ``channel_ids`` that are not closed (see :func:`close_channel`), sorted."""
    ids = sorted(set(channel_ids))
    if not ids:
        return []
    closed = set(session.scalars(closed_channels(team_id).where(ClosedChannel.channel_id.in_(ids))))
    return [cid for cid in ids if cid not in closed]


def remember_channel(
    *, session: Session, team_id: str, channel_id: str, name: str, now: datetime
) -> None:
    """Store or rename a channel in the cache."""
    channel = session.get(Channel, (team_id, channel_id))
    if channel is None:
        session.add(Channel(team_id=team_id, channel_id=channel_id, name=name, updated_at=now))
    else:
        channel.name = name
        channel.updated_at = now
    session.flush()


# Why a channel closed; see ClosedChannel.
LEFT = "left"
DELETED = "deleted"
PRIVATE = "private"
NOT_MEMBER = "not_member"
NOT_FOUND = "not_found"


def close_channel(
    *, session: Session, team_id: str, channel_id: str, reason: str, now: datetime
) -> int:
    """A channel left Kring's public view: delete its posts (with their tags, mentions,
    reactions and cached permalinks) and its cached name, and keep posts from it out until
    :func:`reopen_channel`. Returns how many posts were deleted; closing again is harmless.

    All of a thread lives in one channel, so no post that stays loses a reply or a reaction;
    the messages its posts referenced elsewhere are recounted.
    """
    session.execute(
        insert_ignore(session, ClosedChannel).values(
            team_id=team_id, channel_id=channel_id, reason=reason, closed_at=now
        )
    )
    in_channel = and_(Post.team_id == team_id, Post.channel_id == channel_id)
    # Shares in this channel of messages elsewhere stop counting on those.
    referenced = referenced_by(session=session, where=in_channel)
    posts = delete_posts(session=session, where=in_channel)
    count_references(connection=session.connection(), messages=referenced)
    for model in (Permalink, Channel):
        session.execute(
            delete(model).where(model.team_id == team_id, model.channel_id == channel_id),
            execution_options={"synchronize_session": False},
        )
    return posts


def reopen_channel(*, session: Session, team_id: str, channel_id: str) -> bool:
    """Kring is in the channel again and it is public: record its posts from now on.
    Returns True when it had been closed."""
    result = session.execute(
        delete(ClosedChannel).where(
            ClosedChannel.team_id == team_id, ClosedChannel.channel_id == channel_id
        ),
        execution_options={"synchronize_session": False},
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def is_closed(*, session: Session, team_id: str, channel_id: str) -> bool:
    """Whether posts from the channel are kept out (see :func:`close_channel`)."""
    return session.get(ClosedChannel, (team_id, channel_id)) is not None


def channels_with_posts(*, session: Session, team_id: str) -> list[str]:
    """The ids of the channels that hold posts, sorted: what the daily audit asks Slack about."""
    return list(
        session.scalars(
            select(Post.channel_id)
            .where(Post.team_id == team_id)
            .distinct()
            .order_by(Post.channel_id)
        )
    )


def move_channel(*, session: Session, team_id: str, old_id: str, new_id: str) -> None:
    """Slack gave a channel a new id (``channel_id_changed``): everything Kring holds about it
    follows, whether it is open or closed.

    Rows already stored under the new id (an event that used it first) win: the old ones with
    the same key are dropped rather than moved onto them.
    """
    if old_id == new_id:
        return
    existing = aliased(Post)
    clash = (
        select(existing.id)
        .where(
            existing.team_id == Post.team_id,
            existing.channel_id == new_id,
            existing.ts == Post.ts,
        )
        .exists()
    )
    delete_posts(
        session=session,
        where=and_(Post.team_id == team_id, Post.channel_id == old_id, clash),
    )
    _move(session, Post, team_id, old_id, new_id, key=("ts",))
    _move(session, Permalink, team_id, old_id, new_id, key=("ts",))
    _move(session, DeletedMessage, team_id, old_id, new_id, key=("ts",))
    _move(session, Channel, team_id, old_id, new_id, key=())
    # References to the channel's messages name it too.
    _move(session, Reference, team_id, old_id, new_id, key=("post_id", "ts"))
    _move(session, ClosedChannel, team_id, old_id, new_id, key=())


def _move(
    session: Session,
    model: type[Post | Permalink | DeletedMessage | Channel | ClosedChannel | Reference],
    team_id: str,
    old_id: str,
    new_id: str,
    *,
    key: tuple[str, ...],
) -> None:
    table: Any = model.__table__
    other = table.alias("other")
    clash = (
        select(other.c.team_id)
        .where(
            other.c.team_id == table.c.team_id,
            other.c.channel_id == new_id,
            *(other.c[name] == table.c[name] for name in key),
        )
        .exists()
    )
    mine = and_(table.c.team_id == team_id, table.c.channel_id == old_id)
    session.execute(delete(table).where(mine, clash))
    session.execute(update(table).where(mine).values(channel_id=new_id))
