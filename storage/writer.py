"""Group commit for new posts: one writer thread stores concurrent events in one transaction.

A request thread hands its post to the writer and waits; the writer takes everything queued,
stores it with ``record_posts`` in a single transaction and only then wakes each waiting
request. So an event is still acknowledged only after its post is committed, but many
concurrent events share one transaction, one set of statements and one commit.

How long to wait for company (never more than ``linger``): the web front tells the writer how
many requests are in flight (:meth:`PostWriter.request_started` /
:meth:`PostWriter.request_finished`), and the writer waits while some request in flight has
not handed its post over yet. Besides, it waits ``patience`` times what a write has been
taking lately: nothing worth mentioning when writes are quick (SQLite), while slow commits
(PostgreSQL flushing its WAL) get fuller batches. Posts arriving during a write share the
next transaction anyway.

The writer keeps one connection of its own (no pool check-out, reset or pre-ping per batch).
After a failed batch it drops that connection and writes on a fresh one, so a database that
went away and came back is picked up again; a batch that fails on a reused connection is
tried once more on a new one before any of its requests hears of an error.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from concurrent.futures import Future

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.posts import NewPost, record_posts

log = logging.getLogger(__name__)

Item = tuple[NewPost, Future[bool]]


class PostWriter:
    """Stores posts for many threads at once; ``store`` blocks until the post is committed."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        max_batch: int = 100,
        linger: float = 0.002,
        patience: float = 0.4,
    ) -> None:
        self.sessions = sessions
        self.max_batch = max_batch
        self.linger = linger
        self.patience = patience
        # How long a batch takes to write (moving average, seconds).
        self.write_seconds = 0.0
        self.pending: deque[Item] = deque()
        self.cond = threading.Condition(threading.Lock())
        self.thread: threading.Thread | None = None
        self.closed = False
        # Requests in flight (told by the web front) that have not handed over a post yet:
        # worth waiting for. The flag lives in the request's thread.
        self.expected = 0
        self._request = threading.local()
        # The writer thread's own connection, and the people it knows have a row already.
        self.conn: Connection | None = None
        self.known_people: set[tuple[str, str]] = set()
        # For monitoring and the benchmark: how well concurrent events share transactions.
        self.batches = 0
        self.items = 0

    def request_started(self) -> None:
        """A request came in that may hand over a post: worth waiting for (see the module)."""
        with self.cond:
            self.expected += 1
        self._request.expected = True

    def request_finished(self) -> None:
        """The request is answered (whether or not it stored a post)."""
        if getattr(self._request, "expected", False):
            self._request.expected = False
            with self.cond:
                self.expected -= 1
                self.cond.notify()

    def store(self, post: NewPost, *, timeout: float = 60.0) -> bool:
        """Store one post; True when it is new. Raises when it could not be written."""
        future: Future[bool] = Future()
        with self.cond:
            if self.closed:
                raise RuntimeError("the post writer is closed")
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="post-writer", daemon=True)
                self.thread.start()
            self.pending.append((post, future))
            if getattr(self._request, "expected", False):
                self._request.expected = False
                self.expected -= 1
            self.cond.notify()
        return future.result(timeout=timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Finish what is queued, then stop the writer thread."""
        with self.cond:
            self.closed = True
            thread = self.thread
            self.cond.notify()
        if thread is not None:
            thread.join(timeout)

    def _next_batch(self) -> list[Item] | None:
        """Wait for posts (and, briefly, for company); None once closed with nothing left."""
        with self.cond:
            while not self.pending:
                if self.closed:
                    return None
                self.cond.wait()
            now = time.monotonic()
            hard = now + self.linger
            # Waiting a fraction of what a write takes costs little and, when writes are slow
            # (PostgreSQL waits for its WAL flush), lets the events that are on their way now
            # share the next commit instead of queueing behind it.
            soft = now + min(self.linger, self.patience * self.write_seconds)
            while len(self.pending) < self.max_batch and not self.closed:
                now = time.monotonic()
                if now >= hard or (now >= soft and self.expected <= 0):
                    break
                self.cond.wait((hard if self.expected > 0 else soft) - now)
            count = min(len(self.pending), self.max_batch)
            return [self.pending.popleft() for _ in range(count)]

    def _run(self) -> None:
        try:
            while (batch := self._next_batch()) is not None:
                self._write(batch)
        finally:
            self._disconnect()

    def _connection(self) -> tuple[Connection, bool]:
        """The writer's connection, and whether it is a new one."""
        if self.conn is not None:
            return self.conn, False
        bind = self.sessions.kw["bind"]
        engine: Engine = bind.engine
        self.conn = engine.connect()
        return self.conn, True

    def _disconnect(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.invalidate()
                conn.close()
            except Exception:
                log.debug("closing the writer's connection failed", exc_info=True)

    def _commit(self, posts: list[NewPost]) -> list[bool]:
        """Store ``posts`` in one transaction on the writer's connection."""
        for attempt in (1, 2):
            conn, fresh = self._connection()
            seen: set[tuple[str, str]] = set()
            try:
                with self.sessions(bind=conn) as session, session.begin():
                    results = record_posts(
                        session=session,
                        posts=posts,
                        known_people=self.known_people,
                        new_people=seen,
                    )
            except Exception:
                self._disconnect()
                if fresh or attempt == 2:
                    raise
                log.warning("a post batch failed on a reused connection; trying a new one")
                continue
            self.known_people |= seen
            return results
        raise AssertionError("unreachable")

    def _write(self, batch: list[Item]) -> None:
        self.batches += 1
        self.items += len(batch)
        started = time.monotonic()
        try:
            results = self._commit([post for post, _ in batch])
            self.write_seconds += (time.monotonic() - started - self.write_seconds) / 8
        except Exception:
            if len(batch) == 1:
                log.exception("storing a post failed")
                batch[0][1].set_exception(RuntimeError("storing the post failed"))
                return
            # One bad post must not fail its neighbours: write each on its own.
            self.batches -= 1
            self.items -= len(batch)
            for item in batch:
                self._write([item])
            return
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)
