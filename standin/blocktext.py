"""Block Kit as a terminal shows it, for `kring demo`.

Slack draws messages and Home views from Block Kit; the demo prints them. Only what Kring sends
is covered (headers, sections with their accessories, context, dividers, actions, images); any
other block is named in brackets rather than silently left out. Mentions, channels and links
come out as people read them in Slack, given the names of the ids they refer to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["blocks_text", "mrkdwn_text"]

RULE = "-" * 40

_ENTITY_RE = re.compile(r"<([^<>\n]+)>")
# *bold*, _italic_ and ~struck~ around words; snake_case and 2*3 stay as they are.
_STYLE_RES = tuple(
    re.compile(rf"(?<![\w{m}]){m}(?=\S)([^{m}\n]*?\S){m}(?![\w{m}])") for m in (r"\*", "_", "~")
)
_UNESCAPES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def _unescape(text: str) -> str:
    for escaped, plain in _UNESCAPES:
        text = text.replace(escaped, plain)
    return text


def _entity(inner: str, names: Mapping[str, str]) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return "@" + (names.get(target[1:]) or label.lstrip("@") or target[1:])
    if target.startswith("#"):
        return "#" + (names.get(target[1:]) or label.lstrip("#") or target[1:])
    if target.startswith("!date^"):
        return label  # Slack's fallback text: the date in UTC
    if target.startswith("!subteam^"):
        return label or "@group"
    if target.startswith("!"):
        return label or "@" + target[1:]
    if target.startswith("mailto:"):
        return label or target.removeprefix("mailto:")
    return f"{label} ({target})" if label and label != target else target


def mrkdwn_text(mrkdwn: str, names: Mapping[str, str] | None = None) -> str:
    """``mrkdwn`` as plain text: styling marks dropped, entities spelled out, escapes undone.

    ``names`` maps user and channel ids to the names shown for ``<@U…>`` and ``<#C…>``.
    """
    known = names or {}
    for style in _STYLE_RES:
        mrkdwn = style.sub(r"\1", mrkdwn)
    parts: list[str] = []
    last = 0
    for match in _ENTITY_RE.finditer(mrkdwn):
        parts.append(_unescape(mrkdwn[last : match.start()]))
        parts.append(_unescape(_entity(match.group(1), known)))
        last = match.end()
    parts.append(_unescape(mrkdwn[last:]))
    return "".join(parts)


def _text(obj: Any, names: Mapping[str, str]) -> str:
    if not isinstance(obj, dict):
        return ""
    raw = str(obj.get("text") or "")
    return mrkdwn_text(raw, names) if obj.get("type") == "mrkdwn" else raw


def _element(element: Any, names: Mapping[str, str]) -> str:
    """An interactive element as a bracketed control: [Follow], [09:00], [Daily ▾]."""
    if not isinstance(element, dict):
        return ""
    kind = element.get("type")
    if kind == "button":
        return f"[{_text(element.get('text'), names)}]"
    if kind == "timepicker":
        return f"[{element.get('initial_time') or _text(element.get('placeholder'), names)}]"
    if kind in ("static_select", "external_select", "overflow"):
        chosen = element.get("initial_option")
        shown = _text(chosen.get("text"), names) if isinstance(chosen, dict) else ""
        return f"[{shown or _text(element.get('placeholder'), names)} ▾]"
    if kind == "image":
        return ""
    if kind in ("mrkdwn", "plain_text"):
        return _text(element, names)
    return f"[{kind}]"


def _block(block: dict[str, Any], names: Mapping[str, str]) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        title = _text(block.get("text"), names)
        return [title, "=" * len(title)]
    if kind == "divider":
        return [RULE]
    if kind == "section":
        lines = _text(block.get("text"), names).split("\n")
        fields = block.get("fields") or []
        lines += [_text(field, names) for field in fields]
        control = _element(block.get("accessory"), names)
        if control:
            lines[0] = f"{lines[0]}   {control}" if lines[0] else control
        return lines
    if kind == "context":
        shown = (_element(e, names) for e in block.get("elements") or [])
        return [" · ".join(s for s in shown if s)]
    if kind == "actions":
        return [" ".join(_element(e, names) for e in block.get("elements") or [])]
    if kind == "image":
        return [f"[image: {block.get('alt_text') or ''}]"]
    return [f"[{kind} block]"]


def blocks_text(blocks: Iterable[dict[str, Any]], names: Mapping[str, str] | None = None) -> str:
    """Blocks as text, one block after the other; ends in a newline."""
    known = names or {}
    lines = [line.rstrip() for block in blocks for line in _block(block, known)]
    return "\n".join(lines) + "\n"
