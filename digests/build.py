"""Build digests for a batch of readers: select candidates, rank, and fill in what is shown."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from digests.model import Digest, DigestItem
from digests.rank import Ranked, rank, rank_follows
from digests.select import groups, is_channel_key
from storage.channels import cached_names
from storage.digests import ShownPost, new_followers, shown_posts
from storage.mutes import muted_people, posts_with_muted_tags
from storage.people import display, get_people


@dataclass(frozen=True)
class Request:
    """Build one reader's digest covering [since, until)."""

    user_id: str
    since: datetime
    until: datetime
    lang: str = "en"
    weekly: bool = False


def build_digests(
    *,
    session: Session,
    team_id: str,
    requests: Sequence[Request],
    now: datetime,
    kept_since: datetime | None = None,
) -> dict[str, Digest]:
    """Digests for many readers of one workspace, with a handful of set-based queries.

    Only visible posts are candidates (see :func:`storage.candidates.scored_posts` and
    :mod:`storage.visibility`), none before ``kept_since`` (retention): no window starts
    earlier. New followers are only the people the rule shows.
    """
    if not requests:
        return {}
    if kept_since is not None:
        requests = [replace(r, since=max(r.since, kept_since)) for r in requests]
    ranked = _rank_readers(session, team_id, requests, now)
    posts = shown_posts(
        session=session, post_ids={p.post_id for r in ranked.values() for p in r.items}
    )
    since_all = min(r.since for r in requests)
    followers = new_followers(
        session=session, team_id=team_id, user_ids=[r.user_id for r in requests], since=since_all
    )
    names = _names(session, team_id, ranked, posts, followers)
    out: dict[str, Digest] = {}
    for req in requests:
        result = ranked.get(req.user_id, NOTHING)
        items = _items(result, posts, names)
        # Once per reader: evaluated inside the filter below it would run for every name.
        refs = _refs(items, followers.get(req.user_id))
        out[req.user_id] = Digest(
            team_id=team_id,
            user_id=req.user_id,
            lang=req.lang,
            items=tuple(items),
            post_count=result.total,
            author_count=result.authors,
            more=result.more,
            new_followers=tuple(followers.get(req.user_id, ())),
            busiest_tags=tuple(b for b in result.busiest_tags if not is_channel_key(b[0])),
            since=req.since,
            weekly=req.weekly,
            names={k: names[k] for k in refs if k in names},
        )
    return out


def _rank_readers(
    session: Session, team_id: str, requests: Sequence[Request], now: datetime
) -> dict[str, Ranked]:
    """Each reader's candidates, ranked: without the people they muted and the posts carrying
    a tag they muted."""
    windows = {r.user_id: (r.since, r.until) for r in requests}
    readers = sorted(windows)
    muted = muted_people(session=session, team_id=team_id, user_ids=readers)
    muted_posts: dict[str, set[int]] = defaultdict(set)
    for reader, pid in posts_with_muted_tags(
        session=session,
        team_id=team_id,
        user_ids=readers,
        since=min(r.since for r in requests),
        until=max(r.until for r in requests),
    ):
        muted_posts[reader].add(pid)
    ranked: dict[str, Ranked] = {}
    for group in groups(session=session, team_id=team_id, windows=windows, now=now):
        shared = group.shared
        for reader, (follows_people, follows_tags) in group.follows.items():
            if reader in muted or reader in muted_posts:
                # Muting is rare: the plain way, over the reader's whole merged pool.
                ranked[reader] = rank(
                    shared.pool(reader, follows_people, follows_tags),
                    muted_authors=muted.get(reader, ()),
                    muted_posts=muted_posts.get(reader, ()),
                )
            else:
                ranked[reader] = rank_follows(shared, reader, follows_people, follows_tags)
    return ranked


def _names(
    session: Session,
    team_id: str,
    ranked: Mapping[str, Ranked],
    posts: Mapping[int, ShownPost],
    followers: Mapping[str, list[str]],
) -> dict[str, str]:
    """The display names of everyone and every channel the digests may show: the authors, the
    people mentioned in the posts, the new followers, the posts' channels."""
    authors = {p.author_id for r in ranked.values() for p in r.items}
    channels = {post.channel_id for post in posts.values()}
    mentioned = {uid for post in posts.values() for uid in MENTION.findall(post.text)}
    everyone = authors | mentioned | {uid for ids in followers.values() for uid in ids}
    people = get_people(session=session, team_id=team_id, user_ids=everyone)
    names = {uid: display(people.get(uid), uid) for uid in everyone}
    names.update(cached_names(session=session, team_id=team_id, channel_ids=channels))
    return names


def _items(
    result: Ranked, posts: Mapping[int, ShownPost], names: Mapping[str, str]
) -> list[DigestItem]:
    """One reader's ranked picks as digest items."""
    items = []
    for pick in result.items:
        post = posts.get(pick.post_id)
        if post is None:  # deleted between the two queries
            continue
        items.append(
            DigestItem(
                post_id=pick.post_id,
                author_id=pick.author_id,
                author_name=names[pick.author_id],
                channel_id=post.channel_id,
                ts=post.ts,
                text=post.text,
                reaction_count=post.reaction_count,
                reply_count=post.reply_count,
                permalink=None,
                via_person=pick.via_person,
                # A followed channel shows as the post's own channel, not as a tag.
                via_tags=tuple(t for t in pick.via_tags if not is_channel_key(t)),
                show_follow_button=not pick.via_person,
                files=post.files,
                reference_count=post.reference_count,
            )
        )
    return items


NOTHING = Ranked(items=(), total=0, authors=0, more=0, busiest_tags=())


MENTION = re.compile(r"<@([UW][A-Z0-9]+)")


def _refs(items: list[DigestItem], followers: list[str] | None) -> set[str]:
    """The people and channels one digest refers to."""
    refs = set(followers or ())
    for item in items:
        refs |= {item.author_id, item.channel_id, *MENTION.findall(item.text)}
    return refs


def with_permalinks(digest: Digest, links: Mapping[tuple[str, str], str]) -> Digest:
    """The digest with each item's permalink filled in where known."""
    items = tuple(
        replace(item, permalink=links.get((item.channel_id, item.ts), item.permalink))
        for item in digest.items
    )
    return replace(digest, items=items)
