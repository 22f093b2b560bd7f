"""Text as Slack counts it: lengths in UTF-16 units and cutting to a limit.

Slack counts its limits (3000 characters per section, 75 per button…) in UTF-16 code units, so
an emoji counts twice; everything here counts the same way. Other people's words are made
harmless in :mod:`ui.mrkdwn`.
"""

from __future__ import annotations

from collections.abc import Callable

# Between the parts of one line ("posts about #design · in another department").
SEPARATOR = " · "

Cut = Callable[[str, int], str]
"""Cuts mrkdwn to at most n characters without breaking its markup (``ui.mrkdwn.cut_mrkdwn``)."""


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
    size = len(text)
    clipped = text
    while utf16_len(clipped) > limit and size > 0:
        # A character is at most two units: shrinking by half the overage never cuts more than
        # needed (shrinking by the whole overage emptied text full of emoji).
        size -= max(1, (utf16_len(clipped) - limit + 1) // 2)
        clipped = clip(text, size)
    return clipped


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
