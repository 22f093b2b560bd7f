"""People's control over their data: opting out, exporting it, and being forgotten."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Delete,
    Select,
    and_,
    delete,
    func,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session, aliased

from storage.models import (
    DigestDelivery,
    DigestSetting,
    Follow,
    Mention,
    Mute,
    Permalink,
    Person,
    Post,
    PostTag,
    Reaction,
    Reference,
)
from storage.references import count_references, referenced_by
from storage.visibility import shown_person, visible_post

EXPORT_FORMAT = 1


def set_opted_out(
    *, session: Session, team_id: str, user_id: str, opted_out: bool, now: datetime
) -> bool:
    """Stop (``opted_out``) or resume recording a person's posts, reactions and mentions.

    Creates the person's row when Kring never saw them. Opting in also lifts the "forgotten"
    marker, and the profile is fetched from Slack again on next use. Returns True when this
    changed something (False: they were already opted out, or already being recorded).
    ``now`` is accepted like every other write; the flags themselves carry no time.
    """
    del now
    person = session.get(Person, (team_id, user_id))
    if person is None:
        person = Person(team_id=team_id, user_id=user_id, opted_out=False, forgotten=False)
        session.add(person)
    changed = bool(person.opted_out) != opted_out or (not opted_out and bool(person.forgotten))
    if not opted_out and person.forgotten:
        person.fetched_at = None  # the marker holds no profile: fetch it again
    person.opted_out = opted_out
    if not opted_out:
        person.forgotten = False
    session.flush()
    return changed


def is_unrecorded(*, session: Session, team_id: str, user_ids: Iterable[str]) -> set[str]:
    """Which of ``user_ids`` Kring must not record: opted out or forgotten (one small query)."""
    ids = sorted(set(user_ids))
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Person.user_id).where(
                Person.team_id == team_id,
                Person.user_id.in_(ids),
                or_(Person.opted_out.is_(True), Person.forgotten.is_(True)),
            )
        )
    )


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def export(*, session: Session, team_id: str, user_id: str) -> dict[str, Any]:
    """Everything Kring holds about one person, as JSON-serialisable plain values.

    Profile, posts (with tags, mentions, links, files, reaction counts and cached permalink),
    the reactions they gave, posts that mention them, whom they follow and who follows them,
    their mutes, digest settings (None: the defaults) and digest history. Who muted *them* is
    left out: that belongs to the people who did it. Of other people only what
    :mod:`storage.visibility` lets anyone see: the place (channel, ts, author) of visible posts
    that mention them, never their text, and followers who are shown.
    """
    person = session.get(Person, (team_id, user_id))
    return {
        "format": EXPORT_FORMAT,
        "team_id": team_id,
        "user_id": user_id,
        "profile": _profile(person),
        "posts": _posts(session=session, team_id=team_id, user_id=user_id),
        "reactions_given": _reactions_given(session=session, team_id=team_id, user_id=user_id),
        "mentioned_in": _mentioned_in(session=session, team_id=team_id, user_id=user_id),
        "references_made": _references_made(session=session, team_id=team_id, user_id=user_id),
        "following": _following(session=session, team_id=team_id, user_id=user_id),
        "followers": _followers(session=session, team_id=team_id, user_id=user_id),
        "mutes": _mutes(session=session, team_id=team_id, user_id=user_id),
        "digest_settings": _digest_settings(session=session, team_id=team_id, user_id=user_id),
        "digest_deliveries": _deliveries(session=session, team_id=team_id, user_id=user_id),
    }


def _theirs(team_id: str, user_id: str) -> ColumnElement[bool]:
    return and_(Post.team_id == team_id, Post.user_id == user_id)


def _posts(*, session: Session, team_id: str, user_id: str) -> list[dict[str, Any]]:
    """Their posts, oldest first, each with its tags, mentions, reactions and permalink."""
    tags = _tags_by_post(session=session, team_id=team_id, user_id=user_id)
    mentioned = _mentions_by_post(session=session, team_id=team_id, user_id=user_id)
    by_emoji = _reactions_by_post(session=session, team_id=team_id, user_id=user_id)
    links = _permalinks(session=session, team_id=team_id, user_id=user_id)
    theirs = _theirs(team_id, user_id)
    return [
        {
            "channel_id": p.channel_id,
            "ts": p.ts,
            "thread_ts": p.thread_ts,
            "is_broadcast": p.is_broadcast,
            "text": p.text,
            "posted_at": _iso(p.posted_at),
            "edited_at": _iso(p.edited_at),
            "tags": tags.get(p.id, []),
            "mentions": mentioned.get(p.id, []),
            "links": list(p.links or []),
            "files": list(p.files or []),
            "reaction_count": p.reaction_count,
            "reactor_count": p.reactor_count,
            "reply_count": p.reply_count,
            "reference_count": p.reference_count,
            "reactions": by_emoji.get(p.id, {}),
            "permalink": links.get((p.channel_id, p.ts)),
        }
        for p in session.scalars(select(Post).where(theirs).order_by(Post.posted_at, Post.id))
    ]


def _tags_by_post(*, session: Session, team_id: str, user_id: str) -> dict[int, list[str]]:
    """The tags of each of their posts, by post id."""
    tags: dict[int, list[str]] = defaultdict(list)
    for pid, tag in session.execute(
        select(PostTag.post_id, PostTag.tag)
        .join(Post, Post.id == PostTag.post_id)
        .where(_theirs(team_id, user_id))
        .order_by(PostTag.post_id, PostTag.tag)
    ):
        tags[pid].append(tag)
    return tags


def _mentions_by_post(*, session: Session, team_id: str, user_id: str) -> dict[int, list[str]]:
    """Whom each of their posts mentions, by post id."""
    mentioned: dict[int, list[str]] = defaultdict(list)
    for pid, uid in session.execute(
        select(Mention.post_id, Mention.user_id)
        .join(Post, Post.id == Mention.post_id)
        .where(_theirs(team_id, user_id))
        .order_by(Mention.post_id, Mention.user_id)
    ):
        mentioned[pid].append(uid)
    return mentioned


def _reactions_by_post(
    *, session: Session, team_id: str, user_id: str
) -> dict[int, dict[str, int]]:
    """How often each emoji was given to each of their posts, by post id."""
    by_emoji: dict[int, dict[str, int]] = defaultdict(dict)
    for pid, name, n in session.execute(
        select(Reaction.post_id, Reaction.name, func.count())
        .join(Post, Post.id == Reaction.post_id)
        .where(_theirs(team_id, user_id))
        .group_by(Reaction.post_id, Reaction.name)
        .order_by(Reaction.post_id, Reaction.name)
    ):
        by_emoji[pid][name] = int(n)
    return by_emoji


def _permalinks(*, session: Session, team_id: str, user_id: str) -> dict[tuple[str, str], str]:
    """The cached permalinks of their posts, by (channel, ts)."""
    return {
        (channel, ts): url
        for channel, ts, url in session.execute(
            select(Permalink.channel_id, Permalink.ts, Permalink.url)
            .join(
                Post,
                and_(
                    Post.team_id == Permalink.team_id,
                    Post.channel_id == Permalink.channel_id,
                    Post.ts == Permalink.ts,
                ),
            )
            .where(_theirs(team_id, user_id))
        )
    }


def _reactions_given(*, session: Session, team_id: str, user_id: str) -> list[dict[str, Any]]:
    """The reactions they gave, with where, in the order of the posts."""
    return [
        {"channel_id": channel, "ts": ts, "reaction": name}
        for channel, ts, name in session.execute(
            select(Post.channel_id, Post.ts, Reaction.name)
            .select_from(Reaction)
            .join(Post, Post.id == Reaction.post_id)
            .where(Reaction.team_id == team_id, Reaction.user_id == user_id)
            .order_by(Post.posted_at, Post.id, Reaction.name)
        )
    ]


def _mentioned_in(*, session: Session, team_id: str, user_id: str) -> list[dict[str, Any]]:
    """The place of each post that mentions them, oldest first."""
    # Others' posts that mention them: only those anyone may see (storage.visibility), and
    # only where they are, never what they say.
    return [
        {"channel_id": channel, "ts": ts, "author_id": author, "posted_at": _iso(posted)}
        for channel, ts, author, posted in session.execute(
            select(Post.channel_id, Post.ts, Post.user_id, Post.posted_at)
            .select_from(Mention)
            .join(Post, Post.id == Mention.post_id)
            .where(
                Mention.team_id == team_id,
                Mention.user_id == user_id,
                or_(Post.user_id == user_id, visible_post(team_id, Post)),
            )
            .order_by(Post.posted_at, Post.id)
        )
    ]


def _references_made(*, session: Session, team_id: str, user_id: str) -> list[dict[str, Any]]:
    """The messages their posts shared or linked, in the order of the posts."""
    return [
        {
            "channel_id": channel,
            "ts": ts,
            "referenced_channel_id": ref_channel,
            "referenced_ts": ref_ts,
            "referenced_author_id": author,
        }
        for channel, ts, ref_channel, ref_ts, author in session.execute(
            select(
                Post.channel_id, Post.ts, Reference.channel_id, Reference.ts, Reference.author_id
            )
            .select_from(Reference)
            .join(Post, Post.id == Reference.post_id)
            .where(Reference.team_id == team_id, Reference.user_id == user_id)
            .order_by(Post.posted_at, Post.id, Reference.channel_id, Reference.ts)
        )
    ]


def _following(*, session: Session, team_id: str, user_id: str) -> list[dict[str, Any]]:
    """Whom and what they follow, and since when."""
    return [
        {"kind": kind, "target": target, "since": _iso(created)}
        for kind, target, created in session.execute(
            select(Follow.kind, Follow.target, Follow.created_at)
            .where(Follow.team_id == team_id, Follow.follower_id == user_id)
            .order_by(Follow.kind, Follow.target)
        )
    ]


def _followers(*, session: Session, team_id: str, user_id: str) -> list[dict[str, Any]]:
    """Who follows them, and since when."""
    return [
        {"user_id": follower, "since": _iso(created)}
        for follower, created in session.execute(
            select(Follow.follower_id, Follow.created_at)
            .where(
                Follow.team_id == team_id,
                Follow.kind == "person",
                Follow.target == user_id,
                # Someone who opted out or was forgotten is not named to anyone.
                shown_person(team_id, Follow.follower_id),
            )
            .order_by(Follow.follower_id)
        )
    ]


def _mutes(*, session: Session, team_id: str, user_id: str) -> list[dict[str, Any]]:
    """Whom and what they muted, and since when."""
    return [
        {"kind": kind, "target": target, "since": _iso(created)}
        for kind, target, created in session.execute(
            select(Mute.kind, Mute.target, Mute.created_at)
            .where(Mute.team_id == team_id, Mute.user_id == user_id)
            .order_by(Mute.kind, Mute.target)
        )
    ]


def _digest_settings(*, session: Session, team_id: str, user_id: str) -> dict[str, Any] | None:
    """Their digest settings; None when they use the defaults."""
    setting = session.get(DigestSetting, (team_id, user_id))
    if setting is None:
        return None
    return {
        "minute_of_day": setting.minute_of_day,
        "frequency": setting.frequency,
        "weekday": setting.weekday,
        "updated_at": _iso(setting.updated_at),
    }


def _deliveries(*, session: Session, team_id: str, user_id: str) -> list[dict[str, Any]]:
    """Their digest history, oldest first."""
    return [
        {
            "local_date": _iso(d.local_date),
            "status": d.status,
            "attempts": d.attempts,
            "claimed_at": _iso(d.claimed_at),
            "covered_from": _iso(d.covered_from),
            "covered_to": _iso(d.covered_to),
            "sent_at": _iso(d.sent_at),
            "post_count": d.post_count,
            "channel_id": d.channel_id,
            "message_ts": d.message_ts,
            "error": d.error,
        }
        for d in session.scalars(
            select(DigestDelivery)
            .where(DigestDelivery.team_id == team_id, DigestDelivery.user_id == user_id)
            .order_by(DigestDelivery.local_date, DigestDelivery.id)
        )
    ]


def _profile(person: Person | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {
        "name": person.name,
        "real_name": person.real_name,
        "display_name": person.display_name,
        "title": person.title,
        "department": person.department_field,
        "tz": person.tz,
        "tz_offset": person.tz_offset,
        "locale": person.locale,
        "language": person.language,
        "is_bot": person.is_bot,
        "deleted": person.deleted,
        "is_admin": person.is_admin,
        "is_owner": person.is_owner,
        "opted_out": person.opted_out,
        "forgotten": person.forgotten,
        "fetched_at": _iso(person.fetched_at),
    }


@dataclass(frozen=True)
class Forgotten:
    """How many rows ``forget`` deleted, per kind."""

    posts: int = 0
    post_tags: int = 0
    mentions: int = 0  # of them in others' posts, and in their own posts
    reactions: int = 0  # they gave, and on their own posts
    follows: int = 0  # they followed
    followers: int = 0  # followed them
    mutes: int = 0  # theirs, and others' mutes of them
    digest_settings: int = 0
    digest_deliveries: int = 0
    permalinks: int = 0
    references: int = 0  # they made (shares of theirs)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _deleted(session: Session, stmt: Delete) -> int:
    result = session.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def forget(*, session: Session, team_id: str, user_id: str, now: datetime) -> Forgotten:
    """Delete everything Kring holds about one person, with set-based statements.

    Their posts (with tags, mentions, reactions, references and cached permalinks; what they
    shared is recounted, shares of theirs by others no longer name them), mentions of them and
    reactions by them in others' posts (whose reaction and reply counts are recomputed), follows
    both ways, mutes by and of them, digest settings and history. The person row stays only as
    the "forgotten" marker (no names, title, time zone or locale), opted out, so they are not
    recorded again until they opt in. ``now`` is accepted like every other write.
    """
    del now
    # Counts first, while the rows that must no longer count are still there to exclude.
    _recount_reactions(session=session, team_id=team_id, user_id=user_id)
    _recount_replies(session=session, team_id=team_id, user_id=user_id)
    references = _forget_references(session=session, team_id=team_id, user_id=user_id)
    reactions, mentions = _delete_reactions_and_mentions(
        session=session, team_id=team_id, user_id=user_id
    )
    post_tags, permalinks, posts = _delete_posts(session=session, team_id=team_id, user_id=user_id)
    follows, followers = _delete_follows(session=session, team_id=team_id, user_id=user_id)
    mutes = _delete_mutes(session=session, team_id=team_id, user_id=user_id)
    settings, deliveries = _delete_digests(session=session, team_id=team_id, user_id=user_id)
    _leave_marker(session, team_id, user_id)
    return Forgotten(
        posts=posts,
        post_tags=post_tags,
        mentions=mentions,
        reactions=reactions,
        follows=follows,
        followers=followers,
        mutes=mutes,
        digest_settings=settings,
        digest_deliveries=deliveries,
        permalinks=permalinks,
        references=references,
    )


def _others(team_id: str, user_id: str) -> ColumnElement[bool]:
    return and_(Post.team_id == team_id, Post.user_id != user_id)


def _their_post_ids(team_id: str, user_id: str) -> Select[int]:
    return select(Post.id).where(Post.team_id == team_id, Post.user_id == user_id)


def _recount_reactions(*, session: Session, team_id: str, user_id: str) -> None:
    """Others' posts they reacted to count reactions and reactors without theirs."""
    reacted = select(Reaction.post_id).where(
        Reaction.team_id == team_id, Reaction.user_id == user_id
    )
    remaining = and_(Reaction.post_id == Post.id, Reaction.user_id != user_id)
    session.execute(
        update(Post)
        .where(_others(team_id, user_id), Post.id.in_(reacted))
        .values(
            reaction_count=select(func.count())
            .select_from(Reaction)
            .where(remaining)
            .scalar_subquery(),
            reactor_count=select(func.count(func.distinct(Reaction.user_id)))
            .where(remaining)
            .scalar_subquery(),
        ),
        execution_options={"synchronize_session": False},
    )


