"""Helpers shared by the benchmark modules.

* :func:`figure` prints one measured figure as ``name: value unit``;
* :func:`budget` prints ``budget_<name>: ok`` or ``budget_<name>: FAILED (detail)`` and records
  the failure so that ``python -m benchmarks`` exits non-zero;
* :func:`percentile`, :func:`scaled` and :func:`env_float` for the numbers;
* :func:`standin_slack`, :func:`fresh_database`, :func:`serving` and :func:`running_kring` start
  the stand-in Slack, an empty database and a real HTTP server on a free port;
* :class:`Poster` is a keep-alive HTTP client that posts pre-signed bodies.
"""

from __future__ import annotations

import http.client
import logging
import math
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import create_engine, text

from bot.app import Kring, build
from bot.settings import load_settings
from bot.web import EVENTS_PATH, HttpServer, make_wsgi
from tests.slack_standin import StandinSlack, sign

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

Out = Callable[[str, float, str], None]
Wsgi = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]

PG_ENV = "KRING_TEST_DATABASE_URL"
SIGNING_SECRET = "bench-signing-secret-0123456789"
BOT_TOKEN = "xoxb-1111-2222-benchtoken"
TEAM_ID = "T0001"

_failures: list[str] = []


# -- reporting ---------------------------------------------------------------------------------


def _format(value: float) -> str:
    if isinstance(value, int) or (math.isfinite(value) and value == int(value) and value >= 100):
        return str(int(value))
    if abs(value) >= 100:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def figure(name: str, value: float, unit: str) -> None:
    """Print one figure as ``name: value unit``."""
    print(f"{name}: {_format(value)} {unit}", flush=True)


def note(message: str) -> None:
    """An informational line that is not a figure (starts with ``#``, so parsers skip it)."""
    print(f"# {message}", flush=True)


def budget(name: str, ok: bool, detail: str = "") -> None:
    """Print the verdict on one budget and remember a failure for the exit status."""
    if ok:
        print(f"budget_{name}: ok", flush=True)
    else:
        print(f"budget_{name}: FAILED ({detail})", flush=True)
        _failures.append(name)


def failures() -> list[str]:
    """The budgets that failed so far, in order."""
    return list(_failures)


# -- numbers -----------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0-100) with linear interpolation between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a number, got {raw!r}") from None


def scaled(count: int) -> int:
    """``count`` multiplied by BENCH_SCALE (default 1), at least 1."""
    return max(1, round(count * env_float("BENCH_SCALE", 1.0)))


def quiet_logging() -> None:
    """LOG_LEVEL=WARNING for everything, as the benchmarks run Kring with."""
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", force=True
    )


# -- databases ---------------------------------------------------------------------------------


def database_kinds() -> list[str]:
    """'sqlite', plus 'postgresql' when KRING_TEST_DATABASE_URL is set."""
    return ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]


def pg_skipped_note() -> None:
    note(f"postgresql skipped: set {PG_ENV}=postgresql+psycopg://user@host/db to include it")


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """A new, empty database of ``kind`` as a URL; removed afterwards.

    SQLite is a file in a temporary directory; PostgreSQL is a schema ``bench_<hex>`` in the
    KRING_TEST_DATABASE_URL database, selected through ``search_path``.
    """
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="kring-bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'kring-bench.db'}"
        return
    if kind != "postgresql":
        raise ValueError(f"unknown database kind {kind!r}")
    base = os.environ.get(PG_ENV)
    if not base:
        raise RuntimeError(f"{PG_ENV} is not set")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


# -- servers -----------------------------------------------------------------------------------


def user_ids(count: int) -> list[str]:
    return [f"U0BENCH{i:03d}" for i in range(1, count + 1)]


CHANNELS = [
    ("C0GENERAL", "general"),
    ("C0RELEASE", "release"),
    ("C0DESIGN", "design"),
    ("C0BACKEND", "backend"),
    ("C0RANDOM", "random"),
]


@contextmanager
def standin_slack(users: int = 50) -> Iterator[StandinSlack]:
    """The stand-in Slack with ``users`` people and a few public channels."""
    with StandinSlack(team_id=TEAM_ID) as standin:
        for uid in user_ids(users):
            standin.add_user(uid, uid.lower(), real_name=f"Person {uid[-3:]}")
        for cid, name in CHANNELS:
            standin.add_channel(cid, name)
        yield standin


@contextmanager
def serving(wsgi: Wsgi) -> Iterator[str]:
    """Serve ``wsgi`` with Kring's HttpServer on a free port of 127.0.0.1; yields the base URL."""
    server = HttpServer(wsgi, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve, name="bench-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()
        thread.join(timeout=15)


@dataclass
class RunningKring:
    kring: Kring
    url: str


@contextmanager
def running_kring(db_url: str, standin: StandinSlack) -> Iterator[RunningKring]:
    """The real Kring (schema migrated, scheduler off) serving HTTP until the block ends."""
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": standin.url,
            "DATABASE_URL": db_url,
            "KRING_SCHEDULER": "off",
            "LOG_LEVEL": "WARNING",
        }
    )
    kring = build(settings)
    try:
        wsgi = make_wsgi(
            kring.app, kring.engine, signing_secret=SIGNING_SECRET, writer=kring.deps.writer
        )
        with serving(wsgi) as url:
            yield RunningKring(kring=kring, url=url)
    finally:
        kring.close()


# -- client ------------------------------------------------------------------------------------


def signed_request(body: bytes) -> tuple[bytes, dict[str, str]]:
    """``body`` with the headers Slack would send: JSON content type and a v0 signature."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        **sign(SIGNING_SECRET, body),
    }
    return body, headers


def event_envelope(event: dict[str, Any], event_id: str, event_time: int) -> dict[str, Any]:
    """An Events API ``event_callback`` envelope around ``event``, as Slack sends it."""
    return {
        "token": "kring-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": "A0001",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM_ID,
                "user_id": "UKRING",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


class Poster:
    """One keep-alive HTTP/1.1 connection to a server's Slack endpoint (one per thread)."""

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(base_url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def connect(self) -> None:
        """Open the connection now, so that connecting is not part of a timed request."""
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        self._conn.connect()

    def post(self, body: bytes, headers: dict[str, str]) -> int:
        """POST one request and read the whole answer; returns the status (0: no answer).

        No answer within the timeout is 0 at once (the server may still act on the request,
        so sending it again would not be the same request); a kept-alive connection the server
        dropped meanwhile is reopened once.
        """
        for _ in (1, 2):
            reused = self._conn is not None
            if self._conn is None:
                self._conn = http.client.HTTPConnection(
                    self._host, self._port, timeout=self._timeout
                )
            try:
                self._conn.request("POST", EVENTS_PATH, body=body, headers=headers)
                answer = self._conn.getresponse()
                answer.read()
                if answer.will_close:
                    self.close()
                return answer.status
            except TimeoutError:
                self.close()
                return 0
            except (ConnectionError, http.client.HTTPException, OSError):
                self.close()
                if not reused:
                    return 0
        return 0

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def wait_until(deadline: float) -> None:
    """Sleep until ``time.perf_counter()`` reaches ``deadline``."""
    delay = deadline - time.perf_counter()
    if delay > 0:
        time.sleep(delay)
