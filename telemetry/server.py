"""The metrics server: ``GET /metrics`` (Prometheus) and ``GET /healthz`` on a port of its own.

It runs in both modes, so that Socket Mode, which has no events server, can be health-checked
too; and it keeps Kring's internals off the public events endpoint.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import make_wsgi_app

from telemetry.metrics import REGISTRY

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

METRICS_PATH = "/metrics"
HEALTH_PATH = "/healthz"


def metrics_wsgi(healthy: Callable[[], bool]) -> WSGIApplication:
    """``/metrics`` from Kring's registry, and ``/healthz``: 200 while ``healthy()`` holds
    (the database answers), 503 otherwise."""
    prometheus = make_wsgi_app(REGISTRY)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == METRICS_PATH:
            answer: Iterable[bytes] = prometheus(environ, start_response)
            return answer
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            ok = healthy()
            status = "200 OK" if ok else "503 Service Unavailable"
            body: dict[str, object] = {"ok": True} if ok else {"ok": False, "error": "database"}
            return _json(start_response, status, body)
        return _json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})

    return app


def _json(start_response: StartResponse, status: str, body: dict[str, object]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Scrapes every few seconds would drown the log."""


class MetricsServer:
    """Binds at once (an address in use raises OSError before anything else starts);
    ``start()`` serves in a daemon thread until ``stop()``."""

    def __init__(self, host: str, port: int, healthy: Callable[[], bool]) -> None:
        server_class = _Server6 if ":" in host else _Server
        self._server = make_server(
            host, port, metrics_wsgi(healthy), server_class=server_class, handler_class=_Quiet
        )
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name="kring-metrics",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()
