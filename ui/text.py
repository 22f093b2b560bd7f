"""Text as Slack shows it: lengths in UTF-16 units, cutting to a limit, and other people's
words made harmless.

Slack counts its limits (3000 characters per section, 75 per button…) in UTF-16 code units, so
an emoji counts twice; everything here counts the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Between the parts of one line ("posts about #design · in another department").
SEPARATOR = " · "
MAX_TITLE_CHARS = 80

Cut = Callable[[str, int], str]
"""Cuts mrkdwn to at most n characters without breaking its markup (``digests.render.excerpt``)."""

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_FORMATTING_RE = re.compile(r"[*_~`]")
# An excerpt in a channel thread must not notify a whole channel or group.
_BROADCAST_RE = re.compile(
    r"<!(here|channel|everyone)(?:\|[^>]*)?>|<!subteam\^[A-Za-z0-9]+(?:\|([^>]*))?>"
)


def utf16_len(text: str) -> int:
    """The length of ``text`` as Slack counts it."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """Plain text cut to ``limit`` characters, ending in "…" when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…" if limit > 0 else ""


def clip_plain(text: str, limit: int) -> str:
    """Plain text cut to ``limit`` UTF-16 units, ending in "…" when cut."""
    while utf16_len(text) > limit:
        text = clip(text, len(text) - max(1, utf16_len(text) - limit))
    return text


def fit(text: str, limit: int, cut: Cut) -> str:
    """mrkdwn cut by ``cut`` to at most ``limit`` UTF-16 units; unchanged when it fits."""
    if utf16_len(text) <= limit:
        return text
    size = limit
    shortened = cut(text, size)
    while utf16_len(shortened) > limit and size > 0:
        # A character is at most two units, so this never cuts more than needed.
        size -= max(1, (utf16_len(shortened) - limit + 1) // 2)
        shortened = cut(text, size)
    return shortened


def inert(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    """Someone's own words (a title) as mrkdwn that cannot format, link or mention anything."""
    flat = " ".join(_CONTROL_RE.sub(" ", text).split())
    flat = clip(_FORMATTING_RE.sub("", flat), limit)
    return flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quiet(mrkdwn: str) -> str:
    """``mrkdwn`` with @here, @channel, @everyone and user-group mentions made plain text."""

    def plain(match: re.Match[str]) -> str:
        name = match.group(1) or _FORMATTING_RE.sub("", match.group(2) or "").lstrip("@")
        return "@" + (name or "group")

    return _BROADCAST_RE.sub(plain, mrkdwn)


def mention(user_id: str) -> str:
    """A live mention of a person."""
    return f"<@{user_id}>"


def tag(name: str) -> str:
    """A tag as ``#name``, inert."""
    return "#" + inert(name)


def named(user_id: str, title: str | None) -> str:
    """A person with their title, if they have one: ``<@U1> — Designer``."""
    shown = inert(title) if title else ""
    return f"{mention(user_id)} — {shown}" if shown else mention(user_id)
