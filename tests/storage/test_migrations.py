"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, text

from storage.db import alembic_config, make_engine, upgrade
from storage.fulltext import include_name
from storage.models import Base

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def test_migrations_match_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_upgrading_twice_is_harmless(engine: Engine) -> None:
    upgrade(engine)
    upgrade(engine)


def test_people_stored_before_departments_get_them_from_their_titles(db_url: str) -> None:
    from alembic import command

    eng = make_engine(db_url)
    cfg = alembic_config(eng.url.render_as_string(hide_password=False))
    try:
        with eng.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0007")
            conn.execute(
                text(
                    "INSERT INTO people (team_id, user_id, name, real_name, display_name, title,"
                    " tz_offset, is_bot, deleted, is_admin, is_owner)"
                    " VALUES (:t, :u, '', '', '', :title, 0, false, false, false, false)"
                ),
                [
                    {"t": "T1", "u": "U1", "title": "Engineer,  Customer Care "},
                    {"t": "T1", "u": "U2", "title": ""},
                    {"t": "T2", "u": "U1", "title": "Designer"},
                ],
            )
        upgrade(eng)
        with eng.connect() as conn:
            rows = conn.execute(
                text("SELECT team_id, user_id, department, department_field FROM people")
            ).all()
        assert sorted(rows) == [
            ("T1", "U1", "customer care", None),
            ("T1", "U2", "", None),
            ("T2", "U1", "designer", None),
        ]
    finally:
        eng.dispose()


def test_tags_stored_before_0013_get_their_authors_and_keep_their_day_counts(
    db_url: str,
) -> None:
    from alembic import command

    eng = make_engine(db_url)
    cfg = alembic_config(eng.url.render_as_string(hide_password=False))

    def tag_days(conn: Connection) -> list[tuple[str, int]]:
        return sorted(
            (tag, int(n)) for tag, n in conn.execute(text("SELECT tag, posts FROM tag_days"))
        )

    try:
        with eng.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0012")
            for pid, user in ((1, "U1"), (2, "U2")):
                conn.execute(
                    text(
                        "INSERT INTO posts (id, team_id, channel_id, ts, user_id, text,"
                        " is_broadcast, links, files, posted_at, reaction_count,"
                        " reactor_count, reply_count, reference_count)"
                        " VALUES (:id, 'T1', 'C1', :ts, :u, '', false, '[]', '[]', :at,"
                        " 0, 0, 0, 0)"
                    ),
                    {"id": pid, "ts": f"1795000000.00000{pid}", "u": user, "at": NOW},
                )
                conn.execute(
                    text(
                        "INSERT INTO post_tags (post_id, tag, team_id, posted_at)"
                        " VALUES (:id, 'design', 'T1', :at)"
                    ),
                    {"id": pid, "at": NOW},
                )
            before = tag_days(conn)
        upgrade(eng)
        with eng.begin() as conn:
            rows = conn.execute(text("SELECT post_id, user_id FROM post_tags")).all()
            assert sorted(rows) == [(1, "U1"), (2, "U2")]
            assert tag_days(conn) == before == [("design", 2)]
            # The day counts still follow a change of what they count.
            conn.execute(text("UPDATE post_tags SET tag = 'ux' WHERE post_id = 1"))
            assert tag_days(conn) == [("design", 1), ("ux", 1)]
    finally:
        eng.dispose()
