"""How a person's digest looks: Block Kit for the DM, plain text for a terminal.

Everything here is pure: values in, strings and dicts out. Slack's limits (50 blocks, 3000
characters per section, 150 per header, 75 per button) hold for any input, because post text,
names, tags and links come from other people and can be anything.

Post text is stored as Slack sends it: escaped mrkdwn, where a literal ``&``, ``<`` or ``>`` arrives
as ``&amp;``, ``&lt;`` or ``&gt;`` and every ``<…>`` is markup (a mention, a channel, a link).
:func:`excerpt` keeps that markup whole and escapes whatever is not valid markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from digests.model import Digest, DigestItem
from ui.blocks import FOLLOW_ACTION
from ui.i18n import join, t, tn
from ui.text import SEPARATOR, clip, clip_plain, fit

__all__ = [
    "FOLLOW_ACTION",
    "PAUSE_ACTION",
    "SETTINGS_ACTION",
    "excerpt",
    "notification_text",
    "render",
    "render_text",
]

SETTINGS_ACTION = "kring_digest_settings"
PAUSE_ACTION = "kring_digest_off"

EXCERPT_LIMIT = 300
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_CONTEXT_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_CONFIRM_TITLE = 100
MAX_CONFIRM_TEXT = 300
MAX_CONFIRM_BUTTON = 30
MAX_FALLBACK_TEXT = 150
# Beyond these the digest gets long without telling the reader more.
MAX_FOLLOWERS_NAMED = 10
MAX_TAGS_SHOWN = 5
MAX_TAG_CHARS = 80
MAX_NAME_CHARS = 80
MAX_PERMALINK_CHARS = 1000
MAX_ID_CHARS = 64

# --- excerpts -------------------------------------------------------------------------------------

_ESCAPE = r"&(?:amp|lt|gt);"
# Terminal control sequences have no business in a digest, and Slack shows them as garbage.
_CONTROL = r"\x00-\x08\x0b-\x1f\x7f-\x9f"
_CONTROL_RE = re.compile(f"[{_CONTROL}]")
# Slack escapes `&` inside markup too, so a bare `&` means the text is not Slack's own markup.
_TARGET = rf"(?:[^\s<>|&{_CONTROL}]|{_ESCAPE})+"
# <!date^1700000000^{date} at {time}|…> carries spaces in its target.
_SPECIAL_TARGET = rf"(?:[^\n<>|&{_CONTROL}]|{_ESCAPE})+"
_LABEL = rf"(?:[^\n<>&{_CONTROL}]|{_ESCAPE})*"
_ENTITY = (
    rf"<(?:[@#]{_TARGET}|!{_SPECIAL_TARGET}|[A-Za-z][A-Za-z0-9+.\-]*:{_TARGET})(?:\|{_LABEL})?>"
)
# Runs of characters that can be neither markup, escapes, formatting markers nor whitespace
# (where a cut may back off to) are taken whole: a piece per character made excerpts the
# costliest part of a digest.
_RUN = rf"[^<>&`*_~\s{_CONTROL}]+"
_TOKEN_RE = re.compile(
    rf"(?P<entity>{_ENTITY})|(?P<escape>{_ESCAPE})|(?P<fence>```)|(?P<run>{_RUN})|(?P<char>.)",
    re.DOTALL,
)
_ENTITY_RE = re.compile(_ENTITY)
_RAW_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_UNESCAPES = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}
_BLANK_LINES_RE = re.compile(r"\n(?:[ \t]*\n){2,}")
_MARKERS = "*_~"
# Back off to a word boundary only when it costs little of the excerpt.
_WORD_BACKOFF = 40

_Kind = Literal["entity", "escape", "tick", "char"]


@dataclass
class _Piece:
    kind: _Kind
    out: str


def _pieces(text: str) -> Iterator[_Piece]:
    """The text as entities, escapes, backticks and characters, already made safe.

    A "char" piece is one character, or a run of plain ones (see ``_RUN``) that may be cut
    anywhere.
    """
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup
        value = match.group()
        if kind == "run":
            yield _Piece("char", value)
        elif kind == "entity":
            yield _Piece("entity", value)
        elif kind == "escape":
            yield _Piece("escape", value)
        elif kind == "fence" or value == "`":
            # A code block becomes inline code (or plain text when it spans lines), which
            # cannot swallow the rest of the digest.
            yield _Piece("tick", "`")
        elif _CONTROL_RE.match(value):
            # Dropped only here, after markup was recognised, so that removing one cannot
            # assemble markup the author never wrote.
            continue
        elif value in _RAW_ESCAPES:
            yield _Piece("escape", _RAW_ESCAPES[value])
        else:
            yield _Piece("char", value)


def _normalize(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    return _BLANK_LINES_RE.sub("\n\n", text).strip()


def _code_spans(pieces: list[_Piece]) -> tuple[set[int], set[int]]:
    """(indices inside inline code, backticks without a partner on the same line)."""
    inside: set[int] = set()
    unpaired: set[int] = set()
    i = 0
    while i < len(pieces):
        if pieces[i].kind != "tick":
            i += 1
            continue
        j = i + 1
        while j < len(pieces) and pieces[j].kind != "tick" and pieces[j].out != "\n":
            j += 1
        if j < len(pieces) and pieces[j].kind == "tick" and j > i + 1:
            inside.update(range(i, j + 1))
            i = j + 1
        else:
            unpaired.add(i)
            i += 1
    return inside, unpaired


def _balance(pieces: list[_Piece]) -> list[_Piece]:
    """Drop backticks and ``*_~`` markers that would open formatting nobody closes.

    Only markers next to a non-word character count, as in Slack (``snake_case`` has no italics);
    when a marker's count is odd the last one goes. Dropping one can change its neighbours, so
    this repeats until nothing changes.
    """
    _, unpaired = _code_spans(pieces)
    pieces = [piece for i, piece in enumerate(pieces) if i not in unpaired]
    while True:
        inside, _ = _code_spans(pieces)
        drop: set[int] = set()
        for marker in _MARKERS:
            found = [
                i
                for i, piece in enumerate(pieces)
                if piece.kind == "char"
                and piece.out == marker
                and i not in inside
                and _at_boundary(pieces, i)
            ]
            if len(found) % 2:
                drop.add(found[-1])
        if not drop:
            return pieces
        pieces = [piece for i, piece in enumerate(pieces) if i not in drop]


def _at_boundary(pieces: list[_Piece], i: int) -> bool:
    before = pieces[i - 1].out[-1] if i > 0 else None
    after = pieces[i + 1].out[0] if i + 1 < len(pieces) else None
    return before is None or after is None or not before.isalnum() or not after.isalnum()


def excerpt(text: str, limit: int = EXCERPT_LIMIT) -> str:
    """A safe excerpt of Slack mrkdwn ``text``, at most ``limit`` characters long.

    Mentions, channel refs, links (``<…>``) and escapes (``&amp;``) are never cut: the excerpt
    stops before them. A bare ``&``, ``<`` or ``>`` is escaped, code blocks become inline code,
    unbalanced ``*``, ``_``, ``~`` and backticks are dropped so formatting cannot run into the rest
    of the digest, runs of blank lines shrink to one and a cut excerpt ends in "…".
    """
    if limit <= 0:
        return ""
    text = _normalize(text)
    if not _SPECIAL_RE.search(text):
        return _plain_excerpt(text, limit)
    kept: list[_Piece] = []
    length = 0
    cut = False
    for piece in _pieces(text):
        if length + len(piece.out) > limit:
            room = limit - length
            if piece.kind == "char" and room > 0:  # plain characters: keep what fits
                kept.append(_Piece("char", piece.out[:room]))
                length += room
            cut = True
            break
        kept.append(piece)
        length += len(piece.out)
    if cut:
        # Room for the "…": plain characters go one by one, markup and escapes whole.
        while kept and length > limit - 1:
            last, over = kept[-1], length - (limit - 1)
            if last.kind == "char" and len(last.out) > over:
                kept[-1] = _Piece("char", last.out[:-over])
                length -= over
            else:
                length -= len(kept.pop().out)
        spaces = [i for i, piece in enumerate(kept) if piece.out.isspace()]
        if spaces:
            tail = sum(len(piece.out) for piece in kept[spaces[-1] :])
            if tail <= min(_WORD_BACKOFF, length // 2):
                del kept[spaces[-1] :]
        while kept and kept[-1].out.isspace():
            kept.pop()
    # Dropped backticks can leave a code block's newlines at either end or stacked up
    # (no markup spans a newline, so collapsing them cannot break any).
    body = _BLANK_LINES_RE.sub("\n\n", "".join(piece.out for piece in _balance(kept))).strip()
    return body + "…" if cut else body


# Text without any of these has no markup, escapes or formatting to keep whole or balance.
_SPECIAL_RE = re.compile(rf"[<>&`*_~{_CONTROL}]")


def _plain_excerpt(text: str, limit: int) -> str:
    """:func:`excerpt` of normalized text without markup: what it gives, the short way (most
    posts are plain words; they make up most of a digest's rendering time)."""
    if len(text) <= limit:
        return text
    kept = text[: limit - 1]
    # Back off to the last whitespace when it is near enough (as excerpt() does).
    near = min(_WORD_BACKOFF, len(kept) // 2)
    for i in range(len(kept) - 1, len(kept) - 1 - near, -1):
        if kept[i].isspace():
            kept = kept[:i]
            break
    return _BLANK_LINES_RE.sub("\n\n", kept.rstrip()).strip() + "…"


def _escape(text: str) -> str:
    """``text`` with bare ``&``, ``<`` and ``>`` escaped (existing escapes stay as they are)."""
    return _BARE_RE.sub(lambda match: _RAW_ESCAPES[match.group()], text)


_BARE_RE = re.compile(r"&(?!(?:amp|lt|gt);)|[<>]")


def _unescape(text: str) -> str:
    return re.sub(_ESCAPE, lambda match: _UNESCAPES[match.group()], text)


# --- small safe pieces of mrkdwn ------------------------------------------------------------------

_ID_RE = re.compile(rf"[A-Za-z0-9]{{1,{MAX_ID_CHARS}}}")
_PERMALINK_RE = re.compile(rf"https?://[^\s\x00-\x1f\x7f<>|]{{1,{MAX_PERMALINK_CHARS}}}")


def _name(text: str, limit: int = MAX_NAME_CHARS) -> str:
    """A name or tag as inert mrkdwn: one line, no formatting markers, escaped."""
    flat = " ".join(_CONTROL_RE.sub("", text).split())
    return _escape(clip(re.sub(r"[*_~`]", "", flat), limit))


def _user(user_id: str) -> str:
    return f"<@{user_id}>" if _ID_RE.fullmatch(user_id) else _name(user_id) or "?"


def _channel(channel_id: str) -> str:
    return f"<#{channel_id}>" if _ID_RE.fullmatch(channel_id) else "#" + _name(channel_id)


def _tag(tag: str) -> str:
    return "#" + _name(tag.lstrip("#"), MAX_TAG_CHARS)


def _tags(tags: tuple[str, ...], lang: str) -> str:
    shown = [_tag(tag) for tag in tags[:MAX_TAGS_SHOWN]]
    if len(tags) > MAX_TAGS_SHOWN:
        shown.append(tn("digest.dm.others", len(tags) - MAX_TAGS_SHOWN, lang))
    return join(shown, lang)


def _permalink(item: DigestItem) -> str | None:
    link = item.permalink
    return _escape(link) if link and _PERMALINK_RE.fullmatch(link) else None


def _fit(text: str, limit: int) -> str:
    """mrkdwn cut safely to ``limit`` characters, counted in UTF-16 units (the stricter count)."""
    return fit(text, limit, excerpt)


# --- Block Kit ------------------------------------------------------------------------------------


def _counts(digest: Digest) -> tuple[int, int]:
    # Selection and rendering can disagree only through a bug; never show fewer than listed.
    posts = max(digest.post_count, len(digest.items), 0)
    people = max(digest.author_count, len({item.author_id for item in digest.items}), 0)
    return posts, people


def _summary(digest: Digest) -> str | None:
    posts, people = _counts(digest)
    if posts == 0:
        return None
    return t(
        "digest.dm.summary",
        digest.lang,
        posts=tn("digest.dm.posts", posts, digest.lang),
        people=tn("digest.dm.people", people, digest.lang),
    )


def notification_text(digest: Digest) -> str:
    """The one line a notification shows, e.g. "Your Kring digest: 7 posts from 4 people"."""
    summary = _summary(digest)
    if summary is None:
        line = t("digest.dm.notification_empty", digest.lang)
    else:
        key = "digest.dm.notification_weekly" if digest.weekly else "digest.dm.notification"
        line = t(key, digest.lang, summary=summary)
    return clip_plain(line, MAX_FALLBACK_TEXT)


def _followers_line(digest: Digest, mention: Callable[[str], str]) -> str | None:
    followers = digest.new_followers
    if not followers:
        return None
    names = [mention(user_id) for user_id in followers[:MAX_FOLLOWERS_NAMED]]
    if len(followers) > MAX_FOLLOWERS_NAMED:
        names.append(tn("digest.dm.others", len(followers) - MAX_FOLLOWERS_NAMED, digest.lang))
    return tn(
        "digest.dm.new_followers", len(followers), digest.lang, people=join(names, digest.lang)
    )


def _busiest_line(digest: Digest) -> str | None:
    if not digest.busiest_tags:
        return None
    tags = ", ".join(
        f"{_tag(tag)} ({max(count, 0)})" for tag, count in digest.busiest_tags[:MAX_TAGS_SHOWN]
    )
    return t("digest.dm.busiest", digest.lang, tags=tags)


def _head(digest: Digest) -> list[Block]:
    lang = digest.lang
    header = t("digest.dm.header_weekly" if digest.weekly else "digest.dm.header", lang)
    summary = _summary(digest)
    lines = [f"*{summary}*" if summary else t("digest.dm.nothing_new", lang)]
    lines += filter(None, (_followers_line(digest, _user), _busiest_line(digest)))
    return [
        HeaderBlock(text=PlainTextObject(text=clip_plain(header, MAX_HEADER_TEXT), emoji=True)),
        SectionBlock(text=MarkdownTextObject(text=_fit("\n".join(lines), MAX_SECTION_TEXT))),
        DividerBlock(),
    ]


def _stats(item: DigestItem, lang: str) -> list[tuple[str, str]]:
    """(emoji, words) for the replies, reactions and shares an item has; a terminal shows only words."""
    stats = []
    if item.reply_count > 0:
        stats.append((":speech_balloon:", tn("digest.dm.replies", item.reply_count, lang)))
    if item.reaction_count > 0:
        stats.append((":heart:", tn("digest.dm.reactions", item.reaction_count, lang)))
    if item.reference_count > 0:
        stats.append((":repeat:", tn("digest.dm.shared_by", item.reference_count, lang)))
    return stats


def _item_block(item: DigestItem, lang: str) -> dict[str, Any]:
    author = f"*{_user(item.author_id)}*"
    lines = [
        t("digest.dm.author_in_channel", lang, author=author, channel=_channel(item.channel_id))
    ]
    body = excerpt(item.text)
    if body:
        lines.append(body)
    details = [f"{emoji} {words}" for emoji, words in _stats(item, lang)]
    link = _permalink(item)
    if link:
        details.append(f"<{link}|{t('digest.dm.open', lang)}>")
    if item.via_tags:
        details.append(t("digest.dm.via", lang, tags=_tags(item.via_tags, lang)))
    if details:
        lines.append(SEPARATOR.join(details))
    # The dict SectionBlock(text=MarkdownTextObject(…), accessory=ButtonElement(…)).to_dict()
    # makes (a test holds them equal), written out: the models' validation took a third of
    # the time of rendering a digest, and a pass renders ten items for each of thousands.
    block: dict[str, Any] = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": _fit("\n".join(lines), MAX_SECTION_TEXT)},
    }
    if item.show_follow_button and _ID_RE.fullmatch(item.author_id):
        block["accessory"] = {
            "type": "button",
            "action_id": FOLLOW_ACTION,
            "text": {
                "type": "plain_text",
                "text": clip_plain(t("digest.dm.follow", lang), MAX_BUTTON_TEXT),
            },
            "value": f"person:{item.author_id}",
        }
    return block


def _more_block(count: int, lang: str) -> Block:
    text = _fit(tn("digest.dm.more", count, lang), MAX_CONTEXT_TEXT)
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def _footer(lang: str, settings_hint: str | None) -> list[Block]:
    def button_text(key: str) -> PlainTextObject:
        return PlainTextObject(text=clip_plain(t(key, lang), MAX_BUTTON_TEXT))

    confirm = ConfirmObject(
        title=PlainTextObject(text=clip_plain(t("digest.dm.pause_title", lang), MAX_CONFIRM_TITLE)),
        text=MarkdownTextObject(text=_fit(t("digest.dm.pause_text", lang), MAX_CONFIRM_TEXT)),
        confirm=PlainTextObject(
            text=clip_plain(t("digest.dm.pause_confirm", lang), MAX_CONFIRM_BUTTON)
        ),
        deny=PlainTextObject(text=clip_plain(t("digest.dm.pause_deny", lang), MAX_CONFIRM_BUTTON)),
        style="danger",
    )
    blocks: list[Block] = [
        ActionsBlock(
            elements=[
                ButtonElement(
                    action_id=SETTINGS_ACTION,
                    text=button_text("digest.dm.settings"),
                    value="settings",
                ),
                ButtonElement(
                    action_id=PAUSE_ACTION,
                    text=button_text("digest.dm.pause"),
                    value="off",
                    style="danger",
                    confirm=confirm,
                ),
            ]
        )
    ]
    hint = _fit(settings_hint, MAX_CONTEXT_TEXT) if settings_hint else ""
    if hint:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=hint)]))
    return blocks


