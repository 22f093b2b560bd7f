"""Faults: a locked or unreachable database loses no event and stores none twice."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import func, select

from standin.harness import Running, running_kring
from standin.slack import Response, StandinSlack
from storage.models import Post
from tests.databases import database_url


def message(n: int) -> dict[str, object]:
    ts = f"{1764316800 + n}.000100"
    return {
        "type": "message",
        "channel": "C0GENERAL",
        "user": "U0BOB",
        "text": f"update {n} #ops",
        "ts": ts,
        "event_ts": ts,
        "channel_type": "channel",
    }


def stored(kring: Running) -> int:
    with kring.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Post)) or 0)


def deliver_like_slack(kring: Running, n: int, *, attempts: int = 6, wait: float = 0.5) -> int:
    """Send event ``n`` and retry it as Slack does until it is acknowledged; returns attempts."""
    for attempt in range(attempts):
        answer: Response = kring.slack.post_event(
            message(n), event_id=f"Ev{n}", retry_num=attempt or None
        )
        if answer.status == 200:
            return attempt + 1
        time.sleep(wait)
    raise AssertionError(f"event {n} never acknowledged")


@pytest.fixture
def sqlite_kring(tmp_path: Path, standin: StandinSlack) -> Iterator[tuple[Running, Path]]:
    path = tmp_path / "kring.db"
    with running_kring(f"sqlite:///{path}", standin) as kring:
        yield kring, path


def test_locked_sqlite_database_delays_but_loses_nothing(
    sqlite_kring: tuple[Running, Path],
) -> None:
    kring, path = sqlite_kring
    blocker = sqlite3.connect(path, timeout=1, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    results: list[int] = []
    senders = [
        threading.Thread(target=lambda n=n: results.append(deliver_like_slack(kring, n)))
        for n in range(10)
    ]
    for sender in senders:
        sender.start()
    time.sleep(2)  # the database stays locked for two seconds while events arrive
    blocker.execute("COMMIT")
    blocker.close()
    for sender in senders:
        sender.join(timeout=60)
    assert len(results) == 10
    # Retries of everything once more: still one post per message.
    for n in range(10):
        assert kring.slack.post_event(message(n), event_id=f"Ev{n}", retry_num=3).status == 200
    assert stored(kring) == 10


class PausableProxy:
    """A TCP proxy to the database that can refuse connections, like a database going away."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = threading.Event()
        self.up.set()
        self.links: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.links += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def go_down(self) -> None:
        self.up.clear()
        with self.lock:
            for s in self.links:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
            self.links.clear()

    def come_back(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.go_down()
        self.listener.close()


def test_unreachable_postgresql_is_survived_without_a_restart(
    tmp_path: Path, standin: StandinSlack
) -> None:
    with database_url("postgresql", tmp_path) as url:
        parts = urlsplit(url)
        proxy = PausableProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
        netloc = (
            f"{parts.username}@127.0.0.1:{proxy.port}"
            if parts.username
            else f"127.0.0.1:{proxy.port}"
        )
        proxied = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
        try:
            with running_kring(proxied, standin) as kring:
                assert kring.slack.post_event(message(0), event_id="Ev0").status == 200
                proxy.go_down()
                during = kring.slack.post_event(message(1), event_id="Ev1")
                assert during.status != 200, (
                    "an event that was not written must not be acknowledged"
                )
                proxy.come_back()
                # Slack retries; the same process recovers on its own.
                deliver_like_slack(kring, 1)
                deliver_like_slack(kring, 2)
                assert stored(kring) == 3
        finally:
            proxy.close()


def stall(url: str, count: int) -> list[socket.socket]:
    """Open ``count`` connections that each send half a request and then nothing more."""
    parts = urlsplit(url)
    stalled = []
    for _ in range(count):
        conn = socket.create_connection((parts.hostname, parts.port), timeout=5)
        conn.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: kring\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"type": "event_'
        )
        stalled.append(conn)
    return stalled


def still_open(conn: socket.socket) -> bool:
    conn.setblocking(False)
    try:
        return conn.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def test_stalled_connections_neither_keep_slack_out_nor_stay_open(kring: Running) -> None:
    stalled = stall(kring.url, 150)
    try:
        answer = kring.slack.post_event(message(1), event_id="EvStalled")
        # Answered while every stalled connection was still held: not because they timed out.
        assert answer.status == 200
        assert all(still_open(conn) for conn in stalled)
        assert stored(kring) == 1
        # A connection that stops halfway is closed soon after (CHANNEL_TIMEOUT, 10 s).
        deadline = time.monotonic() + 60
        while any(still_open(conn) for conn in stalled) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not any(still_open(conn) for conn in stalled)
    finally:
        for conn in stalled:
            conn.close()
