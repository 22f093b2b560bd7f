"""Ranking a reader's candidates: engagement, recency and how the reader reached the post.

A post's score is its reader-independent part (engagement and recency, computed by the
database in :func:`digests.select.score_part` with the formula of :func:`post_part`) times
its reach for this reader (a followed person's post outranks a followed tag's).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from digests.model import MAX_ITEMS, MAX_PER_AUTHOR

RECENCY_HALF_LIFE_HOURS = 24.0
RECENCY_FLOOR = 0.25  # an old post keeps a quarter of a new one's weight
ENGAGEMENT_REPLY_WEIGHT = 2  # a reply, or one more person reacting, counts twice a reaction
PERSON_WEIGHT = 1.5  # someone you chose to follow outranks a tag you follow
EXTRA_TAG_WEIGHT = 0.15
BUSIEST_TAGS = 3

# One candidate of one reader, merged over the ways the post reached them: [score part,
# author, reached through a followed person, the followed tags it carries (a tuple, or None)].
# A list, not a class: a pass makes ten million of these, and a list is the cheapest mutable
# record (see digests.select.candidates).
Entry = list[Any]
PART, AUTHOR, VIA_PERSON, VIA_TAGS = 0, 1, 2, 3


def post_part(reactions: int, replies: int, reactors: int, age_hours: float) -> float:
    """The part of the score that depends on the post alone: the same for every reader.

    Engagement is damped (log) so one viral post does not crowd out all others; recency halves
    every RECENCY_HALF_LIFE_HOURS down to a floor.
    """
    engagement = math.log1p(
        reactions + ENGAGEMENT_REPLY_WEIGHT * replies + ENGAGEMENT_REPLY_WEIGHT * reactors
    )
    recency = 0.5 ** (max(0.0, age_hours) / RECENCY_HALF_LIFE_HOURS)
    return (1.0 + engagement) * (RECENCY_FLOOR + recency)


def reach(via_person: bool, via_tags: int) -> float:
    """How the reader reached the post: a followed person, else one or more followed tags."""
    return PERSON_WEIGHT if via_person else 1.0 + EXTRA_TAG_WEIGHT * (via_tags - 1)


@dataclass(frozen=True, slots=True)
class Pick:
    """A chosen post, as the ranking knows it."""

    post_id: int
    author_id: str
    via_person: bool
    via_tags: tuple[str, ...]


@dataclass(frozen=True)
class Ranked:
    """The chosen posts, best first, and what the digest's head says about all candidates."""

    items: tuple[Pick, ...]
    total: int
    authors: int
    more: int
    busiest_tags: tuple[tuple[str, int], ...]


def rank(
    pool: Mapping[int, Entry],
    *,
    muted_authors: Collection[str] = (),
    muted_posts: Collection[int] = (),
) -> Ranked:
    """Pick at most MAX_ITEMS posts, at most MAX_PER_AUTHOR per author, best first.

    ``pool`` is one reader's candidates by post id (see :func:`digests.select.candidates`);
    posts by ``muted_authors`` and the ``muted_posts`` (carrying a muted tag) are left out
    entirely, from the items and from the counts. Ties go to the older post (lower id).
    """
    # Best first is ascending (-score, post_id): a heap hands out the ten best of a thousand
    # candidates without sorting them all. This loop runs ten million times in a pass of ten
    # thousand readers, hence the inlined reach() and tags counted in one go at the end.
    heap = []
    authors: set[str] = set()
    tagged: list[tuple[str, ...]] = []
    for pid, entry in pool.items():
        author = entry[AUTHOR]
        if muted_authors and author in muted_authors:
            continue
        if muted_posts and pid in muted_posts:
            continue
        via_tags = entry[VIA_TAGS]
        if via_tags is None:
            weight = PERSON_WEIGHT
        else:
            tagged.append(via_tags)
            if entry[VIA_PERSON]:
                weight = PERSON_WEIGHT
            elif len(via_tags) == 1:
                weight = 1.0
            else:
                weight = reach(False, len(via_tags))
        heap.append((-entry[PART] * weight, pid))
        authors.add(author)
    tags = Counter(itertools.chain.from_iterable(tagged))
    total = len(heap)
    heapq.heapify(heap)
    per_author: Counter[str] = Counter()
    chosen: list[Pick] = []
    while heap and len(chosen) < MAX_ITEMS:
        pid = heapq.heappop(heap)[1]
        entry = pool[pid]
        author = entry[AUTHOR]
        if per_author[author] >= MAX_PER_AUTHOR:
            continue
        per_author[author] += 1
        chosen.append(Pick(pid, author, entry[VIA_PERSON], tuple(sorted(entry[VIA_TAGS] or ()))))
    return Ranked(
        items=tuple(chosen),
        total=total,
        authors=len(authors),
        more=total - len(chosen),
        busiest_tags=tuple(sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))[:BUSIEST_TAGS]),
    )
