"""Which posts may go into whose digest, fetched once per group of readers and shared.

Readers in a batch follow many of the same people and, above all, the same tags: a busy tag's
posts of the day are candidates for hundreds of them. So the database is asked once per group
of readers with the same window for the posts of every person and every tag the group
follows (with each post's reader-independent score part computed by the database), and each
reader's candidates are then put together from those shared lists in Python. The database
hands over each post once per group instead of once per reader who may see it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from digests.rank import (
    ENGAGEMENT_REFERENCE_WEIGHT,
    ENGAGEMENT_REPLY_WEIGHT,
    RECENCY_FLOOR,
    RECENCY_HALF_LIFE_HOURS,
    Entry,
    Shared,
)
from storage.candidates import Scoring, readers_follows, scored_channel_posts, scored_posts
from storage.db import chunked

# Readers whose candidates are put together from one set of shared lists. The lists hold the
# group's followed people's and tags' posts of one window: tens of thousands of small tuples.
READERS_PER_GROUP = 500
# digests.rank's formula, handed to the database to compute each post's score part.
SCORING = Scoring(
    reply_weight=ENGAGEMENT_REPLY_WEIGHT,
    reference_weight=ENGAGEMENT_REFERENCE_WEIGHT,
    floor=RECENCY_FLOOR,
    half_life_hours=RECENCY_HALF_LIFE_HOURS,
)


def channel_key(channel_id: str) -> str:
    """A followed channel's name among the tags of the shared lists: its posts are ranked
    like a followed tag's. ``<`` is in no tag, so no tag is ever taken for a channel."""
    return f"<#{channel_id}>"


def is_channel_key(key: str) -> bool:
    """Whether one of the shared lists' tags stands for a followed channel (see
    :func:`channel_key`)."""
    return key.startswith("<#")


@dataclass(frozen=True)
class Group:
    """The candidates of a group of readers with one window: shared lists, and what each
    reader follows (readers following nothing left out)."""

    shared: Shared
    follows: dict[str, tuple[frozenset[str], tuple[str, ...]]]  # reader: (people, tags)


def groups(
    *,
    session: Session,
    team_id: str,
    windows: Mapping[str, tuple[datetime, datetime]],
    now: datetime,
) -> Iterator[Group]:
    """The readers' candidates within their own [since, until) windows, a group at a time.

    Posts by the people they follow plus posts carrying the tags they follow plus posts in the
    channels they follow, as if each channel were a tag (:func:`channel_key`; never their own:
    see :func:`digests.rank.rank_follows` and :meth:`digests.rank.Shared.pool`). Readers with
    the same window share one group's lists; a group is at most READERS_PER_GROUP readers.
    """
    by_window: dict[tuple[datetime, datetime], list[str]] = defaultdict(list)
    for reader, window in sorted(windows.items()):
        by_window[window].append(reader)
    for (since, until), readers in by_window.items():
        for chunk in chunked(readers, READERS_PER_GROUP):
            yield _group(session, team_id, chunk, since, until, now)


def candidates(
    *,
    session: Session,
    team_id: str,
    windows: Mapping[str, tuple[datetime, datetime]],
    now: datetime,
) -> Iterator[tuple[str, dict[int, Entry]]]:
    """Each reader's candidates merged per post, ``(reader, {post id: Entry})`` one reader
    at a time (readers without candidates left out)."""
    for group in groups(session=session, team_id=team_id, windows=windows, now=now):
        for reader, (people, tags) in group.follows.items():
            pool = group.shared.pool(reader, people, tags)
            if pool:
                yield reader, pool


def _group(
    session: Session,
    team_id: str,
    readers: Sequence[str],
    since: datetime,
    until: datetime,
    now: datetime,
) -> Group:
    people: dict[str, set[str]] = defaultdict(set)
    tags: dict[str, list[str]] = defaultdict(list)
    channels: set[str] = set()
    for reader, kind, target in readers_follows(session=session, team_id=team_id, readers=readers):
        if kind == "person":
            people[reader].add(target)
        elif kind == "channel":
            channels.add(target)
            tags[reader].append(channel_key(target))
        else:
            tags[reader].append(target)
    author_rows, tag_rows = scored_posts(
        session=session,
        team_id=team_id,
        authors=sorted({p for ps in people.values() for p in ps}),
        tags=sorted({t for ts in tags.values() for t in ts if not is_channel_key(t)}),
        since=since,
        until=until,
        now=now,
        scoring=SCORING,
    )
    if channels:
        # A post tagged #design in the #design channel comes twice; the pool keeps it once.
        tag_rows += [
            (channel_key(channel), pid, author, part)
            for channel, pid, author, part in scored_channel_posts(
                session=session,
                team_id=team_id,
                channels=sorted(channels),
                since=since,
                until=until,
                now=now,
                scoring=SCORING,
            )
        ]
    follows = {
        reader: (frozenset(people.get(reader, ())), tuple(sorted(tags.get(reader, ()))))
        for reader in readers
        if reader in people or reader in tags
    }
    return Group(Shared.build(author_rows, tag_rows), follows)
