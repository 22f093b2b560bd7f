"""SQLite's ingest trigger: the TEMP objects it leaves on a connection never get in a migration's way."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from storage.db import upgrade
from storage.posts import NewPost, record_posts

REBUILD = [
    # What Alembic's batch mode does to change a table on SQLite.
    "CREATE TABLE _rebuilt AS SELECT * FROM deleted_messages",
    "DROP TABLE deleted_messages",
    "ALTER TABLE _rebuilt RENAME TO deleted_messages",
]


def temp_objects(conn: Connection) -> set[str]:
    with conn.begin():
        rows = conn.exec_driver_sql("SELECT name FROM sqlite_temp_master WHERE type != 'index'")
        return {str(name) for (name,) in rows}


def store_a_post(conn: Connection) -> None:
    post = NewPost(team_id="T1", channel_id="C1", ts="1700000000.000100", user_id="U1", text="hi")
    with Session(bind=conn) as session, session.begin():
        assert record_posts(session=session, posts=[post]) == [True]


def test_a_table_rebuild_fails_while_the_ingest_trigger_is_there(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's ingest trigger")
    with engine.connect() as conn:
        store_a_post(conn)
        assert "kring_ingest_insert" in temp_objects(conn)
        with pytest.raises(Exception, match="kring_ingest_insert"), conn.begin():
            for statement in REBUILD:
                conn.exec_driver_sql(statement)


def test_upgrade_drops_the_ingest_trigger_first(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's ingest trigger")
    with engine.connect() as conn:
        store_a_post(conn)
        dbapi = conn.connection.dbapi_connection
    assert engine.pool.status().count("Connections in pool: 1")  # upgrade gets this one back
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.connection.dbapi_connection is dbapi
        assert temp_objects(conn) == set()
        with conn.begin():
            for statement in REBUILD:
                conn.exec_driver_sql(statement)
        store_a_post_again = NewPost(
            team_id="T1", channel_id="C1", ts="1700000001.000100", user_id="U1", text="again"
        )
        with Session(bind=conn) as session, session.begin():
            assert record_posts(session=session, posts=[store_a_post_again]) == [True]


def test_sqlite_is_recent_enough_for_the_trigger() -> None:
    # json_each and ON CONFLICT in triggers.
    assert sqlite3.sqlite_version_info >= (3, 35)
