"""Downgrading the schema never undoes a privacy choice: where it would, it refuses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.migration import MigrationContext
from alembic.util import CommandError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from storage.db import alembic_config, upgrade
from storage.models import Mute, Person

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def downgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@pytest.mark.parametrize("flag", ["opted_out", "forgotten"])
def test_a_downgrade_that_would_drop_opt_outs_refuses_and_keeps_them(
    engine: Engine, sessions: sessionmaker[Session], flag: str
) -> None:
    head = revision(engine)
    with sessions.begin() as s:
        s.add(Person(team_id="T1", user_id="U1", **{flag: True}))
        s.add(Person(team_id="T1", user_id="U2"))

    with pytest.raises(CommandError, match="Refusing to downgrade below 0004: 1 people opted"):
        downgrade(engine, "0003")

    assert revision(engine) == head
    with sessions() as s:
        assert s.scalars(select(Person.user_id).where(getattr(Person, flag))).all() == ["U1"]


def test_a_downgrade_that_would_drop_mutes_refuses_and_keeps_them(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    head = revision(engine)
    with sessions.begin() as s:
        s.add(Mute(team_id="T1", user_id="U1", kind="tag", target="lunch", created_at=NOW))

    with pytest.raises(CommandError, match="Refusing to downgrade below 0003: 1 mutes"):
        downgrade(engine, "base")

    assert revision(engine) == head
    with sessions() as s:
        assert s.scalars(select(Mute.target)).all() == ["lunch"]


def test_a_downgrade_that_loses_no_privacy_choice_goes_ahead(engine: Engine) -> None:
    downgrade(engine, "0002")
    assert revision(engine) == "0002"
    upgrade(engine)
