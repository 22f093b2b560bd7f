"""Posts, their tags, mentions and reactions: written idempotently, so Slack's retries are safe."""

from __future__ import annotations

import functools
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Dialect,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from storage import sqlite_ingest
from storage.db import _insert_ignore, insert_ignore
from storage.models import (
    ClosedChannel,
    DeletedMessage,
    Mention,
    Permalink,
    Person,
    Post,
    PostTag,
    Reaction,
)
from storage.people import ensure_known
from storage.prepared import Params, Prepared, dbapi_cursor, prepared
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
        session.execute(
            _reply_count_update(),
            {"parent_team": team_id, "parent_channel": channel_id, "parent_ts": thread_ts},
            # Nothing in this session holds the parent: no need to look it up to refresh it.
            execution_options={"synchronize_session": False},
        )
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

# Every column a new post row gets, in the model's order (the id is the database's).
_POST_COLUMNS = tuple(c.name for c in Post.__table__.columns if c.name != "id")


def _param(table: Any, name: str) -> Any:
    # Typed, so that PostgreSQL's dialect writes the type next to the parameter
    # (``%s::TIMESTAMP WITH TIME ZONE``): in a multi-row ``SELECT … UNION ALL SELECT …`` an
    # untyped parameter would be taken for text before it meets its column.
    return bindparam(name, type_=table.c[name].type)


def _unrecorded_person(user_param: str, *, or_bot: bool = False) -> Any:
    """EXISTS: the person ``user_param`` names opted out or was forgotten (``or_bot``: or is
    a bot by their Slack profile, for authors)."""
    flags = [Person.opted_out, Person.forgotten, *([Person.is_bot] if or_bot else [])]
    return (
        select(Person.user_id)
        .where(
            Person.team_id == bindparam("team_id"),
            Person.user_id == bindparam(user_param),
            or_(*flags),
        )
        .exists()
    )


def _post_insert(dialect: str) -> Any:
    """INSERT one post unless it is stored already, was deleted in Slack before this event
    arrived, its channel left Kring's public view (``closed_channels``), or its author opted
    out, was forgotten or is a bot by their profile: the checks ride along in the statement,
    so storing a post needs no read first. It returns the key and new id of each row it
    stored, so a batch of posts is one statement (see :class:`storage.prepared.Prepared`)."""
    table: Any = Post.__table__
    deleted = (
        select(DeletedMessage.ts)
        .where(
            DeletedMessage.team_id == bindparam("team_id"),
            DeletedMessage.channel_id == bindparam("channel_id"),
            DeletedMessage.ts == bindparam("ts"),
        )
        .exists()
    )
    closed = (
        select(ClosedChannel.channel_id)
        .where(
            ClosedChannel.team_id == bindparam("team_id"),
            ClosedChannel.channel_id == bindparam("channel_id"),
        )
        .exists()
    )
    source = select(*(_param(table, name) for name in _POST_COLUMNS)).where(
        ~deleted, ~closed, ~_unrecorded_person("user_id", or_bot=True)
    )
    stmt: Any = _insert_ignore(dialect, Post).from_select(list(_POST_COLUMNS), source)
    return stmt.returning(Post.team_id, Post.channel_id, Post.ts, Post.id)


def _mention_insert(dialect: str) -> Any:
    """INSERT one mention unless the person mentioned opted out or was forgotten."""
    table: Any = Mention.__table__
    names = ("post_id", "user_id", "team_id")
    source = select(*(_param(table, name) for name in names)).where(~_unrecorded_person("user_id"))
    return _insert_ignore(dialect, Mention).from_select(list(names), source)


@functools.cache
def _reply_count_update() -> Any:
    """Set a thread parent's reply count from the replies stored."""
    replies = (
        select(func.count())
        .where(
            Post.team_id == bindparam("parent_team"),
            Post.channel_id == bindparam("parent_channel"),
            Post.thread_ts == bindparam("parent_ts"),
            Post.ts != bindparam("parent_ts"),
        )
        .scalar_subquery()
    )
    return (
        update(Post)
        .where(
            Post.team_id == bindparam("parent_team"),
            Post.channel_id == bindparam("parent_channel"),
            Post.ts == bindparam("parent_ts"),
        )
        .values(reply_count=replies)
    )


def _column_defaults(model: type[Any]) -> dict[str, object]:
    """Each column's scalar Python default (None without one): a full row for a raw INSERT."""
    out: dict[str, object] = {}
    for column in model.__table__.c:
        default = column.default
        out[column.key] = default.arg if default is not None and default.is_scalar else None
    return out


_PERSON_ROW = _column_defaults(Person)


@dataclass(frozen=True)
class _Statements:
    posts: Prepared
    tags: Prepared
    mentions: Prepared
    replies: Prepared


def _statements(dialect: Dialect) -> _Statements:
    name = dialect.name
    return _Statements(
        posts=prepared("posts.insert", dialect, lambda: _post_insert(name)),
        tags=prepared("post_tags.insert", dialect, lambda: _insert_ignore(name, PostTag)),
        mentions=prepared("mentions.insert", dialect, lambda: _mention_insert(name)),
        replies=prepared("posts.reply_count", dialect, _reply_count_update),
    )


