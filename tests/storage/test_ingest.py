"""Recording a batch of posts at once, and the group-commit writer."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from storage.models import Mention, Person, Post, PostTag, Reference
from storage.posts import NewPost, Ref, delete_post, get_post, record_posts
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


def post_1_deleted_u2_and_u9_unrecorded(sessions: sessionmaker[Session], *, how: str) -> None:
    """Post 1 was deleted in Slack before its event came; U2 and U9 ``how`` (opted out or
    were forgotten)."""
    with sessions.begin() as s:
        delete_post(session=s, team_id="T1", channel_id="C1", ts=post(1).ts, now=NOW)
        for user_id in ("U2", "U9"):
            s.add(Person(team_id="T1", user_id=user_id, **{how: True}))


UNRECORDED = pytest.mark.parametrize("how", ["opted_out", "forgotten"])


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


@UNRECORDED
def test_batch_skips_deleted_messages_and_authors_not_to_record(
    sessions: sessionmaker[Session], how: str
) -> None:
    post_1_deleted_u2_and_u9_unrecorded(sessions, how=how)
    with sessions.begin() as s:
        assert record_posts(session=s, posts=[post(1), post(2), post(3)]) == [False, False, True]
    with sessions.begin() as s:
        assert count(s, Post) == 1
        assert count(s, PostTag) == 2
        assert count(s, Mention) == 0  # mentions of U9 are not recorded either


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


@UNRECORDED
def test_writer_skips_deleted_and_unrecorded_and_counts_replies(
    sessions: sessionmaker[Session], how: str
) -> None:
    post_1_deleted_u2_and_u9_unrecorded(sessions, how=how)
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
        assert count(s, Mention) == 0  # mentions of U9 are not recorded
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


@pytest.mark.parametrize("bad_first", [True, False])
def test_a_bad_post_fails_alone_and_its_batch_neighbour_is_stored(
    sessions: sessionmaker[Session], bad_first: bool
) -> None:
    writer = PostWriter(sessions, linger=0.5)  # long enough for both posts to share a batch
    bad = post(1, user_id="U" + "x" * 100)  # longer than the column allows on PostgreSQL
    failed: list[BaseException] = []

    def store(one: NewPost) -> None:
        try:
            writer.store(one)
        except RuntimeError as exc:
            failed.append(exc)

    try:
        first, second = (bad, post(2)) if bad_first else (post(2), bad)
        other = threading.Thread(target=store, args=(first,))
        other.start()
        time.sleep(0.1)
        store(second)
        other.join()
    finally:
        writer.close()
    postgresql = sessions.kw["bind"].dialect.name == "postgresql"
    assert (writer.batches, writer.items) == (1, 2)  # one batch: retried post by post
    assert len(failed) == (1 if postgresql else 0)
    with sessions.begin() as s:
        assert get_post(session=s, team_id="T1", channel_id="C1", ts=post(2).ts) is not None


def test_writer_counts_a_share_on_the_original(sessions: sessionmaker[Session]) -> None:
    original = post(1)
    share = post(2, refs=(Ref("C1", original.ts, None),))
    writer = PostWriter(sessions)
    try:
        writer.store(original)
        writer.store(share)
        writer.store(share)  # a retry counts nothing twice
    finally:
        writer.close()
    with sessions.begin() as s:
        stored = get_post(session=s, team_id="T1", channel_id="C1", ts=original.ts)
        assert stored is not None and stored.reference_count == 1
        assert s.scalar(select(Reference.author_id)) == original.user_id  # from the original


def drop(conn: Connection) -> None:
    """The database ends ``conn``, as a restart would."""
    if conn.dialect.name == "postgresql":
        with conn.begin():
            pid = conn.scalar(text("SELECT pg_backend_pid()"))
        admin = create_engine(conn.engine.url, poolclass=NullPool)
        with admin.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.dispose()
        return
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    dbapi.close()


def test_writer_survives_a_connection_the_database_dropped(
    sessions: sessionmaker[Session],
) -> None:
    writer = PostWriter(sessions)
    try:
        writer.store(post(1))
        assert writer.conn is not None
        drop(writer.conn)
        # The next batch fails on it, is written again on a new connection and nobody hears
        # of it.
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
        # Wait until the leader took its batch and is writing it.
        deadline = time.monotonic() + 5
        while not (writer.writing and not writer.pending) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert writer.writing and not writer.pending
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


def test_everyone_seen_gets_a_person_row_and_existing_rows_stay_as_they_are(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        record_posts(session=s, posts=[post(1)])
        assert {(p.user_id, p.opted_out) for p in s.scalars(select(Person))} == {
            ("U1", False),
            ("U9", False),
        }
        s.add(Person(team_id="T1", user_id="U2", opted_out=True, real_name="Two"))
    with sessions.begin() as s:
        # U2 opted out: their post is skipped and their row left as it is.
        assert record_posts(session=s, posts=[post(2), post(4)]) == [False, True]
    with sessions.begin() as s:
        assert count(s, Person) == 3
        two = s.get(Person, ("T1", "U2"))
        assert two is not None and (two.opted_out, two.real_name) == (True, "Two")


def test_sqlite_is_recent_enough_for_returning() -> None:
    # INSERT … RETURNING, which tells which posts of a batch were new, came in SQLite 3.35.
    assert sqlite3.sqlite_version_info >= (3, 35)
