"""The composition root: settings → engine → sessions → Slack client → Bolt app → listeners.

Nothing here runs at import time; ``build`` wires one Kring and ``Kring.close`` takes it apart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import Engine

import handlers
from bot.settings import Settings
from handlers.backfill import Backfills
from handlers.departments import Departments
from handlers.deps import Deps, utc_now
from storage.db import make_engine, make_sessions, upgrade
from storage.writer import PostWriter
from telemetry.slack import MeteredApp, RateLimitCounter

log = logging.getLogger(__name__)


def build_client(settings: Settings, *, timeout: int = 10) -> WebClient:
    """A Web API client with Slack's retry handlers: 429 Retry-After, 5xx and dropped connections."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=[
            RateLimitCounter(),
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def build_bolt(settings: Settings, client: WebClient, deps: Deps) -> App:
    """The Bolt app with every listener registered."""
    app = MeteredApp(
        client=client,
        signing_secret=settings.slack_signing_secret,
        # Listeners write before Slack hears 200, so an event whose write fails is retried.
        process_before_response=True,
        logger=logging.getLogger("kring.bolt"),
        # bot.web checks the signature before the body is parsed; Bolt's own check comes after
        # parsing (junk got a 500) and logs every refused request's whole body.
        request_verification_enabled=False,
    )

    @app.error
    def _on_error(error: Exception, response: BoltResponse | None) -> None:
        log.error("listener failed: %s", error, exc_info=error)
        if response is not None:
            response.status = 500

    handlers.register_all(app, deps)
    return app


@dataclass
class Kring:
    settings: Settings
    engine: Engine
    deps: Deps
    client: WebClient
    app: App
    scheduler: Any = None
    # Set on SIGTERM: digest passes stop sending and give back what they had not sent yet.
    stopping: threading.Event = field(default_factory=threading.Event)

    def close(self) -> None:
        self.stopping.set()
        self.deps.backfills.close()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        if self.deps.writer is not None:
            self.deps.writer.close()
        self.engine.dispose()


def build(
    settings: Settings,
    *,
    migrate: bool = True,
    clock: Callable[[], datetime] = utc_now,
    engine: Engine | None = None,
) -> Kring:
    """Wire one Kring; brings the schema up to date first unless ``migrate`` is False."""
    engine = engine or make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    sessions = make_sessions(engine)
    deps = Deps(
        engine=engine,
        sessions=sessions,
        clock=clock,
        writer=PostWriter(sessions),
        departments=Departments(settings.department_field),
        backfills=Backfills(days=settings.backfill_days),
        retention_days=settings.retention_days,
    )
    client = build_client(settings)
    app = build_bolt(settings, client, deps)
    return Kring(settings=settings, engine=engine, deps=deps, client=client, app=app)
