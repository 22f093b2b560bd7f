"""The HTTP front: Slack's requests at POST /slack/events, health at GET /healthz, on waitress.

The endpoint faces the internet. A request is checked against Slack's signature before any of
it is parsed, so junk from strangers gets a 401 however it is shaped; what a refused request
carried is never logged (see :mod:`bot.refusals`). waitress refuses oversized bodies before
reading them and drops connections that stall.
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine

from bot import refusals
from bot.refusals import RefusalLog
from storage.db import ping
from telemetry.metrics import UNVERIFIED, observe_request

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's requests are small; a body this big or bigger is not Slack's and is refused (by
# waitress, from its Content-Length) before it is read.
MAX_BODY = 1_000_000
# Slack's own rule: a signed request more than five minutes old may be a replay.
MAX_SIGNATURE_AGE = 5 * 60
_TIMESTAMP = re.compile(r"[0-9]{1,12}")

# waitress for an endpoint strangers can reach. Slack sends each request whole within
# milliseconds, so a connection that sits idle or half-sent this long is closed (checked every
# CLEANUP_INTERVAL). Stalled connections cost no worker thread, only a slot: with room for
# many, a few hundred of them can't keep Slack's requests out until they time out. (500 stays
# clear of the common limit of 1,024 open files per process.)
CHANNEL_TIMEOUT = 10
CLEANUP_INTERVAL = 1
CONNECTION_LIMIT = 500
MAX_HEADERS = 64 * 1024


def _plain(start_response: StartResponse, status: str, body: dict[str, Any]) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


def refusal(
    verifier: SignatureVerifier, environ: WSGIEnvironment, body: bytes, now: float
) -> str | None:
    """Why a request is not Slack's (one of :mod:`bot.refusals`' reasons), or None if it is.

    Every header is checked for shape before ``SignatureVerifier`` sees it, as it raises on a
    timestamp that is not a number, a body that is not UTF-8 and a signature that is not ASCII.
    """
    timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
    signature = str(environ.get("HTTP_X_SLACK_SIGNATURE") or "")
    if not timestamp or not signature:
        return refusals.UNSIGNED
    if not _TIMESTAMP.fullmatch(timestamp):
        return refusals.BAD_TIMESTAMP
    if abs(now - int(timestamp)) > MAX_SIGNATURE_AGE:
        return refusals.STALE
    if not signature.isascii():
        return refusals.BAD_SIGNATURE
    try:
        body.decode("utf-8")  # Slack sends UTF-8; the verifier decodes the body to sign it
    except UnicodeDecodeError:
        return refusals.BAD_SIGNATURE
    if not verifier.is_valid(body, timestamp, signature):
        return refusals.BAD_SIGNATURE
    return None


def make_wsgi(
    app: App,
    engine: Engine,
    *,
    signing_secret: str,
    refused: RefusalLog | None = None,
) -> Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]:
    """One WSGI callable that routes Slack's path to Bolt and answers health checks.

    Requests to Slack's path reach Bolt only with a valid signature made with
    ``signing_secret`` (Bolt's own check, which parses and logs a request before refusing it,
    is switched off in :func:`bot.app.build_bolt`).
    """
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    verifier = SignatureVerifier(signing_secret)
    refused = refused or RefusalLog()

    def unauthorized(start_response: StartResponse) -> Iterable[bytes]:
        return _plain(start_response, "401 Unauthorized", {"ok": False, "error": "invalid_request"})

    def from_slack(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        raw_length = str(environ.get("CONTENT_LENGTH") or "0")
        if not raw_length.isdigit() or not raw_length.isascii():
            refused.refused(refusals.BAD_LENGTH, 0)
            return _plain(start_response, "400 Bad Request", {"ok": False})
        length = int(raw_length)
        if length >= MAX_BODY:
            refused.refused(refusals.TOO_LARGE, length)
            return _plain(start_response, "413 Payload Too Large", {"ok": False})
        body = environ["wsgi.input"].read(length) if length else b""
        arrived = time.perf_counter()
        reason = refusal(verifier, environ, body, time.time())
        if reason is not None:
            refused.refused(reason, len(body))
            # Counted here: an unsigned request never reaches Bolt, where the others are counted.
            observe_request(UNVERIFIED, 401, time.perf_counter() - arrived)
            return unauthorized(start_response)
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            return slack(environ, start_response)
        except ValueError:
            # Signed, so Slack's (or made with the secret), yet not JSON or a form Bolt reads.
            refused.refused(refusals.UNREADABLE, len(body))
            return _plain(start_response, "400 Bad Request", {"ok": False})

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            if ping(engine):
                return _plain(start_response, "200 OK", {"ok": True})
            return _plain(
                start_response, "503 Service Unavailable", {"ok": False, "error": "database"}
            )
        if path == EVENTS_PATH and method == "POST":
            return from_slack(environ, start_response)
        return _plain(start_response, "404 Not Found", {"ok": False, "error": "not_found"})

    return wsgi


class HttpServer:
    """waitress (multi-threaded, production-grade) with a graceful stop.

    ``serve()`` runs the network loop in the calling thread until ``stop()`` — callable from a
    signal handler or another thread — then stops accepting, lets requests in flight finish
    (up to ``drain_seconds``) and closes every connection.
    """

    def __init__(
        self,
        wsgi: Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]],
        *,
        host: str = "0.0.0.0",
        port: int = 3000,
        threads: int = 8,
    ) -> None:
        from waitress.server import create_server

        self._server: Any = create_server(
            wsgi,
            host=host,
            port=port,
            threads=threads,
            ident="kring",
            max_request_body_size=MAX_BODY,
            max_request_header_size=MAX_HEADERS,
            channel_timeout=CHANNEL_TIMEOUT,
            cleanup_interval=CLEANUP_INTERVAL,
            connection_limit=CONNECTION_LIMIT,
            asyncore_use_poll=True,
        )
        self._stop = threading.Event()
        self.stopped = threading.Event()

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    def stop(self) -> None:
        self._stop.set()

    def _busy(self) -> bool:
        dispatcher = self._server.task_dispatcher
        if dispatcher.queue or dispatcher.active_count:
            return True
        return any(
            channel.requests or channel.total_outbufs_len
            for channel in list(self._server.active_channels.values())
        )

    def serve(self, *, drain_seconds: float = 8.0) -> None:
        from waitress import wasyncore

        server = self._server
        try:
            while not self._stop.is_set():
                wasyncore.loop(timeout=0.2, map=server._map, use_poll=True, count=1)
            # Stop accepting: close only the listening socket, keep open connections flowing.
            wasyncore.dispatcher.close(server)
            deadline = time.monotonic() + drain_seconds
            while self._busy() and time.monotonic() < deadline:
                wasyncore.loop(timeout=0.05, map=server._map, use_poll=True, count=1)
            server.task_dispatcher.shutdown(cancel_pending=True, timeout=1)
            wasyncore.close_all(server._map)
        finally:
            self.stopped.set()
