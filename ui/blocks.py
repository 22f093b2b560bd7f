"""Block Kit answers within Slack's limits, for any input.

An answer is a head, a list of items (mrkdwn, with at most one button beside each) and maybe an
"and N more" line. Every block with buttons gets a ``block_id`` of the form
``kring:<view>:<arg>:<n>``: after a click, the view and its argument tell how to draw the answer
again (see ``handlers.registry.rerender``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from ui.mrkdwn import cut_mrkdwn
from ui.text import Cut, clip_plain, fit

# The buttons next to a person or tag, wherever they are shown (answers, digests, the welcome
# DM, the Home tab); handlers.actions answers the clicks.
FOLLOW_ACTION = "kring_follow"
UNFOLLOW_ACTION = "kring_unfollow"
MUTE_ACTION = "kring_mute"
UNMUTE_ACTION = "kring_unmute"
# "More" under an answer with pages: its value is the argument of the page to draw (the view is
# the one its block id names), answered by handlers.actions like a redraw.
PAGE_ACTION = "kring_page"

MAX_BLOCKS = 50  # in a message; a Home view may have 100
MAX_SECTION_TEXT = 3000
# A message's fallback text; Slack refuses a longer one (msg_too_long).
MAX_MESSAGE_TEXT = 40_000
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
BLOCK_ID_PREFIX = "kring"


@dataclass
class Reply:
    """An answer: mrkdwn text, optionally with Block Kit blocks."""

    text: str
    blocks: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class Button:
    """A button as plain values; ``label`` is already in the reader's language."""

    action_id: str
    label: str
    value: str


@dataclass(frozen=True)
class Item:
    """One entry of an answer: mrkdwn, and at most one button beside it."""

    text: str
    button: Button | None = None


def block_id(view: str, arg: str, n: int) -> str:
    """The id of the ``n``-th block with buttons in the answer of ``view`` for ``arg``."""
    return f"{BLOCK_ID_PREFIX}:{view}:{arg}:{n}"


def parse_block_id(value: str) -> tuple[str, str] | None:
    """The (view, argument) of a ``kring:<view>:<arg>:<n>`` block id; None for any other id."""
    parts = value.split(":")
    if len(parts) != 4 or parts[0] != BLOCK_ID_PREFIX or not parts[1] or not parts[3].isdigit():
        return None
    return parts[1], parts[2]


def button_element(button: Button) -> ButtonElement:
    return ButtonElement(
        action_id=button.action_id,
        text=PlainTextObject(text=clip_plain(button.label, MAX_BUTTON_TEXT), emoji=True),
        value=button.value,
    )


def section(item: Item, block_id: str | None = None) -> SectionBlock:
    """An item as a section; its text must already be within Slack's 3000 units."""
    return SectionBlock(
        block_id=block_id,
        text=MarkdownTextObject(text=item.text),
        accessory=button_element(item.button) if item.button else None,
    )


def answer(
    view: str,
    arg: str,
    *,
    cut: Cut = cut_mrkdwn,
    head: str,
    items: Sequence[Item] = (),
    head_buttons: Sequence[Button] = (),
    more: int = 0,
    more_line: Callable[[int], str] | None = None,
) -> Reply:
    """An answer as fallback text and blocks, within Slack's limits for any input.

    Text too long for a block is shortened with ``cut``. ``more_line(n)`` is shown when ``n``
    people or tags were left out: ``more`` of them by the caller, the rest because they would
    not fit in Slack's 50 blocks.
    """
    numbered = iter(range(MAX_BLOCKS))
    blocks: list[Block] = []
    single = head_buttons[0] if len(head_buttons) == 1 else None
    blocks.append(
        section(
            Item(fit(head, MAX_SECTION_TEXT, cut), single),
            block_id(view, arg, next(numbered)) if single else None,
        )
    )
    if len(head_buttons) > 1:
        blocks.append(
            ActionsBlock(
                block_id=block_id(view, arg, next(numbered)),
                elements=[button_element(b) for b in head_buttons[:25]],
            )
        )
    # One block stays free for the "and N more" line.
    room = MAX_BLOCKS - len(blocks) - 1
    shown = list(items[:room])
    more += len(items) - len(shown)
    lines = [head]
    for item in shown:
        text = fit(item.text, MAX_SECTION_TEXT, cut)
        blocks.append(
            section(
                Item(text, item.button),
                block_id(view, arg, next(numbered)) if item.button else None,
            )
        )
        lines.append(text)
    if more > 0 and more_line is not None:
        tail = fit(more_line(more), MAX_SECTION_TEXT, cut)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=tail)]))
        lines.append(tail)
    text = fit("\n".join(lines), MAX_MESSAGE_TEXT, cut)
    return Reply(text=text, blocks=[b.to_dict() for b in blocks])