def _recount_replies(*, session: Session, team_id: str, user_id: str) -> None:
    """Others' threads they replied to count replies without theirs."""
    reply = aliased(Post)
    replied_to = select(reply.channel_id, reply.thread_ts).where(
        reply.team_id == team_id,
        reply.user_id == user_id,
        reply.thread_ts.is_not(None),
        reply.thread_ts != reply.ts,
    )
    session.execute(
        update(Post)
        .where(_others(team_id, user_id), tuple_(Post.channel_id, Post.ts).in_(replied_to))
        .values(
            reply_count=select(func.count())
            .select_from(reply)
            .where(
                reply.team_id == Post.team_id,
                reply.channel_id == Post.channel_id,
                reply.thread_ts == Post.ts,
                reply.ts != Post.ts,
                reply.user_id != user_id,
            )
            .scalar_subquery()
        ),
        execution_options={"synchronize_session": False},
    )


def _forget_references(*, session: Session, team_id: str, user_id: str) -> int:
    """Delete the references they made; returns how many."""
    # Their shares stop counting on what they shared; shares of their messages by others stay
    # the others', without naming them as the author.
    shared = referenced_by(session=session, where=_theirs(team_id, user_id))
    references = _deleted(
        session, delete(Reference).where(Reference.team_id == team_id, Reference.user_id == user_id)
    )
    count_references(connection=session.connection(), messages=shared)
    session.execute(
        update(Reference)
        .where(Reference.team_id == team_id, Reference.author_id == user_id)
        .values(author_id=None),
        execution_options={"synchronize_session": False},
    )
    return references


