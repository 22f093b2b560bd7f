"""Which posts reach whose digest, on both databases."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from digests.rank import AUTHOR, PART, VIA_PERSON, VIA_TAGS, Entry, post_part
from digests.select import SCORING, candidates
from storage.candidates import score_part
from storage.follows import Target, follow
from storage.models import Post
from storage.posts import NewPost, record_post

T = "T1"
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def ts(hours_ago: float, n: int = 0) -> str:
    return f"{(NOW - timedelta(hours=hours_ago)).timestamp():.0f}.{n:06d}"


def post(s: Session, stamp: str, user: str, *tags: str, **kw: object) -> None:
    record_post(
        session=s,
        post=NewPost(
            team_id=T,
            channel_id="C1",
            ts=stamp,
            user_id=user,
            text=" ".join(f"#{t}" for t in tags) or "hello",
            tags=frozenset(tags),
            **kw,  # type: ignore[arg-type]
        ),
    )


def pools(s: Session, windows: dict[str, tuple[datetime, datetime]]) -> dict[str, dict[str, Entry]]:
    """Each reader's candidates keyed by the post's ts (ids differ between databases)."""
    ids = {pid: stamp for pid, stamp in s.execute(select(Post.id, Post.ts))}
    return {
        reader: {ids[pid]: entry for pid, entry in pool.items()}
        for reader, pool in candidates(session=s, team_id=T, windows=windows, now=NOW)
    }


def test_score_part_in_sql_is_the_python_formula(sessions: sessionmaker[Session]) -> None:
    counts = {
        ts(0.5): (0, 0, 0, 0),
        ts(3): (4, 2, 3, 1),
        ts(30): (1, 0, 1, 0),
        ts(200): (50, 9, 20, 7),
    }
    with sessions.begin() as s:
        for stamp in counts:
            post(s, stamp, "UA")
        for stamp, (reactions, replies, reactors, references) in counts.items():
            s.execute(
                update(Post)
                .where(Post.ts == stamp)
                .values(
                    reaction_count=reactions,
                    reply_count=replies,
                    reactor_count=reactors,
                    reference_count=references,
                )
            )
    with sessions.begin() as s:
        got = {stamp: part for stamp, part in s.execute(select(Post.ts, score_part(NOW, SCORING)))}
    for stamp, (reactions, replies, reactors, references) in counts.items():
        age = (NOW - datetime.fromtimestamp(float(stamp), UTC)).total_seconds() / 3600
        want = post_part(reactions, replies, reactors, age, references)
        assert math.isclose(got[stamp], want, rel_tol=1e-9)


def test_candidates_merge_people_and_tags_and_skip_own_replies_and_others(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        follow(
            session=s,
            team_id=T,
            follower_id="UR",
            targets=[Target("person", "UA"), Target("tag", "design"), Target("tag", "ux")],
            now=NOW,
        )
        post(s, ts(1, 1), "UA")  # followed person
        post(s, ts(2, 2), "UA", "design", "ux")  # person and both tags
        post(s, ts(3, 3), "UB", "design")  # tag only
        post(s, ts(4, 4), "UR", "design")  # the reader's own
        post(s, ts(5, 5), "UC", "other")  # nothing followed
        post(s, ts(6, 6), "UA", thread_ts=ts(1, 1))  # a thread reply
        post(s, ts(7, 7), "UA", thread_ts=ts(1, 1), is_broadcast=True)  # also sent to channel
        post(s, ts(30, 8), "UA")  # older than the window
    with sessions.begin() as s:
        got = pools(s, {"UR": (NOW - timedelta(days=1), NOW)})
    pool = got["UR"]
    assert set(pool) == {ts(1, 1), ts(2, 2), ts(3, 3), ts(7, 7)}
    assert pool[ts(1, 1)][VIA_PERSON] and pool[ts(1, 1)][VIA_TAGS] is None
    assert pool[ts(2, 2)][VIA_PERSON] and sorted(pool[ts(2, 2)][VIA_TAGS]) == ["design", "ux"]
    assert not pool[ts(3, 3)][VIA_PERSON] and pool[ts(3, 3)][VIA_TAGS] == ("design",)
    assert {e[AUTHOR] for e in pool.values()} == {"UA", "UB"}
    assert all(e[PART] > 0 for e in pool.values())


def test_each_reader_gets_their_own_window(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        for reader in ("UR1", "UR2", "UR3"):
            follow(
                session=s,
                team_id=T,
                follower_id=reader,
                targets=[Target("person", "UA"), Target("tag", "design")],
                now=NOW,
            )
        post(s, ts(1, 1), "UA")
        post(s, ts(10, 2), "UB", "design")
        post(s, ts(50, 3), "UA", "design")
    with sessions.begin() as s:
        got = pools(
            s,
            {
                "UR1": (NOW - timedelta(hours=2), NOW),
                "UR2": (NOW - timedelta(days=7), NOW),
                "UR3": (NOW - timedelta(hours=20), NOW - timedelta(hours=5)),
            },
        )
    assert {reader: sorted(pool) for reader, pool in got.items()} == {
        "UR1": [ts(1, 1)],
        "UR2": sorted([ts(1, 1), ts(10, 2), ts(50, 3)]),
        "UR3": [ts(10, 2)],
    }


def test_readers_without_candidates_are_left_out(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        follow(session=s, team_id=T, follower_id="UR", targets=[Target("tag", "x")], now=NOW)
        post(s, ts(1), "UA", "y")
    with sessions.begin() as s:
        assert pools(s, {"UR": (NOW - timedelta(days=1), NOW), "UNONE": (NOW, NOW)}) == {}


def test_a_followed_channel_is_ranked_like_a_tag_and_shown_as_its_channel(
    sessions: sessionmaker[Session],
) -> None:
    from digests.build import Request, build_digests
    from digests.select import channel_key
    from storage.channels import LEFT, close_channel

    def say(stamp: str, channel: str, user: str, *tags: str) -> None:
        record_post(
            session=s,
            post=NewPost(T, channel, stamp, user, "hello", tags=frozenset(tags)),
        )

    with sessions.begin() as s:
        follow(
            session=s,
            team_id=T,
            follower_id="UR",
            targets=[Target("tag", "design"), Target("channel", "CDESIGN")],
            now=NOW,
        )
        say(ts(1, 1), "CDESIGN", "UA")  # in the channel, no hashtag
        say(ts(2, 2), "COTHER", "UB", "design")  # tagged elsewhere
        say(ts(3, 3), "CDESIGN", "UB", "design")  # both: one candidate
        say(ts(4, 4), "CDESIGN", "UR")  # the reader's own
        say(ts(5, 5), "COTHER", "UC")  # neither
    window = (NOW - timedelta(days=1), NOW)
    with sessions.begin() as s:
        pool = pools(s, {"UR": window})["UR"]
        assert set(pool) == {ts(1, 1), ts(2, 2), ts(3, 3)}
        assert pool[ts(1, 1)][VIA_TAGS] == (channel_key("CDESIGN"),)
        assert pool[ts(2, 2)][VIA_TAGS] == ("design",)
        assert sorted(pool[ts(3, 3)][VIA_TAGS]) == sorted([channel_key("CDESIGN"), "design"])
        digest = build_digests(session=s, team_id=T, requests=[Request("UR", *window)], now=NOW)[
            "UR"
        ]
    assert sorted(item.ts for item in digest.items) == sorted([ts(1, 1), ts(2, 2), ts(3, 3)])
    assert digest.post_count == 3
    # The channel shows as the post's own channel, never as a tag.
    assert {item.ts: item.via_tags for item in digest.items}[ts(1, 1)] == ()
    assert [tag for tag, _ in digest.busiest_tags] == ["design"]
    with sessions.begin() as s:
        close_channel(session=s, team_id=T, channel_id="CDESIGN", reason=LEFT, now=NOW)
    with sessions.begin() as s:
        assert set(pools(s, {"UR": window})["UR"]) == {ts(2, 2)}