def record_posts(
    *,
    session: Session,
    posts: Sequence[NewPost],
    known_people: Container[tuple[str, str]] = frozenset(),
    new_people: set[tuple[str, str]] | None = None,
) -> list[bool]:
    """Store new posts with their tags and mentions; True for each post stored now.

    A post is skipped (False) when it is already stored (a retried or duplicated event), was
    deleted in Slack before this event arrived, its channel is closed (see
    :func:`storage.channels.close_channel`), or its author opted out or is a bot. Mentions of people who
    opted out are not recorded.

    Everyone seen gets a row in ``people`` (the profile is fetched later). ``known_people``
    are (team, user) pairs the caller knows to have a row already (rows are never deleted), so
    they are not written again; the pairs this call wrote are added to ``new_people``, for the
    caller to remember once the transaction committed.

    The statements run on the session's DBAPI cursor, in the session's transaction (see
    :func:`write_posts`).
    """
    if not posts:
        return []
    with dbapi_cursor(session) as cursor:
        return write_posts(
            cursor=cursor,
            dialect=session.get_bind().dialect,
            posts=posts,
            known_people=known_people,
            new_people=new_people,
        )


def write_posts(
    *,
    cursor: Any,
    dialect: Dialect,
    posts: Sequence[NewPost],
    known_people: Container[tuple[str, str]] = frozenset(),
    new_people: set[tuple[str, str]] | None = None,
    report: bool = True,
) -> list[bool]:
    """:func:`record_posts` on a DBAPI cursor, inside the caller's transaction.

    The hot path of ingest, for the post writer (which owns a connection and its
    transactions): every statement is prepared once (:mod:`storage.prepared`) and a batch
    costs one multi-row statement per table whatever its size, on SQLite one statement in all
    (:mod:`storage.sqlite_ingest`). Without ``report`` the outcome of each post is not read
    back (the writer needs none) and the list is empty.
    """
    if not posts:
        return []
    wanted: dict[Key, NewPost] = {}
    for post in posts:
        wanted.setdefault((post.team_id, post.channel_id, post.ts), post)
    # Everyone seen gets a person row (profile fetched later); existing rows stay as they
    # are, so this also leaves people who opted out or were forgotten alone.
    people: dict[tuple[str, str], None] = {}
    for post in wanted.values():
        for uid in (post.user_id, *post.mentions):
            pair = (post.team_id, uid)
            if pair not in known_people:
                people.setdefault(pair)
    if dialect.name == "sqlite":
        stored = _write_sqlite(cursor, dialect, wanted, report=report)
    else:
        stored = _write_returning(cursor, dialect, wanted)
    person_sql = prepared("people.insert", dialect, lambda: _insert_ignore(dialect.name, Person))
    person_sql.execute_many(
        cursor,
        [
            person_sql.params({**_PERSON_ROW, "team_id": team_id, "user_id": uid})
            for team_id, uid in sorted(people)
        ],
    )
    if new_people is not None:
        new_people.update(people)
    if stored is None:
        return []
    return [
        (key := (post.team_id, post.channel_id, post.ts)) in stored and wanted[key] is post
        for post in posts
    ]


def _post_row(post: NewPost) -> dict[str, Any]:
    """The columns of a new post row."""
    return {
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


def _write_sqlite(
    cursor: Any, dialect: Dialect, wanted: dict[Key, NewPost], *, report: bool
) -> set[Key] | None:
    rows = [
        {
            **_post_row(post),
            "tags": sorted(post.tags),
            "mentions": sorted(post.mentions - {post.user_id}),
            "report": report,
        }
        for post in wanted.values()
    ]
    return sqlite_ingest.write(cursor, dialect, rows, report=report)


def _write_returning(cursor: Any, dialect: Dialect, wanted: dict[Key, NewPost]) -> set[Key]:
    """Posts first (the database says which it stored, with their ids), then their tags,
    mentions and thread parents' reply counts."""
    sql = _statements(dialect)
    rows = [sql.posts.params(_post_row(post)) for post in wanted.values()]
    ids: dict[Key, int] = {
        (team_id, channel_id, ts): int(post_id)
        for team_id, channel_id, ts, post_id in sql.posts.returned(cursor, rows)
    }
    tag_rows: list[Params] = []
    mention_rows: list[Params] = []
    parents: set[Key] = set()
    for key, post in wanted.items():
        post_id = ids.get(key)
        if post_id is None:
            continue
        posted_at = ts_to_datetime(post.ts)
        tag_rows += [
            sql.tags.params(
                {"post_id": post_id, "tag": tag, "team_id": post.team_id, "posted_at": posted_at}
            )
            for tag in sorted(post.tags)
        ]
        mention_rows += [
            sql.mentions.params({"post_id": post_id, "user_id": uid, "team_id": post.team_id})
            for uid in sorted(post.mentions - {post.user_id})
        ]
        if post.thread_ts and post.thread_ts != post.ts:
            parents.add((post.team_id, post.channel_id, post.thread_ts))
    sql.tags.execute_many(cursor, tag_rows)
    sql.mentions.execute_many(cursor, mention_rows)
    sql.replies.execute_many(
        cursor,
        [
            sql.replies.params({"parent_team": team, "parent_channel": channel, "parent_ts": ts})
            for team, channel, ts in sorted(parents)
        ],
    )
    return set(ids)
