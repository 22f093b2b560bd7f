"""Build digests for a batch of readers: select candidates, rank, and fill in what is shown."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from digests.model import Digest, DigestItem
from digests.rank import rank
from digests.select import Row, candidates
from storage.channels import cached_names
from storage.digests import new_followers
from storage.models import Post
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
    *, session: Session, team_id: str, requests: Sequence[Request], now: datetime
) -> dict[str, Digest]:
    """Digests for many readers of one workspace, with a handful of set-based queries."""
    if not requests:
        return {}
    windows = {r.user_id: (r.since, r.until) for r in requests}
    found = without_muted(
        session=session,
        team_id=team_id,
        found=candidates(session=session, team_id=team_id, windows=windows),
        since=min(r.since for r in requests),
        until=max(r.until for r in requests),
    )
    parts: dict[int, float] = {}  # shared by the batch's readers (see rank)
    ranked = {r.user_id: rank(found.get(r.user_id, []), now, post_parts=parts) for r in requests}
    chosen_ids = sorted({row.post_id for result in ranked.values() for row in result.items})
    texts: dict[int, tuple[str, list[str]]] = {}
    for start in range(0, len(chosen_ids), 500):
        chunk = chosen_ids[start : start + 500]
        for pid, text, files in session.execute(
            select(Post.id, Post.text, Post.files).where(Post.id.in_(chunk))
        ):
            texts[pid] = (text, list(files or []))
    authors = {row.author_id for result in ranked.values() for row in result.items}
    channels = {row.channel_id for result in ranked.values() for row in result.items}
    since_all = min(r.since for r in requests)
    followers = new_followers(
        session=session, team_id=team_id, user_ids=[r.user_id for r in requests], since=since_all
    )
    mentioned = {uid for text, _ in texts.values() for uid in MENTION.findall(text)}
    everyone = authors | mentioned | {uid for ids in followers.values() for uid in ids}
    people = get_people(session=session, team_id=team_id, user_ids=everyone)
    names = {uid: display(people.get(uid), uid) for uid in everyone}
    names.update(cached_names(session=session, team_id=team_id, channel_ids=channels))
    out: dict[str, Digest] = {}
    for req in requests:
        result = ranked[req.user_id]
        items = []
        for row in result.items:
            if row.post_id not in texts:  # deleted between the two queries
                continue
            text, files = texts[row.post_id]
            items.append(
                DigestItem(
                    post_id=row.post_id,
                    author_id=row.author_id,
                    author_name=display(people.get(row.author_id), row.author_id),
                    channel_id=row.channel_id,
                    ts=row.ts,
                    text=text or " ".join(files),
                    reaction_count=row.reaction_count,
                    reply_count=row.reply_count,
                    permalink=None,
                    via_person=row.via_person,
                    via_tags=tuple(sorted(row.via_tags)),
                    show_follow_button=not row.via_person,
                )
            )
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
            busiest_tags=result.busiest_tags,
            since=req.since,
            weekly=req.weekly,
            names={k: v for k, v in names.items() if k in refs},
        )
    return out


MENTION = re.compile(r"<@([UW][A-Z0-9]+)")


def _refs(items: list[DigestItem], followers: list[str] | None) -> set[str]:
    """The people and channels one digest refers to."""
    refs = set(followers or ())
    for item in items:
        refs |= {item.author_id, item.channel_id, *MENTION.findall(item.text)}
    return refs


def without_muted(
    *,
    session: Session,
    team_id: str,
    found: dict[str, list[Row]],
    since: datetime,
    until: datetime,
) -> dict[str, list[Row]]:
    """Each reader's candidates less the people and tags they muted, however the post reached
    them (a muted person's post with a followed tag stays out too)."""
    readers = sorted(found)
    people = muted_people(session=session, team_id=team_id, user_ids=readers)
    tagged = posts_with_muted_tags(
        session=session, team_id=team_id, user_ids=readers, since=since, until=until
    )
    if not people and not tagged:
        return found
    return {
        reader: [
            row
            for row in rows
            if row.author_id not in people.get(reader, ()) and (reader, row.post_id) not in tagged
        ]
        for reader, rows in found.items()
    }


def with_permalinks(digest: Digest, links: Mapping[tuple[str, str], str]) -> Digest:
    """The digest with each item's permalink filled in where known."""
    items = tuple(
        replace(item, permalink=links.get((item.channel_id, item.ts), item.permalink))
        for item in digest.items
    )
    return replace(digest, items=items)
