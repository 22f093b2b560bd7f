"""SQLite's way to store a batch of posts: one INSERT into a TEMP view whose trigger does the rest.

Why: written as separate statements (the posts INSERT and a step per row it returned, then tags
and mentions), a batch cost about 1 ms of CPU and, under load, 2.7 ms of wall time while its
requests waited: each statement is a driver call that binds its parameters and gives up and
retakes the GIL at every step. As one statement (BEGIN, one multi-row INSERT, COMMIT) a batch
costs about 0.85 ms of CPU, and the ingest cost ratio fell from 1.82 to 1.65 (medians of
alternating runs of ``benchmarks.ingest``). The INSTEAD OF trigger stores each post with its
tags, mentions and reply count inside SQLite.

The rules are the same as on PostgreSQL (``storage.posts``): a post is stored unless it is
stored already, was deleted in Slack first, its channel is closed, or its author opted out, was
forgotten or is a bot; mentions of people who opted out or were forgotten are left out. The
tests of ``record_posts`` run on both databases.

The view and the trigger are TEMP objects of the connection, created the first time it stores
posts, never when it connects: a TEMP trigger that names a table a migration drops and builds
again makes the migration fail, so ``storage.db.upgrade`` drops them (:data:`DROP`) first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Dialect, MetaData, Table, insert

from storage.models import ClosedChannel, DeletedMessage, Mention, Person, Post, PostTag
from storage.prepared import prepared

VIEW = "kring_ingest"
# While the trigger runs for one row: the id of the post it stored (or nothing).
CURRENT = "kring_ingest_current"
# Keys of the posts stored, for a caller that asked (``report``) to read and clear.
STORED = "kring_ingest_stored"

_POST_COLUMNS = tuple(c.name for c in Post.__table__.columns if c.name != "id")

# The view's columns: a new post row, its tags and the people it mentions (JSON arrays), and
# whether to report it in STORED.
view = Table(
    VIEW,
    MetaData(),
    *(Column(c.name, c.type) for c in Post.__table__.columns if c.name != "id"),
    Column("tags", JSON),
    Column("mentions", JSON),
    Column("report", Boolean),
)


def _ddl() -> list[str]:
    posts, tags, mentions = Post.__tablename__, PostTag.__tablename__, Mention.__tablename__
    people, deleted = Person.__tablename__, DeletedMessage.__tablename__
    closed = ClosedChannel.__tablename__
    columns = ", ".join(_POST_COLUMNS)
    values = ", ".join(f"NEW.{name}" for name in _POST_COLUMNS)
    key = "team_id = NEW.team_id AND channel_id = NEW.channel_id"

    def unrecorded(user: str, *, or_bot: bool = False) -> str:
        bot = f" OR {people}.is_bot" if or_bot else ""
        return (
            f"SELECT 1 FROM {people} WHERE {people}.team_id = NEW.team_id"
            f" AND {people}.user_id = {user} AND ({people}.opted_out OR {people}.forgotten{bot})"
        )

    # In a trigger, changes() counts what the trigger's previous statement changed, and
    # last_insert_rowid() is the row it inserted. `WHERE true` keeps SQLite from reading
    # `ON CONFLICT` as part of the SELECT's join.
    trigger = f"""
        CREATE TEMP TRIGGER IF NOT EXISTS {VIEW}_insert INSTEAD OF INSERT ON {VIEW}
        BEGIN
            INSERT INTO {posts} ({columns})
            SELECT {values}
            WHERE NOT EXISTS (SELECT 1 FROM {deleted} WHERE {key} AND ts = NEW.ts)
              AND NOT EXISTS (SELECT 1 FROM {closed} WHERE {key})
              AND NOT EXISTS ({unrecorded("NEW.user_id", or_bot=True)})
            ON CONFLICT DO NOTHING;
            INSERT INTO {CURRENT} (post_id) SELECT last_insert_rowid() WHERE changes() = 1;
            INSERT INTO {tags} (post_id, tag, team_id, posted_at)
            SELECT c.post_id, t.value, NEW.team_id, NEW.posted_at
            FROM {CURRENT} AS c, json_each(NEW.tags) AS t WHERE true
            ON CONFLICT DO NOTHING;
            INSERT INTO {mentions} (post_id, user_id, team_id)
            SELECT c.post_id, m.value, NEW.team_id
            FROM {CURRENT} AS c, json_each(NEW.mentions) AS m
            WHERE NOT EXISTS ({unrecorded("m.value")})
            ON CONFLICT DO NOTHING;
            UPDATE {posts} SET reply_count = (
                SELECT count(*) FROM {posts} AS r
                WHERE r.team_id = NEW.team_id AND r.channel_id = NEW.channel_id
                  AND r.thread_ts = NEW.thread_ts AND r.ts != NEW.thread_ts
            )
            WHERE {key} AND ts = NEW.thread_ts AND NEW.thread_ts != NEW.ts
              AND EXISTS (SELECT 1 FROM {CURRENT});
            INSERT INTO {STORED} (team_id, channel_id, ts)
            SELECT NEW.team_id, NEW.channel_id, NEW.ts FROM {CURRENT} WHERE NEW.report;
            DELETE FROM {CURRENT};
        END
    """
    return [
        f"CREATE TEMP TABLE IF NOT EXISTS {CURRENT} (post_id INTEGER PRIMARY KEY)",
        f"CREATE TEMP TABLE IF NOT EXISTS {STORED} (team_id TEXT, channel_id TEXT, ts TEXT)",
        f"CREATE TEMP VIEW IF NOT EXISTS {VIEW} AS SELECT "
        + ", ".join(f"NULL AS {c.name}" for c in view.columns),
        trigger,
    ]


DDL = _ddl()
# Dropped before migrating (see the module docstring); the trigger goes with its view.
DROP = [
    f"DROP VIEW IF EXISTS temp.{VIEW}",
    f"DROP TABLE IF EXISTS temp.{CURRENT}",
    f"DROP TABLE IF EXISTS temp.{STORED}",
]


def write(
    cursor: Any, dialect: Dialect, rows: Sequence[Mapping[str, Any]], *, report: bool
) -> set[tuple[str, str, str]] | None:
    """Store the rows (each holds every column of :data:`view`) in the caller's transaction;
    with ``report``, the (team, channel, ts) keys of the posts stored now, else None."""
    statement = prepared("sqlite_ingest.insert", dialect, lambda: insert(view))
    params = [statement.params(row) for row in rows]
    try:
        statement.execute_many(cursor, params)
    except sqlite3.OperationalError as exc:
        if VIEW not in str(exc):
            raise
        for ddl in DDL:
            cursor.execute(ddl)
        statement.execute_many(cursor, params)
    if not report:
        return None
    stored = {(str(t), str(c), str(s)) for t, c, s in cursor.execute(f"SELECT * FROM {STORED}")}
    cursor.execute(f"DELETE FROM {STORED}")
    return stored
