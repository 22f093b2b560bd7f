"""Posts, their tags, mentions and reactions: written idempotently, so Slack's retries are safe.

New posts follow one set of rules, applied in Python by :func:`record_posts` (an edit of a post
Kring never saw goes through it too): a post is stored unless it is stored already (a retried or
duplicated event), was deleted in Slack before its event arrived, its channel left Kring's
public view, or its author opted out, was forgotten or is a bot by their Slack profile; mentions of people who opted out or were forgotten are left out; everyone seen gets a
row in ``people`` (the profile is fetched later); a reply counts on its thread's parent, and a
share or link of another message (a :class:`Ref`) on that message's reference count.

A batch of posts costs one statement per table whatever its size: the same SQLAlchemy Core
statements on SQLite and PostgreSQL, multi-row ``INSERT … ON CONFLICT DO NOTHING`` where rows
are written (``RETURNING`` the posts that were new).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    delete,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased

from storage.db import _insert_ignore, insert_ignore
from storage.models import (
    Base,
    ClosedChannel,
    DeletedMessage,
    Mention,
    Permalink,
    Person,
    Post,
    PostTag,
    Reaction,
    Reference,
)
from storage.privacy import is_unrecorded
from storage.references import count_references, delete_references

Key = tuple[str, str, str]  # team, channel, ts
Pair = tuple[str, str]  # team, user


@dataclass(frozen=True)
class Ref:
    """Another Slack message a post shares, quotes or links to; its author when the share
    says."""

    channel_id: str
    ts: str
    author_id: str | None = None


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
    refs: tuple[Ref, ...] = ()

    @property
    def key(self) -> Key:
        return (self.team_id, self.channel_id, self.ts)


def ts_to_datetime(ts: str) -> datetime:
    """A Slack message timestamp (``"1700000000.000100"``) as an aware UTC datetime."""
    return datetime.fromtimestamp(float(ts), tz=UTC)


def _post_id(session: Session, team_id: str, channel_id: str, ts: str) -> int | None:
    return session.scalar(
        select(Post.id).where(Post.team_id == team_id, Post.channel_id == channel_id, Post.ts == ts)
    )


# -- the rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Statements:
    """The statements of the ingest path, built once per dialect (so SQLAlchemy finds each in
    its compiled cache without building it and working out its cache key again)."""

    known: Any  # what the rules need to know: see _Batch.known
    new_people: Any
    posts: Any  # returns (team, channel, ts, id) of each post inserted
    tags: Any
    mentions: Any
    replies: Any  # sets the reply count of the parents named
    references: Any
    reference_authors: Any  # fills the authors the shares did not name from stored originals


def _insert_many(dialect: str, model: type[Base]) -> Any:
    """INSERT … ON CONFLICT DO NOTHING for a list of rows. On PostgreSQL with RETURNING (the
    rows returned go unread): SQLAlchemy then sends the rows as one multi-row statement instead
    of through psycopg's executemany, which cost about a third more CPU. On SQLite the driver's
    executemany is the cheaper of the two."""
    statement = _insert_ignore(dialect, model)
    if dialect == "postgresql":
        table: Any = model.__table__
        return statement.returning(*table.primary_key)
    return statement


@functools.cache
def _statements(dialect: str) -> _Statements:
    reply = aliased(Post)
    person = (Person.team_id, Person.user_id)
    message = (DeletedMessage.team_id, DeletedMessage.channel_id, DeletedMessage.ts)
    return _Statements(
        known=union_all(
            select(
                literal("person"),
                *person,
                null(),
                or_(Person.opted_out, Person.forgotten),
                func.coalesce(Person.is_bot, false()),
            ).where(tuple_(*person).in_(bindparam("people", expanding=True))),
            select(literal("deleted"), *message, true(), false()).where(
                tuple_(*message).in_(bindparam("messages", expanding=True))
            ),
            # Messages of the batch that were shared before they were stored (a history import
            # reads newest first): their counts and the shares' authors are filled in below.
            select(
                literal("referenced"),
                Reference.team_id,
                Reference.channel_id,
                Reference.ts,
                true(),
                false(),
            ).where(
                tuple_(Reference.team_id, Reference.channel_id, Reference.ts).in_(
                    bindparam("referenced", expanding=True)
                )
            ),
            select(
                literal("closed"),
                ClosedChannel.team_id,
                ClosedChannel.channel_id,
                null(),
                true(),
                false(),
            ).where(
                tuple_(ClosedChannel.team_id, ClosedChannel.channel_id).in_(
                    bindparam("channels", expanding=True)
                )
            ),
        ),
        new_people=_insert_many(dialect, Person),
        posts=_insert_ignore(dialect, Post).returning(
            Post.team_id, Post.channel_id, Post.ts, Post.id
        ),
        tags=_insert_many(dialect, PostTag),
        references=_insert_many(dialect, Reference),
        reference_authors=update(Reference)
        .where(
            Reference.author_id.is_(None),
            tuple_(Reference.team_id, Reference.channel_id, Reference.ts).in_(
                bindparam("messages", expanding=True)
            ),
        )
        .values(
            author_id=select(Post.user_id)
            .where(
                Post.team_id == Reference.team_id,
                Post.channel_id == Reference.channel_id,
                Post.ts == Reference.ts,
            )
            .scalar_subquery()
        ),
        mentions=_insert_many(dialect, Mention),
        replies=update(Post)
        .where(
            tuple_(Post.team_id, Post.channel_id, Post.ts).in_(bindparam("parents", expanding=True))
        )
        .values(
            reply_count=select(func.count())
            .select_from(reply)
            .where(
                reply.team_id == Post.team_id,
                reply.channel_id == Post.channel_id,
                reply.thread_ts == Post.ts,
                reply.ts != Post.ts,
            )
            .scalar_subquery()
        ),
    )


@dataclass
class Known:
    """What one read found out about a batch (see :meth:`_Batch.known`)."""

    unrecorded: set[Pair] = field(default_factory=set)  # opted out or forgotten
    bots: set[Pair] = field(default_factory=set)  # bots by their Slack profile
    deleted: set[Key] = field(default_factory=set)  # deleted in Slack before their event
    closed: set[Pair] = field(default_factory=set)  # (team, channel) out of the public view
    referenced: set[Key] = field(default_factory=set)  # shared before this event arrived

    def refuses(self, post: NewPost) -> bool:
        """Whether ``post`` may not be stored: deleted first, its channel closed, or its
        author opted out, forgotten or a bot."""
        author = (post.team_id, post.user_id)
        return (
            post.key in self.deleted
            or (post.team_id, post.channel_id) in self.closed
            or author in self.unrecorded
            or author in self.bots
        )


class _Batch:
    """The statements of one batch, on the caller's connection and in its transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.sql = _statements(conn.dialect.name)

    def known(self, posts: Iterable[NewPost]) -> Known:
        """What the rules need to know, in one read: of the people ``posts`` name (authors and
        people mentioned), those Kring must not record (opted out or forgotten) and those Slack
        describes as bots; of the posts, the messages deleted in Slack before their event
        arrived (see :func:`delete_post`) and the channels that left Kring's public view (see
        :func:`storage.channels.close_channel`).

        Everyone named has a ``people`` row afterwards (the profile is fetched later); rows
        that existed are left as they are."""
        people = {(p.team_id, uid) for p in posts for uid in (p.user_id, *p.mentions)}
        messages = sorted({p.key for p in posts})
        channels = sorted({(p.team_id, p.channel_id) for p in posts})
        rows = self.conn.execute(
            self.sql.known,
            {
                "people": sorted(people),
                "messages": messages,
                "referenced": messages,
                "channels": channels,
            },
        ).all()
        known = Known()
        found: set[Pair] = set()
        for kind, team_id, key, ts, flag, bot in rows:
            if kind == "person":
                found.add((team_id, key))
                if flag:
                    known.unrecorded.add((team_id, key))
                if bot:
                    known.bots.add((team_id, key))
            elif kind == "deleted":
                known.deleted.add((team_id, key, ts))
            elif kind == "referenced":
                known.referenced.add((team_id, key, ts))
            else:
                known.closed.add((team_id, key))
        missing = people - found
        if missing:
            self.conn.execute(
                self.sql.new_people,
                [{"team_id": team_id, "user_id": user_id} for team_id, user_id in sorted(missing)],
            )
        return known

    def insert_posts(self, posts: Sequence[NewPost]) -> dict[Key, int]:
        """Insert the posts not stored yet; the key and new id of each one inserted."""
        if not posts:
            return {}
        inserted = self.conn.execute(self.sql.posts, [_post_row(post) for post in posts])
        return {(team, channel, ts): post_id for team, channel, ts, post_id in inserted}

    def tags_and_mentions(
        self, stored: Sequence[tuple[int, NewPost]], unrecorded: set[Pair]
    ) -> None:
        """The tags and mentions of posts stored under the given ids (neither the author nor
        people not to record are mentions)."""
        tags = [
            {
                "post_id": post_id,
                "tag": tag,
                "team_id": post.team_id,
                "posted_at": posted_at,
                "user_id": post.user_id,
            }
            for post_id, post in stored
            for posted_at in (ts_to_datetime(post.ts),)
            for tag in sorted(post.tags)
        ]
        if tags:
            self.conn.execute(self.sql.tags, tags)
        mentions = [
            {"post_id": post_id, "user_id": user_id, "team_id": post.team_id}
            for post_id, post in stored
            for user_id in sorted(post.mentions - {post.user_id})
            if (post.team_id, user_id) not in unrecorded
        ]
        if mentions:
            self.conn.execute(self.sql.mentions, mentions)

    def references(self, stored: Sequence[tuple[int, NewPost]], recount: set[Key]) -> None:
        """The references of posts stored under the given ids (a post never references
        itself), then the reference counts (and the authors shares did not name) of what they
        reference and of the messages ``recount``."""
        rows = {
            (post_id, ref.channel_id, ref.ts): {
                "post_id": post_id,
                "channel_id": ref.channel_id,
                "ts": ref.ts,
                "team_id": post.team_id,
                "user_id": post.user_id,
                "author_id": ref.author_id,
                "shared_at": ts_to_datetime(post.ts),
            }
            for post_id, post in stored
            for ref in post.refs
            if (ref.channel_id, ref.ts) != (post.channel_id, post.ts)
        }
        if rows:
            self.conn.execute(self.sql.references, list(rows.values()))
        teams = {post_id: post.team_id for post_id, post in stored}
        messages = {(teams[pid], channel, ts) for pid, channel, ts in rows} | recount
        if messages:
            # Authors the shares did not name, from the originals stored (now or before).
            self.conn.execute(self.sql.reference_authors, {"messages": sorted(messages)})
        count_references(connection=self.conn, messages=messages)

    def count_replies(self, parents: set[Key]) -> None:
        """Set each thread parent's reply count from the replies stored (parents not stored
        are left alone)."""
        if parents:
            self.conn.execute(self.sql.replies, {"parents": sorted(parents)})


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
        "reference_count": 0,
    }


