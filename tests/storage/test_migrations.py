"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text

from storage.db import alembic_config, make_engine, upgrade
from storage.fulltext import include_name
from storage.models import Base


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
