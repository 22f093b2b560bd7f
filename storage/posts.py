"""Posts, their tags, mentions and reactions: written idempotently, so Slack's retries are safe."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    case,
    delete,
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
from storage.models import DeletedMessage, Mention, Permalink, Person, Post, PostTag, Reaction
from storage.people import ensure_known
from storage.privacy import is_unrecorded


@dataclass(frozen=True)
class NewPost:
    """A message as plain values, already parsed into tags and mentions."""

    team_id: str
    channel_id: str
    ts: str
    user_id: str
    text: str
    tags: frozenset[str] = frozenset()
    mentions: frozenset[str] = frozenset()
    links: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    thread_ts: str | None = None
    is_broadcast: bool = False
    edited_at: datetime | None = field(default=None)


def ts_to_datetime(ts: str) -> datetime:
    """A Slack message timestamp (``"1700000000.000100"``) as an aware UTC datetime."""
    return datetime.fromtimestamp(float(ts), tz=UTC)


def _post_id(session: Session, team_id: str, channel_id: str, ts: str) -> int | None:
    return session.scalar(
        select(Post.id).where(Post.team_id == team_id, Post.channel_id == channel_id, Post.ts == ts)
    )


def _write_tags_and_mentions(
    session: Session, post_id: int, post: NewPost, when: datetime, unrecorded: set[str]
) -> None:
    if post.tags:
        session.execute(
            insert_ignore(session, PostTag),
            [
                {"post_id": post_id, "tag": tag, "team_id": post.team_id, "posted_at": when}
                for tag in sorted(post.tags)
            ],
        )
    mentioned = sorted(post.mentions - {post.user_id} - unrecorded)
    if mentioned:
        session.execute(
            insert_ignore(session, Mention),
            [{"post_id": post_id, "user_id": uid, "team_id": post.team_id} for uid in mentioned],
        )


def _refresh_reply_count(session: Session, team_id: str, channel_id: str, parent_ts: str) -> None:
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


def _refresh_reaction_counts(session: Session, post_id: int) -> None:
    total = select(func.count()).where(Reaction.post_id == post_id).scalar_subquery()
    people = (
        select(func.count(func.distinct(Reaction.user_id)))
        .where(Reaction.post_id == post_id)
        .scalar_subquery()
    )
    session.execute(
        update(Post).where(Post.id == post_id).values(reaction_count=total, reactor_count=people)
    )


def _unrecorded(session: Session, post: NewPost) -> set[str]:
    # One query for the author and everyone mentioned: who opted out or was forgotten.
    return is_unrecorded(
        session=session, team_id=post.team_id, user_ids=[post.user_id, *post.mentions]
    )


def record_post(*, session: Session, post: NewPost) -> bool:
    """Store one new post with its tags and mentions (see :func:`record_posts`)."""
    return record_posts(session=session, posts=[post])[0]


def edit_post(*, session: Session, post: NewPost) -> bool:
    """Replace a stored post's text, tags, mentions, links and files with an edited version.

    A post Kring never saw (edited before Kring was invited, say) is recorded as new.
    Returns True when something was stored; an edit by someone who opted out or was forgotten
    changes nothing (what was stored before they opted out stays as it was).
    """
    unrecorded = _unrecorded(session, post)
    if post.user_id in unrecorded:
        return False
    post_id = _post_id(session, post.team_id, post.channel_id, post.ts)
    if post_id is None:
        return record_post(session=session, post=post)
    session.execute(
        update(Post)
        .where(Post.id == post_id)
        .values(
            text=post.text,
            links=list(post.links),
            files=list(post.files),
            edited_at=post.edited_at,
            is_broadcast=post.is_broadcast,
        )
    )
    session.execute(delete(PostTag).where(PostTag.post_id == post_id))
    session.execute(delete(Mention).where(Mention.post_id == post_id))
    _write_tags_and_mentions(session, post_id, post, ts_to_datetime(post.ts), unrecorded)
    ensure_known(session=session, team_id=post.team_id, user_ids=post.mentions - unrecorded)
    return True


def delete_post(*, session: Session, team_id: str, channel_id: str, ts: str, now: datetime) -> bool:
    """Remove a message deleted in Slack, with its tags, mentions, reactions and permalink.

    Remembers the deletion so that a late retry of the original event cannot bring it back.
    Returns True when a stored post was removed.
    """
    session.execute(
        insert_ignore(session, DeletedMessage).values(
            team_id=team_id, channel_id=channel_id, ts=ts, deleted_at=now
        )
    )
    row = session.execute(
        select(Post.id, Post.thread_ts).where(
            Post.team_id == team_id, Post.channel_id == channel_id, Post.ts == ts
        )
    ).first()
    if row is None:
        return False
    post_id, thread_ts = row
    # Explicit deletes: SQLite only cascades when its foreign_keys pragma is on.
    for model in (PostTag, Mention, Reaction):
        session.execute(delete(model).where(model.post_id == post_id))
    session.execute(delete(Post).where(Post.id == post_id))
    session.execute(
        delete(Permalink).where(
            Permalink.team_id == team_id, Permalink.channel_id == channel_id, Permalink.ts == ts
        )
    )
    if thread_ts and thread_ts != ts:
        _refresh_reply_count(session, team_id, channel_id, thread_ts)
    return True


def set_reaction(
    *,
    session: Session,
    team_id: str,
    channel_id: str,
    ts: str,
    user_id: str,
    name: str,
    present: bool,
) -> bool:
    """Add (``present``) or remove one person's reaction on a stored post.

    Reactions on messages Kring did not record (private channels, bots) are ignored, and so
    are new reactions by people who opted out or were forgotten (a removal is always applied:
    it only takes away what Kring holds). Returns True when the reaction was applied.
    """
    post_id = _post_id(session, team_id, channel_id, ts)
    if post_id is None:
        return False
    if present and is_unrecorded(session=session, team_id=team_id, user_ids=[user_id]):
        return False
    if present:
        session.execute(
            insert_ignore(session, Reaction).values(
                post_id=post_id, user_id=user_id, name=name, team_id=team_id
            )
        )
    else:
        session.execute(
            delete(Reaction).where(
                and_(
                    Reaction.post_id == post_id, Reaction.user_id == user_id, Reaction.name == name
                )
            )
        )
    _refresh_reaction_counts(session, post_id)
    return True


def get_post(*, session: Session, team_id: str, channel_id: str, ts: str) -> Post | None:
    """One stored post, or None."""
    return session.scalars(
        select(Post).where(Post.team_id == team_id, Post.channel_id == channel_id, Post.ts == ts)
    ).first()


def tags_of(*, session: Session, post_ids: Iterable[int]) -> dict[int, list[str]]:
    """The tags of each post, sorted."""
    ids = sorted(set(post_ids))
    out: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        rows = session.execute(
            select(PostTag.post_id, PostTag.tag)
            .where(PostTag.post_id.in_(ids))
            .order_by(PostTag.post_id, PostTag.tag)
        )
        for pid, tag in rows:
            out[pid].append(tag)
    return out


def mentions_of(*, session: Session, post_ids: Iterable[int]) -> dict[int, list[str]]:
    """The people mentioned in each post, sorted."""
    ids = sorted(set(post_ids))
    out: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        rows = session.execute(
            select(Mention.post_id, Mention.user_id)
            .where(Mention.post_id.in_(ids))
            .order_by(Mention.post_id, Mention.user_id)
        )
        for pid, uid in rows:
            out[pid].append(uid)
    return out


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
        _refresh_reply_count(session, team_id, channel_id, parent_ts)
    return [
        key in stored and wanted.get(key) is post for post, key in zip(posts, keys, strict=True)
    ]
