"""Ranking a reader's candidates: engagement, recency and how the reader reached the post.

A post's score is its reader-independent part (engagement and recency, computed by the
database in :func:`storage.candidates.score_part` with the formula of :func:`post_part`) times
its reach for this reader (a followed person's post outranks a followed tag's).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from digests.model import MAX_ITEMS, MAX_PER_AUTHOR

RECENCY_HALF_LIFE_HOURS = 24.0
RECENCY_FLOOR = 0.25  # an old post keeps a quarter of a new one's weight
ENGAGEMENT_REPLY_WEIGHT = 2  # a reply, or one more person reacting, counts twice a reaction
# Someone else sharing or linking the post elsewhere: they thought others should read it.
ENGAGEMENT_REFERENCE_WEIGHT = 3
PERSON_WEIGHT = 1.5  # someone you chose to follow outranks a tag you follow
EXTRA_TAG_WEIGHT = 0.15
BUSIEST_TAGS = 3

# One candidate of one reader, merged over the ways the post reached them: [score part,
# author, reached through a followed person, the followed tags it carries (a tuple, or None)].
# A list, not a class: a pass makes ten million of these, and a list is the cheapest mutable
# record (see digests.select.candidates).
Entry = list[Any]
PART, AUTHOR, VIA_PERSON, VIA_TAGS = 0, 1, 2, 3


def post_part(
    reactions: int, replies: int, reactors: int, age_hours: float, references: int = 0
) -> float:
    """The part of the score that depends on the post alone: the same for every reader.
    ``references`` counts the people other than the author who shared or linked the post.

    Engagement is damped (log) so one viral post does not crowd out all others; recency halves
    every RECENCY_HALF_LIFE_HOURS down to a floor.
    """
    engagement = math.log1p(
        reactions
        + ENGAGEMENT_REPLY_WEIGHT * replies
        + ENGAGEMENT_REPLY_WEIGHT * reactors
        + ENGAGEMENT_REFERENCE_WEIGHT * references
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


# -- one group of readers at a time ----------------------------------------------------------


@dataclass
class Shared:
    """The candidate posts of a group of readers with one window, shared between them.

    Built once per group (:meth:`build`) from the posts of every person and every tag the
    group follows; each reader's digest is then ranked from the lists of the people and tags
    they follow (:func:`rank_follows`) without visiting most of their candidates.
    """

    # Each list best first: (-score part, post id[, author]), as the heap wants them.
    by_author: dict[str, list[tuple[float, int]]]
    by_tag: dict[str, list[tuple[float, int, str]]]
    author_posts: dict[str, frozenset[int]]
    tag_posts: dict[str, frozenset[int]]
    tag_authors: dict[str, frozenset[str]]
    # The most of the group's followed tags any one post in the tag's list carries.
    tag_widest: dict[str, int]
    tags_of: dict[int, tuple[str, ...]]  # a post's tags among those the group follows
    tagged_by: dict[str, frozenset[int]]  # an author's posts in any tag list

    @classmethod
    def build(
        cls,
        author_rows: Iterable[tuple[str, int, float]],
        tag_rows: Iterable[tuple[str, int, str, float]],
    ) -> Shared:
        """From (author, post id, part) and (tag, post id, author, part) rows."""
        by_author: dict[str, list[tuple[float, int]]] = defaultdict(list)
        for author, pid, part in author_rows:
            by_author[author].append((-part, pid))
        by_tag: dict[str, list[tuple[float, int, str]]] = defaultdict(list)
        tags_of: dict[int, tuple[str, ...]] = {}
        tagged_by: dict[str, set[int]] = defaultdict(set)
        for tag, pid, author, part in tag_rows:
            by_tag[tag].append((-part, pid, author))
            tags_of[pid] = tags_of.get(pid, ()) + (tag,)
            tagged_by[author].add(pid)
        for posts in by_author.values():
            posts.sort()
        for tagged in by_tag.values():
            tagged.sort()
        return cls(
            by_author=dict(by_author),
            by_tag=dict(by_tag),
            author_posts={a: frozenset(p for _, p in ps) for a, ps in by_author.items()},
            tag_posts={t: frozenset(p for _, p, _ in ps) for t, ps in by_tag.items()},
            tag_authors={t: frozenset(a for _, _, a in ps) for t, ps in by_tag.items()},
            tag_widest={t: max(len(tags_of[p]) for _, p, _ in ps) for t, ps in by_tag.items()},
            tags_of=tags_of,
            tagged_by={a: frozenset(ps) for a, ps in tagged_by.items()},
        )

    def pool(self, reader: str, people: Collection[str], tags: Sequence[str]) -> dict[int, Entry]:
        """One reader's candidates merged per post, as :func:`rank` takes them."""
        pool: dict[int, Entry] = {}
        for author in people:
            for neg, pid in self.by_author.get(author, ()):
                pool[pid] = [-neg, author, True, None]
        for tag in tags:
            for neg, pid, author in self.by_tag.get(tag, ()):
                entry = pool.get(pid)
                if entry is None:
                    if author != reader:
                        pool[pid] = [-neg, author, False, (tag,)]
                elif entry[VIA_TAGS] is None:
                    entry[VIA_TAGS] = (tag,)
                else:
                    entry[VIA_TAGS] += (tag,)
        return pool


