"""The one way to start the real Kring against the stand-in Slack.

The end-to-end tests, the benchmarks and ``kring demo`` all use it: Kring built by
:func:`bot.app.build`, served by :class:`bot.web.HttpServer` on a free port of 127.0.0.1, its
Slack API pointed at a :class:`standin.slack.StandinSlack`, and the scheduler off (whoever
drives Kring runs digest passes itself).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.app import Kring, build
from bot.settings import load_settings
from bot.web import EVENTS_PATH, HttpServer, make_wsgi
from handlers.deps import utc_now
from standin.slack import SlackToApp, StandinSlack

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

__all__ = ["BOT_TOKEN", "SIGNING_SECRET", "Running", "running_kring", "serving"]

Wsgi = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]

# Neither leaves the process: the stand-in accepts any xoxb- token, and only SlackToApp signs.
SIGNING_SECRET = "kring-standin-signing-secret-0123456789"
BOT_TOKEN = "xoxb-0000-0000-kringstandin"


@dataclass
class Running:
    """A Kring serving HTTP, and the stand-in Slack it talks to."""

    kring: Kring
    url: str  # http://127.0.0.1:<port>, without a path
    slack: SlackToApp  # plays Slack towards Kring: signed events, commands, clicks
    standin: StandinSlack

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.kring.deps.sessions

    @property
    def engine(self) -> Engine:
        return self.kring.engine


@contextmanager
def serving(wsgi: Wsgi, *, name: str = "kring-http") -> Iterator[str]:
    """Serve ``wsgi`` with Kring's HttpServer on a free port of 127.0.0.1; yields the base URL."""
    server = HttpServer(wsgi, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()
        thread.join(timeout=15)


@contextmanager
def running_kring(
    db_url: str,
    standin: StandinSlack,
    *,
    clock: Callable[[], datetime] = utc_now,
    env: dict[str, str] | None = None,
) -> Iterator[Running]:
    """The real Kring (schema migrated, scheduler off) serving HTTP until the block ends.

    ``env`` adds to or overrides the settings' environment; ``clock`` is Kring's clock.
    """
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
    try:
        with serving(make_wsgi(kring.app, kring.engine, signing_secret=SIGNING_SECRET)) as url:
            yield Running(
                kring=kring,
                url=url,
                slack=SlackToApp(url + EVENTS_PATH, SIGNING_SECRET, standin),
                standin=standin,
            )
    finally:
        # After the server has stopped, so no request is still using the engine.
        kring.close()
