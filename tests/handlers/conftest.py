"""Handler tests call the handlers directly, with a real database and the stand-in Slack."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from handlers.calls import Asker, Call
from handlers.deps import Deps
from standin.slack import StandinSlack
from storage.db import make_engine, make_sessions, upgrade
from tests.conftest import populate

TEAM = "T0001"
ANN = "U0ANN"  # en-US
EVA = "U0EVA"  # nl-NL


@dataclass
class Workspace:
    """Kring's dependencies and a Web API client, pointed at the stand-in Slack."""

    deps: Deps
    client: WebClient
    standin: StandinSlack

    def call(self, session: Session, *args: str, user_id: str = ANN, lang: str = "en") -> Call:
        """One subcommand call by ``user_id`` with arguments ``args``."""
        return Call(
            deps=self.deps,
            client=self.client,
            session=session,
            asker=Asker(TEAM, user_id, lang),
            args=list(args),
        )


def workspace_for(
    engine: Engine, sessions: sessionmaker[Session], standin: StandinSlack
) -> Workspace:
    standin.add_user(EVA, "eva", real_name="Eva Visser", title="Ontwerper", locale="nl-NL")
    client = WebClient(token="xoxb-test", base_url=standin.url)
    return Workspace(Deps(engine=engine, sessions=sessions), client, standin)


@pytest.fixture
def workspace(engine: Engine, sessions: sessionmaker[Session], standin: StandinSlack) -> Workspace:
    """A fresh database on each backend, and the populated stand-in Slack."""
    return workspace_for(engine, sessions, standin)


@pytest.fixture(scope="module")
def shared_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """One SQLite database and stand-in Slack for a whole module of tests that only read, or
    write nothing another test looks at."""
    path: Path = tmp_path_factory.mktemp("shared") / "kring.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with StandinSlack() as standin:
        populate(standin)
        yield workspace_for(engine, make_sessions(engine), standin)
    engine.dispose()