def _parent(post: NewPost) -> Key | None:
    if post.thread_ts and post.thread_ts != post.ts:
        return (post.team_id, post.channel_id, post.thread_ts)
    return None


# -- writing -----------------------------------------------------------------------------------


def record_posts(*, session: Session, posts: Sequence[NewPost]) -> list[bool]:
    """Store new posts with their tags and mentions; True for each post stored now.

    A post is skipped (False) when it is already stored (a retried or duplicated event, or the
    same message twice in ``posts``), was deleted in Slack before this event arrived, its
    channel left Kring's public view (:func:`storage.channels.close_channel`), or its author
    opted out, was forgotten or is a bot by their Slack profile. Mentions of people who opted out or were forgotten are
    not recorded. Everyone seen gets a row in ``people``, even for a post skipped; rows that
    exist are left as they are. The references of the posts stored are stored once each (see
    :class:`storage.models.Reference`) and counted on the messages they reference.
    """
    return write_posts(connection=session.connection(), posts=posts)


def write_posts(*, connection: Connection, posts: Sequence[NewPost]) -> list[bool]:
    """:func:`record_posts` in the transaction of a Connection rather than a Session: for the
    post writer, which keeps a connection of its own (a Session's begin and commit, and a pool
    check-out per batch, added about a fifth to the CPU of storing a batch)."""
    if not posts:
        return []
    wanted: dict[Key, NewPost] = {}
    for post in posts:
        wanted.setdefault(post.key, post)
    batch = _Batch(connection)
    known = batch.known(wanted.values())
    new = [post for post in wanted.values() if not known.refuses(post)]
    ids = batch.insert_posts(new)
    stored = [(ids[post.key], post) for post in new if post.key in ids]
    batch.tags_and_mentions(stored, known.unrecorded)
    batch.count_replies({parent for _, post in stored if (parent := _parent(post))})
    batch.references(
        [(post_id, post) for post_id, post in stored if post.refs],
        {key for key in known.referenced if key in ids},
    )
    return [post.key in ids and wanted[post.key] is post for post in posts]


