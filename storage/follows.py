"""Who follows whom, which tags, and which channels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NamedTuple

from sqlalchemy import and_, delete, func, or_, select, tuple_
from sqlalchemy.orm import Session

from storage.db import insert_ignore
from storage.models import Follow, Person
from storage.visibility import is_hidden, shown_person

Kind = Literal["person", "tag", "channel"]

# Follows per person. Each one is a source the Home feed and the digest read; 1,000 is far
# beyond what anyone reads, and keeps both within their budgets (benchmarks/connect.py).
MAX_FOLLOWS = 1_000


def as_kind(value: str) -> Kind:
    """A stored kind as the Literal type (anything unknown reads as a tag)."""
    if value == "channel":
        return "channel"
    return "person" if value == "person" else "tag"


@dataclass(frozen=True, order=True)
class Target:
    """Something a person can follow: another person (by user id), a tag, or a public channel
    Kring is in (by channel id; `/kring follow #design` follows the tag and the channel)."""

    kind: Kind
    value: str


class Followed(NamedTuple):
    """What :func:`follow` did with each target, each list sorted."""

    new: list[Target]
    already: list[Target]
    over_limit: list[Target]  # not followed: the person follows MAX_FOLLOWS things already
    # Not followed: people storage.visibility hides (opted out, forgotten, deactivated, bots).
    refused: list[Target] = []  # never mutated


def follow_count(*, session: Session, team_id: str, follower_id: str) -> int:
    """How many people, tags and channels ``follower_id`` follows."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Follow)
            .where(Follow.team_id == team_id, Follow.follower_id == follower_id)
        )
        or 0
    )


def follow(
    *,
    session: Session,
    team_id: str,
    follower_id: str,
    targets: Iterable[Target],
    now: datetime,
    limit: int = MAX_FOLLOWS,
) -> Followed:
    """Follow each target, as far as ``limit`` (follows per person) allows.

    New targets take the room left in the order given; those that don't fit are returned as
    ``over_limit``. (Two requests at once could each take the last places: the cap bounds the
    work per person, it is not a quota to the unit.) People :mod:`storage.visibility` hides
    are never followed: they come back as ``refused``.
    """
    given = list(dict.fromkeys(targets))
    refused = _hidden_people(session, team_id, given)
    given = [t for t in given if t not in refused]
    if not given:
        return Followed([], [], [], sorted(refused))
    already = _existing(session, team_id, follower_id, given)
    fresh = [t for t in given if t not in already]
    room = max(0, limit - follow_count(session=session, team_id=team_id, follower_id=follower_id))
    new, over = sorted(fresh[:room]), sorted(fresh[room:])
    if new:
        session.execute(
            insert_ignore(session, Follow),
            [
                {
                    "team_id": team_id,
                    "follower_id": follower_id,
                    "kind": t.kind,
                    "target": t.value,
                    "created_at": now,
                }
                for t in new
            ],
        )
    return Followed(new, sorted(already), over, sorted(refused))


def _hidden_people(session: Session, team_id: str, targets: list[Target]) -> set[Target]:
    """The people among ``targets`` whom nobody may follow (see storage.visibility)."""
    ids = sorted({t.value for t in targets if t.kind == "person"})
    if not ids:
        return set()
    rows = session.scalars(
        select(Person.user_id).where(
            Person.team_id == team_id, Person.user_id.in_(ids), is_hidden(Person)
        )
    )
    return {Target("person", uid) for uid in rows}


def unfollow(
    *, session: Session, team_id: str, follower_id: str, targets: Iterable[Target]
) -> tuple[list[Target], list[Target]]:
    """Stop following each target. Returns (unfollowed, not followed in the first place)."""
    wanted = sorted(set(targets))
    if not wanted:
        return [], []
    present = _existing(session, team_id, follower_id, wanted)
    if present:
        session.execute(
            delete(Follow).where(
                Follow.team_id == team_id,
                Follow.follower_id == follower_id,
                or_(*(and_(Follow.kind == t.kind, Follow.target == t.value) for t in present)),
            )
        )
    return [t for t in wanted if t in present], [t for t in wanted if t not in present]


def _existing(
    session: Session, team_id: str, follower_id: str, targets: list[Target]
) -> set[Target]:
    rows = session.execute(
        select(Follow.kind, Follow.target).where(
            Follow.team_id == team_id,
            Follow.follower_id == follower_id,
            tuple_(Follow.kind, Follow.target).in_([(t.kind, t.value) for t in targets]),
        )
    )
    return {Target(as_kind(kind), value) for kind, value in rows}


def following(*, session: Session, team_id: str, follower_id: str) -> list[Target]:
    """Everything a person follows: channels (by id), then people, then tags, each sorted."""
    rows = session.execute(
        select(Follow.kind, Follow.target)
        .where(Follow.team_id == team_id, Follow.follower_id == follower_id)
        .order_by(Follow.kind, Follow.target)
    )
    return [Target(as_kind(kind), value) for kind, value in rows]


def followers(*, session: Session, team_id: str, user_id: str) -> list[str]:
    """The user ids of the people who follow ``user_id``: only people storage.visibility shows."""
    return list(
        session.scalars(
            select(Follow.follower_id)
            .where(
                Follow.team_id == team_id,
                Follow.kind == "person",
                Follow.target == user_id,
                shown_person(team_id, Follow.follower_id),
            )
            .order_by(Follow.follower_id)
        )
    )
