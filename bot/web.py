"""The HTTP front: Slack's requests at POST /slack/events, health at GET /healthz, on waitress."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine

from storage.db import ping

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's requests are small; a body past this is not Slack and is refused before it is read.
MAX_BODY = 1_000_000


def _plain(start_response: StartResponse, status: str, body: dict[str, Any]) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


def make_wsgi(
    app: App, engine: Engine
) -> Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]:
    """One WSGI callable that routes Slack's path to Bolt and answers health checks."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

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
            length = int(environ.get("CONTENT_LENGTH") or 0)
            if length > MAX_BODY:
                return _plain(start_response, "413 Payload Too Large", {"ok": False})
            return slack(environ, start_response)
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
            wsgi, host=host, port=port, threads=threads, ident="kring"
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