def record_post(*, session: Session, post: NewPost) -> bool:
    """Store one new post with its tags and mentions (see :func:`record_posts`)."""
    return record_posts(session=session, posts=[post])[0]


def edit_post(*, session: Session, post: NewPost) -> bool:
    """Replace a stored post's text, tags, mentions, links and files with an edited version.

    A post Kring never saw (edited before Kring was invited, say) is recorded as new, by the
    rules of :func:`record_posts`. Returns True when something was stored; an edit by someone
    who opted out or was forgotten changes nothing (what was stored before they opted out stays
    as it was).
    """
    post_id = _post_id(session, post.team_id, post.channel_id, post.ts)
    if post_id is None:
        return record_post(session=session, post=post)
    batch = _Batch(session.connection())
    known = batch.known([post])
    author = (post.team_id, post.user_id)
    if author in known.unrecorded or author in known.bots:
        return False
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
    batch.tags_and_mentions([(post_id, post)], known.unrecorded)
    # An unfurl arrives as an edit: the references are replaced like the tags.
    before = delete_references(session=session, where=Post.id == post_id)
    batch.references([(post_id, post)], before)
    return True


def delete_post(*, session: Session, team_id: str, channel_id: str, ts: str, now: datetime) -> bool:
    """Remove a message deleted in Slack, with its tags, mentions, reactions, references and
    permalink (the messages it referenced are recounted).

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
    referenced = delete_references(session=session, where=Post.id == post_id)
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
        _Batch(session.connection()).count_replies({(team_id, channel_id, thread_ts)})
    count_references(connection=session.connection(), messages=referenced)
    return True


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


def posts_by_id(*, session: Session, team_id: str, post_ids: Iterable[int]) -> dict[int, Post]:
    """The stored posts of ``team_id`` with these ids, by id (ids no longer stored are left
    out)."""
    ids = sorted(set(post_ids))
    if not ids:
        return {}
    found = session.scalars(select(Post).where(Post.team_id == team_id, Post.id.in_(ids)))
    return {post.id: post for post in found}


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
