"""Ranking one reader's candidates: pure logic on plain values."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from digests.model import MAX_ITEMS, MAX_PER_AUTHOR
from digests.rank import PERSON_WEIGHT, Entry, Shared, post_part, rank, rank_follows, reach


def entry(part: float, author: str, *, person: bool = False, tags: tuple[str, ...] = ()) -> Entry:
    return [part, author, person, tags or None]


def test_person_followed_outranks_the_same_post_reached_through_a_tag() -> None:
    pool = {1: entry(1.0, "UA", tags=("design",)), 2: entry(1.0, "UB", person=True)}
    assert [p.post_id for p in rank(pool).items] == [2, 1]


def test_a_post_carrying_two_followed_tags_outranks_one_with_one() -> None:
    pool = {1: entry(1.0, "UA", tags=("a",)), 2: entry(1.0, "UB", tags=("a", "b"))}
    assert [p.post_id for p in rank(pool).items] == [2, 1]


def test_ties_go_to_the_older_post() -> None:
    pool = {7: entry(2.0, "UA", person=True), 3: entry(2.0, "UB", person=True)}
    assert [p.post_id for p in rank(pool).items] == [3, 7]


def test_at_most_three_posts_per_author_and_ten_in_all() -> None:
    pool = {pid: entry(100.0 - pid, f"U{pid % 4}", person=True) for pid in range(40)}
    ranked = rank(pool)
    authors = [p.author_id for p in ranked.items]
    assert len(ranked.items) == MAX_ITEMS
    assert max(authors.count(a) for a in set(authors)) == MAX_PER_AUTHOR
    assert (ranked.total, ranked.authors, ranked.more) == (40, 4, 30)


def test_one_prolific_author_leaves_room_for_others_below() -> None:
    pool = {pid: entry(10.0, "UBUSY", person=True) for pid in range(10)}
    pool[99] = entry(0.1, "UQUIET", tags=("x",))
    ranked = rank(pool)
    assert [p.author_id for p in ranked.items] == ["UBUSY"] * 3 + ["UQUIET"]
    assert ranked.more == 7


def test_muted_authors_and_posts_are_left_out_of_items_and_counts() -> None:
    pool = {
        1: entry(5.0, "UMUTED", person=True),
        2: entry(4.0, "UB", tags=("noise",)),
        3: entry(3.0, "UC", tags=("design",)),
    }
    ranked = rank(pool, muted_authors={"UMUTED"}, muted_posts={2})
    assert [p.post_id for p in ranked.items] == [3]
    assert (ranked.total, ranked.authors, ranked.busiest_tags) == (1, 1, (("design", 1),))


def test_busiest_tags_count_posts_most_first_then_by_name() -> None:
    pool = {
        1: entry(1.0, "UA", tags=("b", "a")),
        2: entry(1.0, "UB", tags=("b",)),
        3: entry(1.0, "UC", tags=("c",)),
        4: entry(1.0, "UD", tags=("a",)),
        5: entry(1.0, "UE", tags=("d",)),
    }
    assert rank(pool).busiest_tags == (("a", 2), ("b", 2), ("c", 1))


def test_picks_carry_the_way_the_post_was_reached() -> None:
    pool = {1: entry(1.0, "UA", person=True, tags=("z", "y"))}
    (pick,) = rank(pool).items
    assert (pick.via_person, pick.via_tags) == (True, ("y", "z"))


def test_nothing_to_rank() -> None:
    ranked = rank({})
    assert (ranked.items, ranked.total, ranked.more, ranked.busiest_tags) == ((), 0, 0, ())


def test_engagement_and_recency_raise_the_post_part() -> None:
    assert post_part(5, 0, 0, 1.0) > post_part(0, 0, 0, 1.0)
    assert post_part(0, 1, 0, 1.0) > post_part(1, 0, 0, 1.0)  # a reply counts more
    assert post_part(0, 0, 0, 1.0, 1) > post_part(0, 1, 0, 1.0)  # a share counts more still
    assert post_part(0, 0, 0, 1.0) > post_part(0, 0, 0, 30.0)
    # Recency halves over a day, down to a floor; engagement is damped.
    assert math.isclose(post_part(0, 0, 0, 24.0), 0.75)
    assert math.isclose(post_part(0, 0, 0, -5.0), post_part(0, 0, 0, 0.0))
    assert post_part(1000, 0, 0, 0.0) < 10 * post_part(0, 0, 0, 0.0)


def test_reach() -> None:
    assert reach(True, 0) == PERSON_WEIGHT
    assert reach(False, 1) == 1.0
    assert reach(False, 3) > reach(False, 2) > 1.0


entries = st.dictionaries(
    st.integers(1, 200),
    st.tuples(
        st.floats(0.01, 100.0),
        st.sampled_from(["UA", "UB", "UC", "UD", "UE"]),
        st.booleans(),
        st.lists(st.sampled_from(["a", "b", "c"]), unique=True, max_size=3),
    ),
    max_size=60,
)


@settings(max_examples=200)
@given(entries)
def test_rank_is_the_best_allowed_choice_in_order(raw: dict[int, Any]) -> None:
    pool = {
        pid: entry(part, author, person=person or not tags, tags=tuple(tags))
        for pid, (part, author, person, tags) in raw.items()
    }
    ranked = rank(pool)

    def score(pid: int) -> float:
        e = pool[pid]
        return float(e[0] * reach(e[2], len(e[3] or ())))

    # The obvious, slow way: sort everything, walk down, skip authors already at the cap.
    expected: list[int] = []
    for pid in sorted(pool, key=lambda p: (-score(p), p)):
        if len(expected) == MAX_ITEMS:
            break
        if sum(1 for q in expected if pool[q][1] == pool[pid][1]) < MAX_PER_AUTHOR:
            expected.append(pid)
    assert [p.post_id for p in ranked.items] == expected
    assert ranked.total == len(pool)
    assert ranked.authors == len({e[1] for e in pool.values()})
    assert ranked.more == len(pool) - len(expected)


# -- the shared lists of a group of readers -----------------------------------------------

PEOPLE = ["UA", "UB", "UC", "UD", "UR"]
TAGS = ["a", "b", "c", "d"]


@st.composite
def groups(draw: st.DrawFn) -> tuple[Shared, str, list[str], list[str]]:
    """Posts of a small workspace, and one reader's follows (parts drawn from a few values,
    so that ties are common)."""
    posts = draw(
        st.dictionaries(
            st.integers(1, 80),
            st.tuples(
                st.sampled_from(PEOPLE),
                st.sampled_from([0.5, 1.0, 1.25, 2.0, 3.5]),
                st.lists(st.sampled_from(TAGS), unique=True, max_size=3),
            ),
            max_size=50,
        )
    )
    author_rows = [(author, pid, part) for pid, (author, part, _) in posts.items()]
    tag_rows = [
        (tag, pid, author, part) for pid, (author, part, tags) in posts.items() for tag in tags
    ]
    reader = "UR"
    people = draw(st.lists(st.sampled_from(PEOPLE[:-1]), unique=True))
    tags = draw(st.lists(st.sampled_from(TAGS), unique=True))
    # Only followed people's posts reach the author lists, as the query asks for those alone.
    shared = Shared.build([r for r in author_rows if r[0] in people], tag_rows)
    return shared, reader, people, tags


@settings(max_examples=400)
@given(groups())
def test_ranking_from_shared_lists_equals_ranking_the_merged_pool(
    group: tuple[Shared, str, list[str], list[str]],
) -> None:
    shared, reader, people, tags = group
    assert rank_follows(shared, reader, people, tags) == rank(shared.pool(reader, people, tags))


def test_shared_lists_leave_out_the_readers_own_posts() -> None:
    shared = Shared.build([("UA", 1, 1.0)], [("x", 2, "UR", 9.0), ("x", 3, "UB", 1.0)])
    ranked = rank_follows(shared, "UR", ["UA"], ["x"])
    assert [p.post_id for p in ranked.items] == [1, 3]
    assert (ranked.total, ranked.authors, ranked.busiest_tags) == (2, 2, (("x", 1),))
