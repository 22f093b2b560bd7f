"""Group commit for new posts: concurrent events share one transaction, written by one of them.

An event is acknowledged only after its post is committed, so every request waits for a
commit. Instead of one transaction each, requests that arrive together share one: the first
request to find no write going on becomes the *leader*. It takes every post queued (its own
first), stores them with :func:`storage.posts.write_posts` in one transaction and wakes the
requests whose posts it wrote. Requests arriving meanwhile queue up; when the leader is done,
the first of them leads the next batch. No thread of its own: the leader writes in its own
request thread, so a post written alone costs no hand-over between threads at all, and a
batch costs one wake-up per follower.

How long a leader waits for company (never more than ``linger``): the web front tells the
writer how many requests are in flight (:meth:`PostWriter.request_started` /
:meth:`PostWriter.request_finished`), and the leader waits while some request in flight has not
handed its post over yet, for at most ``patience`` times what a write has been taking lately.
That is next to nothing when writes are quick (SQLite), while slow commits (PostgreSQL
flushing its WAL) get fuller batches.

The writer keeps one DBAPI connection of its own, used only by the leader of the moment (no
pool check-out or reset per batch, and no Session: its begin and commit would cost more than
the SQLite transaction they wrap). After a failed batch it drops that connection, so a
database that went away and came back is picked up again; a batch that fails on a reused
connection is tried once more on a new one before any of its requests hears of an error.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.posts import NewPost, write_posts
from storage.prepared import transaction

log = logging.getLogger(__name__)


class _Slot:
    """One request's post, and what became of it; ``ready`` is held until then."""

    __slots__ = ("post", "ready", "failed", "lead")

    def __init__(self, post: NewPost) -> None:
        self.post = post
        self.ready = threading.Lock()
        self.ready.acquire()
        self.failed = False
        # Set instead of an outcome: the previous leader hands the next batch to this request.
        self.lead = False

    def outcome(self) -> None:
        if self.failed:
            raise RuntimeError("storing the post failed")


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
        bind = sessions.kw["bind"]
        self.engine: Engine = bind.engine
        self.max_batch = max_batch
        self.linger = linger
        self.patience = patience
        # How long a batch takes to write (moving average, seconds).
        self.write_seconds = 0.0
        self.cond = threading.Condition(threading.Lock())
        self.pending: list[_Slot] = []
        self.leading = False
        self.closed = False
        # Requests in flight (told by the web front) that have not handed over a post yet:
        # worth waiting for. The flag lives in the request's thread.
        self.expected = 0
        self._request = threading.local()
        # The leader's connection (a pool connection kept for good), and the people known to
        # have a row already. Only the leader of the moment touches either.
        self.conn: Any = None
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

    def store(self, post: NewPost, *, timeout: float = 60.0) -> None:
        """Record one post: returns once it is committed (or found stored already, or not to
        be stored: see :func:`storage.posts.record_posts`). Raises when it could not be
        written."""
        slot = _Slot(post)
        with self.cond:
            if self.closed:
                raise RuntimeError("the post writer is closed")
            self.pending.append(slot)
            if getattr(self._request, "expected", False):
                self._request.expected = False
                self.expected -= 1
            lead = not self.leading
            if lead:
                self.leading = True
            else:
                self.cond.notify()  # a leader may be waiting for company
        if not lead:
            if not slot.ready.acquire(timeout=timeout):
                with self.cond:
                    if slot in self.pending and not slot.lead:
                        self.pending.remove(slot)
                        raise TimeoutError("the post was not written in time")
                # Being written right now, or just handed the lead: see it through.
                slot.ready.acquire()
            if not slot.lead:
                slot.outcome()
                return
        self._lead()
        slot.outcome()

    def close(self, timeout: float = 10.0) -> None:
        """Refuse new posts, let the batch being written finish, then drop the connection."""
        deadline = time.monotonic() + timeout
        with self.cond:
            self.closed = True
            while self.leading and time.monotonic() < deadline:
                self.cond.wait(0.05)
            if not self.leading:
                self._disconnect()

    def _lead(self) -> None:
        """Write the next batch (this request's post is first in the queue), then hand over."""
        with self.cond:
            self._wait_for_company()
            batch = self.pending[: self.max_batch]
            del self.pending[: self.max_batch]
        try:
            self._write(batch)
        finally:
            with self.cond:
                if self.pending:
                    following = self.pending[0]
                    following.lead = True
                    following.ready.release()
                else:
                    self.leading = False
                    self.cond.notify_all()  # close() may be waiting
            for slot in batch[1:]:
                slot.ready.release()

    def _wait_for_company(self) -> None:
        # Waiting a fraction of what a write takes costs little and, when writes are slow
        # (PostgreSQL waits for its WAL flush), lets the events on their way now share this
        # commit instead of queueing behind it. Called with the lock held.
        if self.expected <= 0 or self.write_seconds <= 0:
            return
        deadline = time.monotonic() + min(self.linger, self.patience * self.write_seconds)
        while self.expected > 0 and len(self.pending) < self.max_batch:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.cond.wait(left)

    def _connection(self) -> tuple[Any, bool]:
        """The writer's DBAPI connection, and whether it is a new one."""
        if self.conn is not None:
            return self.conn, False
        self.conn = self.engine.raw_connection()
        return self.conn, True

    def _disconnect(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.invalidate()
            except Exception:
                log.debug("closing the writer's connection failed", exc_info=True)

    def _commit(self, posts: list[NewPost]) -> None:
        """Store ``posts`` in one transaction on the writer's connection."""
        for attempt in (1, 2):
            conn, fresh = self._connection()
            seen: set[tuple[str, str]] = set()
            try:
                with transaction(conn.dbapi_connection, self.engine.dialect) as cursor:
                    write_posts(
                        cursor=cursor,
                        dialect=self.engine.dialect,
                        posts=posts,
                        known_people=self.known_people,
                        new_people=seen,
                        report=False,
                    )
            except Exception:
                self._disconnect()
                if fresh or attempt == 2:
                    raise
                log.warning("a post batch failed on a reused connection; trying a new one")
                continue
            self.known_people |= seen
            return
        raise AssertionError("unreachable")

    def _write(self, batch: list[_Slot]) -> None:
        """Store the batch and record each outcome in its slot (never raises)."""
        started = time.monotonic()
        try:
            self._commit([slot.post for slot in batch])
        except Exception:
            if len(batch) == 1:
                log.exception("storing a post failed")
                batch[0].failed = True
                return
            # One bad post must not fail its neighbours: write each on its own.
            for slot in batch:
                self._write([slot])
            return
        self.write_seconds += (time.monotonic() - started - self.write_seconds) / 8
        self.batches += 1
        self.items += len(batch)