def _delete_reactions_and_mentions(
    *, session: Session, team_id: str, user_id: str
) -> tuple[int, int]:
    """Delete reactions by them and on their posts, then mentions of them and in their posts."""
    their_posts = _their_post_ids(team_id, user_id)
    # Two deletes each rather than one OR: each side then uses its own index.
    reactions = _deleted(
        session, delete(Reaction).where(Reaction.team_id == team_id, Reaction.user_id == user_id)
    ) + _deleted(session, delete(Reaction).where(Reaction.post_id.in_(their_posts)))
    mentions = _deleted(
        session, delete(Mention).where(Mention.team_id == team_id, Mention.user_id == user_id)
    ) + _deleted(session, delete(Mention).where(Mention.post_id.in_(their_posts)))
    return reactions, mentions


def _delete_posts(*, session: Session, team_id: str, user_id: str) -> tuple[int, int, int]:
    """Delete their posts' tags, their cached permalinks, then the posts; returns the counts."""
    post_tags = _deleted(
        session, delete(PostTag).where(PostTag.post_id.in_(_their_post_ids(team_id, user_id)))
    )
    permalinks = _deleted(
        session,
        delete(Permalink).where(
            Permalink.team_id == team_id,
            tuple_(Permalink.channel_id, Permalink.ts).in_(
                select(Post.channel_id, Post.ts).where(
                    Post.team_id == team_id, Post.user_id == user_id
                )
            ),
        ),
    )
    posts = _deleted(session, delete(Post).where(Post.team_id == team_id, Post.user_id == user_id))
    return post_tags, permalinks, posts


