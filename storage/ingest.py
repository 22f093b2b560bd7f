"""Recording many new posts in one transaction, with a fixed number of statements per batch.

This is the hot path of event ingestion: every public message goes through it. The work per
batch is set-based (one query for deletions, one for opted-out people, one multi-row insert each
for posts, tags, mentions and people), so concurrent events sharing a batch share its costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import (
    Connection,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from storage.db import insert_ignore
from storage.models import DeletedMessage, Mention, Person, Post, PostTag
from storage.posts import NewPost, ts_to_datetime

Key = tuple[str, str, str]  # team, channel, ts


# Built once: constructing and cache-keying statements costs more than running them here.
# One round trip answers both "deleted in Slack already?" and "who is known / opted out?".
_CHECKS = union_all(
    select(
        literal("deleted").label("what"),
        DeletedMessage.team_id,
        DeletedMessage.channel_id.label("a"),
        DeletedMessage.ts.label("b"),
    ).where(
        tuple_(DeletedMessage.team_id, DeletedMessage.channel_id, DeletedMessage.ts).in_(
            bindparam("keys", expanding=True)
        )
    ),
    select(
        literal("person").label("what"),
        Person.team_id,
        Person.user_id.label("a"),
        case((or_(Person.opted_out, Person.forgotten), "out"), else_="in").label("b"),
    ).where(tuple_(Person.team_id, Person.user_id).in_(bindparam("people", expanding=True))),
)


@dataclass
class _Known:
    deleted: set[Key] = field(default_factory=set)
    people: set[tuple[str, str]] = field(default_factory=set)
    unrecorded: set[tuple[str, str]] = field(default_factory=set)


def _checks(conn: Connection, keys: Sequence[Key], people: set[tuple[str, str]]) -> _Known:
    known = _Known()
    for what, team, a, b in conn.execute(_CHECKS, {"keys": list(keys), "people": sorted(people)}):
        if what == "deleted":
            known.deleted.add((team, a, b))
        else:
            known.people.add((team, a))
            if b == "out":
                known.unrecorded.add((team, a))
    return known


def record_posts(*, session: Session, posts: Sequence[NewPost]) -> list[bool]:
    """Store new posts with their tags and mentions; True for each post stored now.

    A post is skipped (False) when it is already stored (a retried or duplicated event), was
    deleted in Slack before this event arrived, or its author opted out. Mentions of people who
    opted out are not recorded.
    """
    if not posts:
        return []
    conn = session.connection()
    keys = [(p.team_id, p.channel_id, p.ts) for p in posts]
    people = {(p.team_id, p.user_id) for p in posts}
    people |= {(p.team_id, uid) for p in posts for uid in p.mentions}
    checked = _checks(conn, keys, people)
    deleted, known, unrecorded = checked.deleted, checked.people, checked.unrecorded
    rows: list[dict[str, object]] = []
    wanted: dict[Key, NewPost] = {}
    for post, key in zip(posts, keys, strict=True):
        if key in deleted or (post.team_id, post.user_id) in unrecorded or key in wanted:
            continue
        wanted[key] = post
        rows.append(
            {
                "team_id": post.team_id,
                "channel_id": post.channel_id,
                "ts": post.ts,
                "user_id": post.user_id,
                "text": post.text,
                "thread_ts": post.thread_ts,
                "is_broadcast": post.is_broadcast,
                "links": list(post.links),
                "files": list(post.files),
                "posted_at": ts_to_datetime(post.ts),
                "edited_at": post.edited_at,
                "reaction_count": 0,
                "reactor_count": 0,
                "reply_count": 0,
            }
        )
    stored: dict[Key, int] = {}
    if rows:
        # executemany (one cached statement, batched by the driver) rather than a multi-VALUES
        # statement, which SQLAlchemy would compile anew for every batch.
        result = conn.execute(
            insert_ignore(session, Post).returning(Post.id, Post.team_id, Post.channel_id, Post.ts),
            rows,
        )
        # RETURNING yields only the rows inserted now: a portable "which ones were new?".
        stored.update({(t, c, s): pid for pid, t, c, s in result})
    tag_rows: list[dict[str, object]] = []
    mention_rows: list[dict[str, object]] = []
    person_rows: dict[tuple[str, str], dict[str, object]] = {}
    parents: set[Key] = set()
    for key, post_id in stored.items():
        post = wanted[key]
        when = ts_to_datetime(post.ts)
        tag_rows += [
            {"post_id": post_id, "tag": tag, "team_id": post.team_id, "posted_at": when}
            for tag in sorted(post.tags)
        ]
        mentioned = sorted(
            uid
            for uid in post.mentions
            if uid != post.user_id and (post.team_id, uid) not in unrecorded
        )
        mention_rows += [
            {"post_id": post_id, "user_id": uid, "team_id": post.team_id} for uid in mentioned
        ]
        for uid in (post.user_id, *mentioned):
            if (post.team_id, uid) not in known:
                person_rows[(post.team_id, uid)] = {"team_id": post.team_id, "user_id": uid}
        if post.thread_ts and post.thread_ts != post.ts:
            parents.add((post.team_id, post.channel_id, post.thread_ts))
    people_rows = sorted(person_rows.values(), key=lambda r: str(r["user_id"]))
    for model, many in ((PostTag, tag_rows), (Mention, mention_rows), (Person, people_rows)):
        if many:
            conn.execute(insert_ignore(session, model), many)
    for team_id, channel_id, parent_ts in sorted(parents):
        refresh_reply_count(session, team_id, channel_id, parent_ts)
    return [
        key in stored and wanted.get(key) is post for post, key in zip(posts, keys, strict=True)
    ]


def refresh_reply_count(session: Session, team_id: str, channel_id: str, parent_ts: str) -> None:
    """Recount a thread's replies on its parent (recomputed, never incremented: retry-safe)."""
    replies = (
        select(func.count())
        .where(
            Post.team_id == team_id,
            Post.channel_id == channel_id,
            Post.thread_ts == parent_ts,
            Post.ts != parent_ts,
        )
        .scalar_subquery()
    )
    session.execute(
        update(Post)
        .where(Post.team_id == team_id, Post.channel_id == channel_id, Post.ts == parent_ts)
        .values(reply_count=replies)
    )