def rank_follows(
    shared: Shared, reader: str, people: Collection[str], tags: Sequence[str]
) -> Ranked:
    """What :func:`rank` gives for ``shared.pool(reader, people, tags)``, for a reader who
    muted nothing, without making the pool.

    The counts come from set operations on the shared lists. The items come from a merge of
    the reader's lists, best first (a threshold algorithm): each list's next post is known to
    score at most its part times the most that list's reach can be, so a candidate whose exact
    score beats every list's bound is the next best, and the merge stops after the ten picks,
    typically a few dozen posts in.
    """
    people = people if isinstance(people, (set, frozenset)) else frozenset(people)
    followed = frozenset(tags)
    total, authors, counts = _counts(shared, reader, people, followed)
    chosen = _merge(shared, reader, people, followed)
    busiest = tuple(sorted(counts, key=lambda kv: (-kv[1], kv[0]))[:BUSIEST_TAGS])
    return Ranked(
        items=tuple(chosen),
        total=total,
        authors=authors,
        more=total - len(chosen),
        busiest_tags=busiest,
    )


def _counts(
    shared: Shared, reader: str, people: Collection[str], followed: frozenset[str]
) -> tuple[int, int, list[tuple[str, int]]]:
    """A reader's candidate posts, their authors, and the candidates per followed tag."""
    own = shared.tagged_by.get(reader, frozenset())
    posts: set[int] = set()
    authors: set[str] = set()
    for author in people:
        found = shared.author_posts.get(author)
        if found:
            posts |= found
            authors.add(author)
    counts: list[tuple[str, int]] = []
    for tag in followed:
        found = shared.tag_posts.get(tag)
        if found:
            posts |= found
            authors |= shared.tag_authors[tag]
            count = len(found - own) if own else len(found)
            if count:
                counts.append((tag, count))
    posts -= own
    authors.discard(reader)
    return len(posts), len(authors), counts


def _lists(
    shared: Shared, people: Collection[str], followed: frozenset[str]
) -> tuple[list[Sequence[tuple[Any, ...]]], list[float], list[str | None]]:
    """The lists to merge, the most reach each list's posts can have, and whose posts they are
    (None: a tag's)."""
    lists: list[Sequence[tuple[Any, ...]]] = []
    weights: list[float] = []
    owners: list[str | None] = []
    for author in people:
        found_list = shared.by_author.get(author)
        if found_list:
            lists.append(found_list)
            weights.append(PERSON_WEIGHT)
            owners.append(author)
    widest = len(followed)
    for tag in followed:
        tag_list = shared.by_tag.get(tag)
        if tag_list:
            lists.append(tag_list)
            weights.append(reach(False, min(shared.tag_widest[tag], widest)))
            owners.append(None)
    return lists, weights, owners


def _merge(
    shared: Shared, reader: str, people: Collection[str], followed: frozenset[str]
) -> list[Pick]:
    """The reader's picks, best first, merged from the lists of whom and what they follow."""
    lists, weights, owners = _lists(shared, people, followed)
    # heads holds (-bound, list number, position) for each list's next post.
    heads = [(lst[0][0] * w, i, 0) for i, (lst, w) in enumerate(zip(lists, weights, strict=True))]
    heapq.heapify(heads)
    best: list[tuple[float, int, str, bool, tuple[str, ...]]] = []  # exact, best first
    seen: set[int] = set()
    per_author: Counter[str] = Counter()
    chosen: list[Pick] = []
    while len(chosen) < MAX_ITEMS:
        bound = heads[0][0] if heads else math.inf
        # Emit while the best seen candidate is strictly better than anything unseen (a tie
        # could still be beaten by an older post further down).
        while best and best[0][0] < bound and len(chosen) < MAX_ITEMS:
            _, pid, author, via_person, via_tags = heapq.heappop(best)
            if per_author[author] < MAX_PER_AUTHOR:
                per_author[author] += 1
                chosen.append(Pick(pid, author, via_person, via_tags))
        if not heads or len(chosen) >= MAX_ITEMS:
            break
        _, i, at = heapq.heappop(heads)
        lst = lists[i]
        item = lst[at]
        if at + 1 < len(lst):
            heapq.heappush(heads, (lst[at + 1][0] * weights[i], i, at + 1))
        pid = item[1]
        if pid in seen:
            continue
        owner = owners[i]
        if owner is None:
            author = item[2]
            if author == reader or author in people:
                continue  # the reader's own, or comes (exactly weighted) from a person's list
        else:
            author = owner
        seen.add(pid)
        via_person = author in people
        via_tags = tuple(sorted(t for t in shared.tags_of.get(pid, ()) if t in followed))
        weight = PERSON_WEIGHT if via_person else reach(False, len(via_tags))
        heapq.heappush(best, (item[0] * weight, pid, author, via_person, via_tags))
    return chosen
