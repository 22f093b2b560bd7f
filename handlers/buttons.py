"""Buttons that change after a click: Follow turns into Unfollow (and back) in place."""

from __future__ import annotations

import copy
from typing import Any

from ui.blocks import FOLLOW_ACTION, MUTE_ACTION, UNFOLLOW_ACTION, UNMUTE_ACTION
from ui.i18n import t

# action id of a button → (the action id it becomes after the click, its catalog label key)
TOGGLES: dict[str, tuple[str, str]] = {
    FOLLOW_ACTION: (UNFOLLOW_ACTION, "button.unfollow"),
    UNFOLLOW_ACTION: (FOLLOW_ACTION, "button.follow"),
    MUTE_ACTION: (UNMUTE_ACTION, "button.unmute"),
    UNMUTE_ACTION: (MUTE_ACTION, "button.mute"),
}


def button(action_id: str, value: str, lang: str) -> dict[str, Any]:
    """A Follow/Unfollow/Mute/Unmute button in the person's language."""
    label_key = {v[0]: v[1] for v in TOGGLES.values()}[action_id]
    out: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "value": value,
        "text": {"type": "plain_text", "text": t(label_key, lang)},
    }
    if action_id == FOLLOW_ACTION:
        out["style"] = "primary"
    return out


def toggled(
    blocks: list[dict[str, Any]], action_id: str, value: str, lang: str
) -> list[dict[str, Any]]:
    """The blocks with every button (action_id, value) replaced by its opposite.

    Works on section accessories and actions blocks; everything else is left as it was.
    """
    if action_id not in TOGGLES:
        return blocks
    opposite = button(TOGGLES[action_id][0], value, lang)
    out = copy.deepcopy(blocks)
    for block in out:
        accessory = block.get("accessory")
        if _matches(accessory, action_id, value):
            block["accessory"] = opposite
        for i, element in enumerate(block.get("elements") or []):
            if _matches(element, action_id, value):
                block["elements"][i] = opposite
    return out


def _matches(element: Any, action_id: str, value: str) -> bool:
    return (
        isinstance(element, dict)
        and element.get("type") == "button"
        and element.get("action_id") == action_id
        and element.get("value") == value
    )
