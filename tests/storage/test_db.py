"""Engine and session set-up: what SQLite locks, and read-only sessions on both databases."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.db import read_only
from storage.models import Post


def other_writer_gets_in(engine: Engine) -> bool:
    """Whether another connection can write right now (without waiting for a lock)."""
    path = engine.url.database
    assert path
    conn = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("CREATE TABLE IF NOT EXISTS scratch (x INTEGER)")
        conn.execute("INSERT INTO scratch VALUES (1)")
        conn.execute("COMMIT")
        return True
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return False
    finally:
        conn.close()


def sqlite_only(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")


def test_a_read_only_session_leaves_sqlite_free_for_writers(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    sqlite_only(engine)
    with read_only(sessions).begin() as session:
        assert session.scalar(select(func.count()).select_from(Post)) == 0
        assert other_writer_gets_in(engine)


def test_an_ordinary_session_takes_sqlites_write_lock_up_front(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    sqlite_only(engine)
    with sessions.begin() as session:
        session.scalar(select(func.count()).select_from(Post))
        assert not other_writer_gets_in(engine)
    assert other_writer_gets_in(engine)


def test_read_only_sessions_read_on_both_databases(sessions: sessionmaker[Session]) -> None:
    with read_only(sessions).begin() as session:
        assert session.scalar(select(func.count()).select_from(Post)) == 0
