"""Mutes: people and tags someone never wants to see in digests or suggestions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from storage.db import chunked, insert_ignore
from storage.follows import Target, as_kind
from storage.models import Mute, PostTag


def mute(
    *, session: Session, team_id: str, user_id: str, targets: Iterable[Target], now: datetime
) -> tuple[list[Target], list[Target]]:
    """Mute each target. Returns (newly muted, already muted)."""
    wanted = sorted(set(targets))
    already = set(muted(session=session, team_id=team_id, user_id=user_id))
    new = [t for t in wanted if t not in already]
    if new:
        session.execute(
            insert_ignore(session, Mute),
            [
                {
                    "team_id": team_id,
                    "user_id": user_id,
                    "kind": t.kind,
                    "target": t.value,
                    "created_at": now,
                }
                for t in new
            ],
        )
    return new, [t for t in wanted if t in already]


def unmute(
    *, session: Session, team_id: str, user_id: str, targets: Iterable[Target]
) -> tuple[list[Target], list[Target]]:
    """Unmute each target. Returns (unmuted, not muted in the first place)."""
    wanted = sorted(set(targets))
    present = set(muted(session=session, team_id=team_id, user_id=user_id)) & set(wanted)
    if present:
        session.execute(
            delete(Mute).where(
                Mute.team_id == team_id,
                Mute.user_id == user_id,
                or_(*(and_(Mute.kind == t.kind, Mute.target == t.value) for t in present)),
            )
        )
    return sorted(present), [t for t in wanted if t not in present]


def muted(*, session: Session, team_id: str, user_id: str) -> list[Target]:
    """Everything one person muted, people first."""
    rows = session.execute(
        select(Mute.kind, Mute.target)
        .where(Mute.team_id == team_id, Mute.user_id == user_id)
        .order_by(Mute.kind, Mute.target)
    )
    return [Target(as_kind(kind), value) for kind, value in rows]


def muted_people(*, session: Session, team_id: str, user_ids: Sequence[str]) -> dict[str, set[str]]:
    """For each reader, the people they muted."""
    out: dict[str, set[str]] = defaultdict(set)
    for chunk in chunked(sorted(set(user_ids))):
        rows = session.execute(
            select(Mute.user_id, Mute.target).where(
                Mute.team_id == team_id, Mute.kind == "person", Mute.user_id.in_(chunk)
            )
        )
        for reader, target in rows:
            out[reader].add(target)
    return out


def posts_with_muted_tags(
    *,
    session: Session,
    team_id: str,
    user_ids: Sequence[str],
    since: datetime,
    until: datetime,
) -> set[tuple[str, int]]:
    """(reader, post id) pairs where the post carries a tag the reader muted, in a window."""
    out: set[tuple[str, int]] = set()
    for chunk in chunked(sorted(set(user_ids))):
        rows = session.execute(
            select(Mute.user_id, PostTag.post_id)
            .join(PostTag, and_(PostTag.team_id == Mute.team_id, PostTag.tag == Mute.target))
            .where(
                Mute.team_id == team_id,
                Mute.kind == "tag",
                Mute.user_id.in_(chunk),
                PostTag.posted_at >= since,
                PostTag.posted_at < until,
            )
        )
        out.update((reader, int(pid)) for reader, pid in rows)
    return out