def render(digest: Digest, *, settings_hint: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    """(notification text fallback, blocks) for ``digest`` as a Slack DM.

    ``settings_hint`` is mrkdwn shown small under the buttons (e.g. when the next digest comes).
    Items that would not fit in Slack's 50 blocks are counted in the "and N more" line.
    """
    lang = digest.lang
    head = _head(digest)
    footer = _footer(lang, settings_hint)
    # Each item is a section and a divider; one block stays free for the "and N more" line.
    room = (MAX_BLOCKS - len(head) - len(footer) - 1) // 2
    shown = digest.items[:room]
    more = max(digest.more, 0) + len(digest.items) - len(shown)
    blocks = [block.to_dict() for block in head]
    for item in shown:
        blocks += [_item_block(item, lang), {"type": "divider"}]
    if more > 0:
        blocks.append(_more_block(more, lang).to_dict())
    blocks += [block.to_dict() for block in footer]
    return notification_text(digest), blocks


# --- plain text -----------------------------------------------------------------------------------


def _plain_entity(entity: str, names: Mapping[str, str] | None = None) -> str:
    target, _, label = _unescape(entity[1:-1]).partition("|")
    names = names or {}
    if target.startswith("@"):
        return "@" + (label.lstrip("@") or names.get(target[1:], target[1:]))
    if target.startswith("#"):
        return "#" + (label.lstrip("#") or names.get(target[1:], target[1:]))
    if target.startswith("!"):
        return label or "@" + target[1:].split("^", 1)[0]
    if target.startswith("mailto:"):
        return label or target.removeprefix("mailto:")
    return f"{label} ({target})" if label and label != target else target


def _plain(mrkdwn: str, names: Mapping[str, str] | None = None) -> str:
    """mrkdwn as a terminal shows it: markup spelled out, escapes undone."""
    parts = []
    last = 0
    for match in _ENTITY_RE.finditer(mrkdwn):
        parts.append(_unescape(mrkdwn[last : match.start()]))
        parts.append(_plain_entity(match.group(), names))
        last = match.end()
    parts.append(_unescape(mrkdwn[last:]))
    return _CONTROL_RE.sub("", "".join(parts))


def _one_line(text: str) -> str:
    return " ".join(_CONTROL_RE.sub("", text).split())


def render_text(digest: Digest) -> str:
    """The whole digest as readable plain text, for ``kring digest preview`` and ``kring demo``."""
    lang = digest.lang
    header = t("digest.dm.header_weekly" if digest.weekly else "digest.dm.header", lang)
    lines = [header, "=" * len(header)]
    lines.append(_summary(digest) or t("digest.dm.nothing_new", lang))
    names = digest.names
    followers = _followers_line(digest, lambda user_id: "@" + names.get(user_id, user_id))
    busiest = _busiest_line(digest)
    lines += [_plain(line) for line in (followers, busiest) if line]
    for number, item in enumerate(digest.items, 1):
        author = _one_line(item.author_name or item.author_id)
        channel = "#" + _one_line(names.get(item.channel_id, item.channel_id))
        lines += [
            "",
            f"{number}. " + t("digest.dm.author_in_channel", lang, author=author, channel=channel),
        ]
        body = _plain(excerpt(item.text), names)
        if body:
            lines += ["   " + line for line in body.split("\n")]
        details = [words for _, words in _stats(item, lang)]
        if item.via_tags:
            details.append(_plain(t("digest.dm.via", lang, tags=_tags(item.via_tags, lang))))
        if details:
            lines.append("   " + SEPARATOR.join(details))
        if item.permalink:
            lines.append("   " + _one_line(item.permalink))
    more = max(digest.more, 0)
    if more:
        lines += ["", _plain(tn("digest.dm.more", more, lang))]
    return "\n".join(lines) + "\n"
