"""Start the real Kring on a real port, pointed at the stand-in Slack."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.app import Kring, build
from bot.settings import load_settings
from bot.web import HttpServer, make_wsgi
from handlers.deps import utc_now
from tests.slack_standin import SlackToApp, StandinSlack

SIGNING_SECRET = "e2e-signing-secret-0123456789"
BOT_TOKEN = "xoxb-1111-2222-e2etoken"

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


@dataclass
class Running:
    kring: Kring
    url: str
    slack: SlackToApp
    standin: StandinSlack

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.kring.deps.sessions

    @property
    def engine(self) -> Engine:
        return self.kring.engine


@contextmanager
def running_kring(
    db_url: str,
    standin: StandinSlack,
    *,
    clock: Callable[[], datetime] = utc_now,
    env: dict[str, str] | None = None,
) -> Iterator[Running]:
    """Kring serving HTTP on a free port of 127.0.0.1 until the block ends."""
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": standin.url,
            "DATABASE_URL": db_url,
            "KRING_SCHEDULER": "off",
            **(env or {}),
        }
    )
    kring = build(settings, clock=clock)
    server = HttpServer(
        make_wsgi(kring.app, kring.engine, signing_secret=SIGNING_SECRET, writer=kring.deps.writer),
        host="127.0.0.1",
        port=0,
    )
    url = f"http://127.0.0.1:{server.port}"
    thread = threading.Thread(target=server.serve, name="kring-http", daemon=True)
    thread.start()
    try:
        yield Running(
            kring=kring,
            url=url,
            slack=SlackToApp(url + "/slack/events", SIGNING_SECRET, standin),
            standin=standin,
        )
    finally:
        server.stop()
        thread.join(timeout=10)
        kring.close()
