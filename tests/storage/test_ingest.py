"""Recording a batch of posts at once, and the group-commit writer."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Mention, Person, Post, PostTag
from storage.posts import NewPost, delete_post, get_post, record_posts
from storage.writer import PostWriter

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def post(n: int, **kw: object) -> NewPost:
    values: dict[str, object] = {
        "team_id": "T1",
        "channel_id": "C1",
        "ts": f"17000000{n:02d}.000100",
        "user_id": f"U{n % 3}",
        "text": f"post {n} #ops <@U9>",
        "tags": frozenset({"ops", f"t{n}"}),
        "mentions": frozenset({"U9"}),
    }
    values.update(kw)
    return NewPost(**values)  # type: ignore[arg-type]


def count(s: Session, model: type) -> int:
    return int(s.scalar(select(func.count()).select_from(model)) or 0)


def post_1_deleted_u2_and_u9_unrecorded(sessions: sessionmaker[Session], *, u9: Person) -> None:
    """Post 1 was deleted in Slack before its event came; U2 opted out; U9 is ``u9``."""
    u9.team_id, u9.user_id = "T1", "U9"
    with sessions.begin() as s:
        delete_post(session=s, team_id="T1", channel_id="C1", ts=post(1).ts, now=NOW)
        s.add(Person(team_id="T1", user_id="U2", opted_out=True))
        s.add(u9)


def test_batch_stores_each_post_once_with_tags_mentions_and_people(
    sessions: sessionmaker[Session],
) -> None:
    batch = [post(1), post(2), post(1), post(3)]
    with sessions.begin() as s:
        assert record_posts(session=s, posts=batch) == [True, True, False, True]
    with sessions.begin() as s:
        assert record_posts(session=s, posts=[post(2), post(4)]) == [False, True]
    with sessions.begin() as s:
        assert count(s, Post) == 4
        assert count(s, PostTag) == 8
        assert count(s, Mention) == 4
        assert count(s, Person) == 4  # U0, U1, U2 and the mentioned U9


def test_batch_skips_deleted_messages_and_opted_out_authors(
    sessions: sessionmaker[Session],
) -> None:
    post_1_deleted_u2_and_u9_unrecorded(sessions, u9=Person(opted_out=True))
    with sessions.begin() as s:
        assert record_posts(session=s, posts=[post(1), post(2), post(3)]) == [False, False, True]
    with sessions.begin() as s:
        assert count(s, Post) == 1
        assert count(s, Mention) == 0  # U9 opted out: mentions of them are not recorded


def test_batch_counts_thread_replies(sessions: sessionmaker[Session]) -> None:
    parent = post(1)
    replies = [post(n, thread_ts=parent.ts) for n in (2, 3)]
    with sessions.begin() as s:
        record_posts(session=s, posts=[parent, *replies])
    with sessions.begin() as s:
        stored = get_post(session=s, team_id="T1", channel_id="C1", ts=parent.ts)
        assert stored is not None and stored.reply_count == 2


def test_writer_stores_concurrent_posts_once_each(sessions: sessionmaker[Session]) -> None:
    writer = PostWriter(sessions)
    errors: list[BaseException] = []

    def send(n: int) -> None:
        try:
            writer.store(post(n % 20))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.close()
    assert errors == []
    with sessions.begin() as s:
        assert count(s, Post) == 20
        assert count(s, PostTag) == 40
        assert count(s, Mention) == 20


def test_writer_skips_deleted_and_opted_out_and_counts_replies(
    sessions: sessionmaker[Session],
) -> None:
    post_1_deleted_u2_and_u9_unrecorded(sessions, u9=Person(forgotten=True))
    writer = PostWriter(sessions)
    try:
        parent = post(3)
        for one in (post(1), post(2), parent, post(4, thread_ts=parent.ts), post(4)):
            writer.store(one)
    finally:
        writer.close()
    with sessions.begin() as s:
        assert sorted(p.ts for p in s.scalars(select(Post))) == [post(3).ts, post(4).ts]
        assert count(s, PostTag) == 4
        assert count(s, Mention) == 0  # U9 was forgotten: mentions of them are not recorded
        stored = get_post(session=s, team_id="T1", channel_id="C1", ts=parent.ts)
        assert stored is not None and stored.reply_count == 1


def test_writer_reports_a_failed_write(sessions: sessionmaker[Session]) -> None:
    writer = PostWriter(sessions)
    bad = post(1, user_id="U" + "x" * 100)  # longer than the column allows on PostgreSQL
    good = post(2)
    try:
        writer.store(good)
        if sessions.kw["bind"].dialect.name == "postgresql":
            with pytest.raises(RuntimeError):
                writer.store(bad)
    finally:
        writer.close()


def test_writer_survives_a_broken_connection(sessions: sessionmaker[Session]) -> None:
    writer = PostWriter(sessions)
    try:
        writer.store(post(1))
        assert writer.conn is not None
        # The database drops the writer's connection (a restart, say): the next batch fails
        # on it, is written again on a fresh connection and nobody hears of it.
        dbapi = writer.conn.dbapi_connection
        assert dbapi is not None
        dbapi.close()
        writer.store(post(2))
        writer.store(post(2))  # a retry still stores nothing twice
    finally:
        writer.close()
    with sessions.begin() as s:
        assert count(s, Post) == 2
        assert count(s, PostTag) == 4


def test_a_post_that_waits_too_long_is_refused_and_the_queue_moves_on(
    sessions: sessionmaker[Session],
) -> None:
    writer = PostWriter(sessions)
    leader_done: list[bool] = []
    blocker = sessions()
    try:
        # Another transaction holds what the leader needs (SQLite's write lock; on
        # PostgreSQL the same message key, not yet committed), so the leader's write waits.
        blocker.begin()
        record_posts(session=blocker, posts=[post(1)])

        def lead() -> None:
            writer.store(post(1))
            leader_done.append(True)

        leader = threading.Thread(target=lead)
        leader.start()
        deadline = time.monotonic() + 5
        while not writer.leading and time.monotonic() < deadline:
            time.sleep(0.01)
        assert writer.leading
        with pytest.raises(TimeoutError):
            writer.store(post(2), timeout=0.2)
        assert writer.pending == []  # it gave up its place: nobody is left to lead it
        blocker.rollback()
        leader.join(10)
        assert leader_done == [True]
        writer.store(post(3))  # the queue still moves
    finally:
        blocker.close()
        writer.close()
    with sessions.begin() as s:
        assert sorted(p.ts for p in s.scalars(select(Post))) == [post(1).ts, post(3).ts]


def test_writer_waits_for_requests_in_flight_but_not_forever(
    sessions: sessionmaker[Session],
) -> None:
    writer = PostWriter(sessions, linger=0.05)
    try:
        writer.request_started()  # a request that never hands over a post
        started = time.monotonic()
        writer.store(post(1))  # this thread's request: it stored its post
        writer.request_finished()
        assert time.monotonic() - started < 5
        writer.request_started()
        writer.request_finished()
        assert writer.expected == 0
    finally:
        writer.close()


def test_people_known_to_the_caller_are_not_written_again(
    sessions: sessionmaker[Session],
) -> None:
    seen: set[tuple[str, str]] = set()
    with sessions.begin() as s:
        record_posts(session=s, posts=[post(1)], new_people=seen)
    assert seen == {("T1", "U1"), ("T1", "U9")}
    with sessions.begin() as s:
        s.add(Person(team_id="T1", user_id="U2", opted_out=True))
    later: set[tuple[str, str]] = set()
    with sessions.begin() as s:
        # U2 opted out: their post is skipped and their row left as it is.
        assert record_posts(
            session=s, posts=[post(2), post(4)], known_people=seen, new_people=later
        ) == [False, True]
    # U1 and U9 were known already; U2 has a row now for sure (the one they had, untouched).
    assert later == {("T1", "U2")}
    with sessions.begin() as s:
        assert count(s, Person) == 3
        assert s.get(Person, ("T1", "U2")).opted_out is True  # type: ignore[union-attr]
