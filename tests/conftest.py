"""Shared fixtures: a migrated database per test on each backend, and a populated stand-in Slack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from standin.slack import StandinSlack
from storage.db import make_engine, make_sessions, upgrade
from tests.databases import database_url

PEOPLE = [
    # user id, handle, real name, title
    ("U0ANN", "ann", "Ann Jansen", "Designer"),
    ("U0BOB", "bob", "Bob de Vries", "Backend engineer"),
    ("U0CAT", "cat", "Cat Smit", "Product manager"),
    ("U0DAN", "dan", "Dan Bakker", "Sales"),
]


def populate(standin: StandinSlack) -> None:
    """A small workspace: four people, a deactivated one, a bot, a few channels."""
    for uid, name, real, title in PEOPLE:
        standin.add_user(uid, name, real_name=real, title=title)
    standin.add_user("U0GONE", "gone", real_name="Former Colleague", deleted=True)
    standin.add_user("U0DEPLOY", "deploybot", is_bot=True)
    standin.add_channel("C0GENERAL", "general")
    standin.add_channel("C0RELEASE", "release")
    standin.add_channel("C0DESIGN", "design")
    standin.add_channel("C0SECRET", "secret", is_private=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessions(engine)


@pytest.fixture
def standin() -> Iterator[StandinSlack]:
    with StandinSlack() as slack:
        populate(slack)
        yield slack
    # Whatever a test checks, nothing sent may be what Slack would refuse (standin.blockkit).
    refused = slack.refusals()
    assert not refused, f"Slack would have refused what was sent: {refused}"
