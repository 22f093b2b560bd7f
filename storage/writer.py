"""Group commit for new posts: one writer thread stores concurrent events in one transaction.

A request thread hands its post to the writer and waits; the writer takes everything queued,
stores it with ``record_posts`` in a single transaction and only then wakes each waiting
request. So an event is still acknowledged only after its post is committed, but many
concurrent events share one transaction, one set of statements and one commit.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future

from sqlalchemy.orm import Session, sessionmaker

from storage.posts import NewPost, record_posts

log = logging.getLogger(__name__)

_STOP = object()


class PostWriter:
    """Stores posts for many threads at once; ``store`` blocks until the post is committed."""

    def __init__(
        self, sessions: sessionmaker[Session], *, max_batch: int = 100, linger: float = 0.001
    ) -> None:
        self.sessions = sessions
        self.max_batch = max_batch
        self.linger = linger
        self.queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.closed = False
        # For monitoring and the benchmark: how well concurrent events share transactions.
        self.batches = 0
        self.items = 0

    def store(self, post: NewPost, *, timeout: float = 60.0) -> bool:
        """Store one post; True when it is new. Raises when it could not be written."""
        future: Future[bool] = Future()
        with self.lock:
            if self.closed:
                raise RuntimeError("the post writer is closed")
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="post-writer", daemon=True)
                self.thread.start()
            self.queue.put((post, future))
        return future.result(timeout=timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Finish what is queued, then stop the writer thread."""
        with self.lock:
            self.closed = True
            thread = self.thread
        if thread is not None:
            self.queue.put(_STOP)
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            first = self.queue.get()
            if first is _STOP:
                return
            batch = [first]
            stop = False
            # Linger a moment for concurrent events: a bigger batch shares one transaction.
            deadline = time.monotonic() + self.linger
            while len(batch) < self.max_batch:
                try:
                    item = self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                    break
                batch.append(item)
            self._write(batch)  # type: ignore[arg-type]
            if stop:
                return

    def _write(self, batch: list[tuple[NewPost, Future[bool]]]) -> None:
        self.batches += 1
        self.items += len(batch)
        try:
            with self.sessions.begin() as session:
                results = record_posts(session=session, posts=[post for post, _ in batch])
        except Exception:
            if len(batch) == 1:
                log.exception("storing a post failed")
                batch[0][1].set_exception(RuntimeError("storing the post failed"))
                return
            # One bad post must not fail its neighbours: write each on its own.
            for item in batch:
                self._write([item])
            return
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)