def _delete_follows(*, session: Session, team_id: str, user_id: str) -> tuple[int, int]:
    """Delete whom they follow, then who follows them; returns both counts."""
    follows = _deleted(
        session, delete(Follow).where(Follow.team_id == team_id, Follow.follower_id == user_id)
    )
    followers = _deleted(
        session,
        delete(Follow).where(
            Follow.team_id == team_id, Follow.kind == "person", Follow.target == user_id
        ),
    )
    return follows, followers


def _delete_mutes(*, session: Session, team_id: str, user_id: str) -> int:
    """Delete their mutes and others' mutes of them; returns how many."""
    return _deleted(
        session,
        delete(Mute).where(
            Mute.team_id == team_id,
            or_(Mute.user_id == user_id, and_(Mute.kind == "person", Mute.target == user_id)),
        ),
    )


def _delete_digests(*, session: Session, team_id: str, user_id: str) -> tuple[int, int]:
    """Delete their digest settings, then their digest history; returns both counts."""
    settings = _deleted(
        session,
        delete(DigestSetting).where(
            DigestSetting.team_id == team_id, DigestSetting.user_id == user_id
        ),
    )
    deliveries = _deleted(
        session,
        delete(DigestDelivery).where(
            DigestDelivery.team_id == team_id, DigestDelivery.user_id == user_id
        ),
    )
    return settings, deliveries


def _leave_marker(session: Session, team_id: str, user_id: str) -> None:
    person = session.get(Person, (team_id, user_id))
    if person is None:
        person = Person(team_id=team_id, user_id=user_id, is_bot=False, deleted=False)
        session.add(person)
    person.name = ""
    person.real_name = ""
    person.display_name = ""
    person.title = ""
    person.department_field = None
    person.department = ""
    person.tz = None
    person.tz_offset = 0
    person.locale = None
    person.language = None
    person.is_admin = False
    person.is_owner = False
    person.fetched_at = None
    person.opted_out = True
    person.forgotten = True
    session.flush()
