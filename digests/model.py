"""The plain values a digest is made of, shared by selection, ranking, rendering and delivery.

A person's digest settings are stored values and live with their queries, in
:mod:`storage.digests`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

MAX_ITEMS = 10
MAX_PER_AUTHOR = 3


@dataclass(frozen=True)
class Candidate:
    """A post that may go into someone's digest, with what ranking needs."""

    post_id: int
    author_id: str
    channel_id: str
    ts: str
    text: str
    posted_at: datetime
    reaction_count: int
    reactor_count: int
    reply_count: int
    via_person: bool  # the reader follows the author
    via_tags: tuple[str, ...] = ()  # followed tags the post carries
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class DigestItem:
    """One ranked post as shown in a digest."""

    post_id: int
    author_id: str
    author_name: str
    channel_id: str
    ts: str
    text: str
    reaction_count: int
    reply_count: int
    permalink: str | None
    via_person: bool
    via_tags: tuple[str, ...] = ()
    show_follow_button: bool = False  # reached through a tag, author not followed yet
    files: tuple[str, ...] = ()  # the names of its files (shown when it has no text)
    reference_count: int = 0  # people other than the author who shared it


@dataclass(frozen=True)
class Digest:
    """Everything one person's digest shows."""

    team_id: str
    user_id: str
    lang: str
    items: tuple[DigestItem, ...]
    post_count: int  # candidates in the window (before the cut to MAX_ITEMS)
    author_count: int
    more: int  # posts left out ("and N more")
    new_followers: tuple[str, ...] = ()
    busiest_tags: tuple[tuple[str, int], ...] = ()  # (tag, posts) most first
    since: datetime | None = None
    weekly: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    # Display names of the people and channels the digest refers to, for plain-text output
    # (Slack renders <@U…> and <#C…> itself).
    names: dict[str, str] = field(default_factory=dict)
