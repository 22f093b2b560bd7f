"""History import: a public channel's recent past, from conversations.history and
conversations.replies, recorded by the same gate and rules as live message events.

Kring imports a channel when it joins it (in a background thread, so the event is answered at
once) and with ``kring backfill``. Each page of history goes in with its threads in one
transaction together with the cursor of the next page (``storage.backfill``), so an import cut
off by a restart resumes at the page it reached; ``record_posts`` skips what is stored, so
replays and live events arriving meanwhile store nothing twice. Slack allows conversations.*
about 50 calls a minute (Tier 3): a :class:`Pacer` keeps to that, and the client's
RateLimitErrorRetryHandler waits out a 429's Retry-After.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from handlers import lookups
from handlers.payloads import post_from_message
from storage.backfill import begin_backfill, finish_backfill, save_page, unfinished_backfills
from storage.posts import NewPost, record_posts

log = logging.getLogger(__name__)

PAGE_SIZE = 200  # conversations.history's and .replies' largest page Slack recommends
# Pages of history read before the window for threads that still had replies inside it.
OLDER_THREAD_PAGES = 5
CALLS_PER_MINUTE = 50.0  # Tier 3
BURST = 20  # a short import (a quiet channel) need not wait at all


class Pacer:
    """A token bucket: at most ``burst`` calls at once, then ``per_minute`` calls a minute,
    shared by every import in the process (Slack's limits are per app and workspace)."""

    def __init__(
        self,
        per_minute: float = CALLS_PER_MINUTE,
        burst: int = BURST,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_second = per_minute / 60 if per_minute > 0 else 0.0
        self.burst = float(max(burst, 1))
        self._tokens = self.burst
        self._clock, self._sleep = clock, sleep
        self._last = clock()
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Return when one more call is allowed."""
        if not self.per_second:
            return
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.per_second)
            self._last = now
            self._tokens -= 1
            owed = -self._tokens / self.per_second if self._tokens < 0 else 0.0
        if owed:
            self._sleep(owed)


@dataclass
class Summary:
    """What one channel's import did."""

    channel_id: str
    pages: int = 0
    messages: int = 0  # messages and replies read from Slack
    stored: int = 0  # posts stored now (not stored before, and allowed by the rules)
    threads: int = 0
    resumed: bool = False
    error: str | None = None

    def line(self) -> str:
        outcome = f"failed: {self.error}" if self.error else "done"
        return (
            f"{self.channel_id}: {outcome}; {self.pages} pages, {self.messages} messages read, "
            f"{self.threads} threads, {self.stored} posts stored"
            + (" (resumed)" if self.resumed else "")
        )


def oldest_ts(now: datetime, days: int) -> str:
    """conversations.history's ``oldest`` for ``days`` back from ``now``."""
    return f"{(now - timedelta(days=days)).timestamp():.6f}"


def _pages(pacer: Pacer, call: Callable[..., Any], **params: Any) -> Iterator[dict[str, Any]]:
    cursor: str | None = params.pop("cursor", None)
    while True:
        pacer.wait()
        page = call(**params, limit=PAGE_SIZE, **({"cursor": cursor} if cursor else {})).data
        yield page
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not page.get("has_more") or not cursor:
            return


def backfill_channel(
    *,
    sessions: sessionmaker[Session],
    client: WebClient,
    team_id: str,
    channel_id: str,
    days: int,
    clock: Callable[[], datetime],
    pacer: Pacer,
    stop: threading.Event | None = None,
) -> Summary:
    """Import one channel's last ``days`` of history, or resume its unfinished import."""
    summary = Summary(channel_id)
    names = lookups.names_lookup(sessions=sessions, client=client, team_id=team_id, clock=clock)
    with sessions.begin() as session:
        progress = begin_backfill(
            session=session,
            team_id=team_id,
            channel_id=channel_id,
            oldest=oldest_ts(clock(), days),
            now=clock(),
        )
    summary.resumed = progress.cursor is not None
    log.info(
        "backfill %s/%s: %s from %s",
        team_id,
        channel_id,
        f"resuming after {progress.pages} pages" if summary.resumed else "importing",
        progress.oldest,
    )
    history = _pages(
        pacer,
        client.conversations_history,
        channel=channel_id,
        oldest=progress.oldest,
        cursor=progress.cursor,
    )
    try:
        for page in history:
            posts: list[NewPost] = []
            for message in page.get("messages") or ():
                summary.messages += 1
                if post := post_from_message(team_id, channel_id, message, names):
                    posts.append(post)
                if int(message.get("reply_count") or 0) > 0 and message.get("ts"):
                    summary.threads += 1
                    posts.extend(
                        _replies(client, pacer, team_id, channel_id, message, names, summary)
                    )
            next_cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            last = not page.get("has_more") or not next_cursor
            if last:
                # Stored with the last page: a failure here asks that page again on resume.
                posts.extend(
                    _older_thread_replies(
                        client, pacer, team_id, channel_id, progress.oldest, names, summary
                    )
                )
            # Parents before their replies, oldest first, as live events arrive.
            posts.sort(key=lambda post: float(post.ts))
            with sessions.begin() as session:
                stored = sum(record_posts(session=session, posts=posts))
                save_page(
                    session=session,
                    team_id=team_id,
                    channel_id=channel_id,
                    next_cursor=None if last else next_cursor,
                    posts=stored,
                )
                if last:
                    finish_backfill(
                        session=session, team_id=team_id, channel_id=channel_id, now=clock()
                    )
            summary.pages += 1
            summary.stored += stored
            log.info(
                "backfill %s/%s: page %d, %d messages read, %d posts stored so far",
                team_id,
                channel_id,
                summary.pages,
                summary.messages,
                summary.stored,
            )
            if stop is not None and stop.is_set() and not last:
                summary.error = "stopped; resumes on the next start"
                break
    except SlackApiError as exc:
        summary.error = str(exc.response.get("error") or exc)
    log.info("backfill %s/%s", team_id, summary.line())
    return summary


def _older_thread_replies(
    client: WebClient,
    pacer: Pacer,
    team_id: str,
    channel_id: str,
    oldest: str,
    names: Callable[[list[str]], dict[str, str]],
    summary: Summary,
) -> list[NewPost]:
    """Replies inside the window to threads started before it.

    conversations.history with ``oldest`` never returns such a thread's parent, so the history
    just before the window is read for parents whose ``latest_reply`` falls inside it, at most
    OLDER_THREAD_PAGES pages: threads that old are rarely still alive. Their replies from the
    window are imported; the parents themselves are older than the window and are not."""
    posts: list[NewPost] = []
    older = _pages(pacer, client.conversations_history, channel=channel_id, latest=oldest)
    for page in itertools.islice(older, OLDER_THREAD_PAGES):
        for message in page.get("messages") or ():
            if int(message.get("reply_count") or 0) == 0 or not message.get("ts"):
                continue
            if _ts(message.get("latest_reply")) <= float(oldest):
                continue
            summary.threads += 1
            replies = _replies(client, pacer, team_id, channel_id, message, names, summary)
            posts.extend(post for post in replies if float(post.ts) > float(oldest))
    return posts


def _ts(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _replies(
    client: WebClient,
    pacer: Pacer,
    team_id: str,
    channel_id: str,
    parent: dict[str, Any],
    names: Callable[[list[str]], dict[str, str]],
    summary: Summary,
) -> list[NewPost]:
    posts: list[NewPost] = []
    for page in _pages(pacer, client.conversations_replies, channel=channel_id, ts=parent["ts"]):
        for message in page.get("messages") or ():
            if message.get("ts") == parent["ts"]:
                continue  # every page of replies repeats the parent, read from history already
            summary.messages += 1
            if post := post_from_message(team_id, channel_id, message, names):
                posts.append(post)
    return posts


def member_channels(client: WebClient) -> list[str]:
    """The public channels Kring is a member of (users.conversations, every page)."""
    ids: list[str] = []
    cursor: str | None = None
    while True:
        page = client.users_conversations(types="public_channel", limit=200, cursor=cursor)
        ids.extend(str(channel["id"]) for channel in page.get("channels") or ())
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return ids


@dataclass
class Backfills:
    """The imports running in this process's background threads: one per channel at a time."""

    days: int = 90
    pacer: Pacer = field(default_factory=Pacer)
    stopping: threading.Event = field(default_factory=threading.Event)
    _running: dict[tuple[str, str], threading.Thread] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(
        self,
        *,
        sessions: sessionmaker[Session],
        client: WebClient,
        clock: Callable[[], datetime],
        team_id: str,
        channel_id: str,
    ) -> bool:
        """Import the channel in a background thread; False when it is being imported."""
        key = (team_id, channel_id)

        def run() -> None:
            try:
                backfill_channel(
                    sessions=sessions,
                    client=client,
                    team_id=team_id,
                    channel_id=channel_id,
                    days=self.days,
                    clock=clock,
                    pacer=self.pacer,
                    stop=self.stopping,
                )
            except Exception:
                # Its state is saved per page: the next start (or `kring backfill`) resumes it.
                log.exception("backfill %s/%s failed", team_id, channel_id)
            finally:
                with self._lock:
                    self._running.pop(key, None)

        with self._lock:
            if key in self._running or self.stopping.is_set():
                return False
            thread = threading.Thread(target=run, name=f"backfill-{channel_id}", daemon=True)
            self._running[key] = thread
        thread.start()
        return True

    def resume(
        self, *, sessions: sessionmaker[Session], client: WebClient, clock: Callable[[], datetime]
    ) -> int:
        """Resume, in the background, every import a restart cut off; how many."""
        with sessions.begin() as session:
            cut_off = unfinished_backfills(session=session)
        for team_id, channel_id in cut_off:
            self.start(
                sessions=sessions,
                client=client,
                clock=clock,
                team_id=team_id,
                channel_id=channel_id,
            )
        return len(cut_off)

    def wait(self, timeout: float | None = None) -> None:
        """Until the imports running now are done (tests, and shutdown)."""
        with self._lock:
            threads = list(self._running.values())
        for thread in threads:
            thread.join(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Stop after the page each import is on; what is left resumes on the next start."""
        self.stopping.set()
        self.wait(timeout)
