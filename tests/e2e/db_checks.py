"""Read what Kring stored, for assertions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Mention, Person, Post, PostTag, Reaction


def posts(sessions: sessionmaker[Session]) -> dict[str, Post]:
    with sessions() as s:
        return {p.ts: p for p in s.scalars(select(Post))}


def tags(sessions: sessionmaker[Session], ts: str) -> set[str]:
    with sessions() as s:
        return set(
            s.scalars(
                select(PostTag.tag).join(Post, Post.id == PostTag.post_id).where(Post.ts == ts)
            )
        )


def mentions(sessions: sessionmaker[Session], ts: str) -> set[str]:
    with sessions() as s:
        return set(
            s.scalars(
                select(Mention.user_id).join(Post, Post.id == Mention.post_id).where(Post.ts == ts)
            )
        )


def reactions(sessions: sessionmaker[Session]) -> list[tuple[str, str]]:
    with sessions() as s:
        return sorted((r.user_id, r.name) for r in s.scalars(select(Reaction)))


def person(sessions: sessionmaker[Session], user_id: str) -> Person | None:
    with sessions() as s:
        return s.scalars(select(Person).where(Person.user_id == user_id)).first()
