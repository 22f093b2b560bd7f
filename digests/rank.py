"""Ranking a reader's candidates: engagement, recency and how the reader reached the post."""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from digests.model import MAX_ITEMS, MAX_PER_AUTHOR
from digests.select import Row

RECENCY_HALF_LIFE_HOURS = 24.0
PERSON_WEIGHT = 1.5  # someone you chose to follow outranks a tag you follow
EXTRA_TAG_WEIGHT = 0.15


def score(row: Row, now: datetime) -> float:
    """Higher is better. Engagement is damped (log) so one viral post does not crowd out all."""
    return _post_part(row, now) * _reach(row)


def _post_part(row: Row, now: datetime) -> float:
    """The part of the score that depends on the post alone: the same for every reader."""
    engagement = math.log1p(row.reaction_count + 2 * row.reply_count + 2 * row.reactor_count)
    age_hours = max(0.0, (now - row.posted_at).total_seconds() / 3600)
    recency = 0.5 ** (age_hours / RECENCY_HALF_LIFE_HOURS)
    return (1.0 + engagement) * (0.25 + recency)


def _reach(row: Row) -> float:
    return PERSON_WEIGHT if row.via_person else 1.0 + EXTRA_TAG_WEIGHT * (len(row.via_tags) - 1)


@dataclass(frozen=True)
class Ranked:
    """The chosen posts, best first, and how many eligible posts were left out."""

    items: tuple[Row, ...]
    total: int
    authors: int
    more: int
    busiest_tags: tuple[tuple[str, int], ...]


def rank(
    rows: Sequence[Row], now: datetime, *, post_parts: dict[int, float] | None = None
) -> Ranked:
    """Pick at most MAX_ITEMS posts, at most MAX_PER_AUTHOR per author, best first.

    ``post_parts`` caches each post's reader-independent part of the score across the calls
    for one batch of readers (same ``now``, rows from one query), where a popular post is a
    candidate for hundreds of them; the scores are the very same floats as :func:`score`'s.
    """
    parts = {} if post_parts is None else post_parts
    # Best first is ascending (-score, post_id). A busy reader has a thousand candidates of
    # which ten are shown: a heap hands them out in that order without sorting them all.
    heap = []
    for i, row in enumerate(rows):
        part = parts.get(row.post_id)
        if part is None:
            part = parts[row.post_id] = _post_part(row, now)
        heap.append((-(part * _reach(row)), row.post_id, i))
    heapq.heapify(heap)
    per_author: Counter[str] = Counter()
    chosen: list[Row] = []
    while heap and len(chosen) < MAX_ITEMS:
        row = rows[heapq.heappop(heap)[2]]
        if per_author[row.author_id] >= MAX_PER_AUTHOR:
            continue
        per_author[row.author_id] += 1
        chosen.append(row)
    tags: Counter[str] = Counter(tag for r in rows for tag in r.via_tags)
    return Ranked(
        items=tuple(chosen),
        total=len(rows),
        authors=len({r.author_id for r in rows}),
        more=len(rows) - len(chosen),
        busiest_tags=tuple(sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))[:3]),
    )
