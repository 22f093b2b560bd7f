"""Cached channel names, for channel references that arrive without one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Channel


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
