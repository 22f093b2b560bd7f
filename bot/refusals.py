"""Refused requests, logged as one short line each and no more than a few a minute.

Anyone on the internet can post to Kring's endpoint. What they send is never logged (not the
body, not a header): a line says only why the request was refused and how big it was, both
chosen by Kring, so a stranger can neither grow the log by posting nor write a line of their
choosing into it. Past ``per_window`` lines in a window the rest are counted, and the count is
reported with the next line that is written.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Final

log = logging.getLogger("kring.refusals")

UNSIGNED: Final = "unsigned"
BAD_TIMESTAMP: Final = "malformed timestamp"
STALE: Final = "stale timestamp"
BAD_SIGNATURE: Final = "bad signature"
TOO_LARGE: Final = "body too large"
BAD_LENGTH: Final = "malformed content length"
UNREADABLE: Final = "signed body that could not be parsed"


class RefusalLog:
    """Logs refused requests as ``refused request: <reason>, <size> bytes``, rate-limited."""

    def __init__(
        self,
        logger: logging.Logger = log,
        *,
        per_window: int = 20,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger = logger
        self._per_window = per_window
        self._window = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._window_start = -float("inf")
        self._written = 0
        self._suppressed = 0

    def refused(self, reason: str, size: int) -> None:
        """Note one refused request; ``reason`` must be one of this module's constants."""
        with self._lock:
            now = self._clock()
            if now - self._window_start >= self._window:
                self._window_start, self._written = now, 0
            if self._written >= self._per_window:
                self._suppressed += 1
                return
            self._written += 1
            suppressed, self._suppressed = self._suppressed, 0
        if suppressed:
            self._logger.warning(
                "refused request: %s, %d bytes (and %d earlier refusals not logged)",
                reason,
                size,
                suppressed,
            )
        else:
            self._logger.warning("refused request: %s, %d bytes", reason, size)
