"""Other people's words on their way into mrkdwn: the one place that makes them harmless.

Everything that came from people or from Slack objects (post text, file names, titles, display
and real names, channel names, tags, words typed after a command) reaches a Kring message, the
Home tab or a digest through this module, by one of these doors:

* :func:`mrkdwn_text` for post text. Slack sends it as escaped mrkdwn, where a literal ``&``,
  ``<`` or ``>`` arrives as ``&amp;``, ``&lt;`` or ``&gt;`` and every ``<…>`` is markup. The
  author's formatting, mentions of people and channel links stay; ``<!here>``, ``<!channel>``,
  ``<!everyone>`` and user groups (``<!subteam^…|@x>``) become the plain words ``@here``…
  ``@x``; a link always shows where it goes (``<https://evil.example|Payroll.pdf>`` becomes
  ``Payroll.pdf (<https://evil.example>)``); anything that is not valid markup is escaped.
  :func:`mrkdwn_post` is the same for a post that may be files only.
* :func:`mrkdwn_name` for a raw one-line string (a name, title, file name, channel name, tag):
  escaped, on one line, and with no character that could format the message around it
  (``*Boss*`` shows as ``Boss``; ``jan_de_vries`` keeps its underscores).
* :func:`mrkdwn_code` for a word someone typed, shown back between backticks.

:func:`mention`, :func:`channel`, :func:`tag` and :func:`named` write people, channels and tags
with them. :func:`cut_mrkdwn` is different: it cuts mrkdwn Kring composed itself (already safe,
with Kring's own labelled links) to a length without breaking its markup.

Mentions of people (``<@U…>``) stay mentions: in a DM or on the Home tab they notify nobody,
since Slack notifies only members of the conversation and the mentioned person is not in
someone else's DM. Answers posted in a channel write them as names instead
(``handlers.mentions.without_pings``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ui.text import clip

__all__ = [
    "EXCERPT_LIMIT",
    "MAX_NAME_CHARS",
    "channel",
    "cut_mrkdwn",
    "mention",
    "mrkdwn_code",
    "mrkdwn_name",
    "mrkdwn_post",
    "mrkdwn_text",
    "named",
    "permalink",
    "plain_mrkdwn",
    "tag",
]

EXCERPT_LIMIT = 300
MAX_NAME_CHARS = 80
MAX_TAG_CHARS = 80
MAX_CODE_CHARS = 40
MAX_ID_CHARS = 64

# --- names ----------------------------------------------------------------------------------------

# C0 and C1 controls (newlines and tabs too: a name is one line), line and paragraph
# separators, and the bidirectional overrides that can make "exe.pdf" read as "fdp.exe".
_NAME_CONTROL_RE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]"
)
_MARKER_RE = re.compile(r"[*_~`]")
_RAW_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_UNESCAPES = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}
_ESCAPE = r"&(?:amp|lt|gt);"
_ESCAPE_RE = re.compile(_ESCAPE)
_BARE_RE = re.compile(r"&(?!(?:amp|lt|gt);)|[<>]")


def _escape(text: str) -> str:
    """``text`` with bare ``&``, ``<`` and ``>`` escaped; escapes already there stay (Slack sends
    some fields escaped and some not, and escaping twice would show ``&amp;`` to people)."""
    return _BARE_RE.sub(lambda match: _RAW_ESCAPES[match.group()], text)


def _unescape(text: str) -> str:
    """Slack's three escapes undone."""
    return _ESCAPE_RE.sub(lambda match: _UNESCAPES[match.group()], text)


def _without_markers(text: str) -> str:
    """``text`` without ``*``, ``~`` and backticks, and without ``_`` that could open or close
    italics.

    An underscore between two letters or digits formats nothing in Slack (``jan_de_vries``,
    ``#release_notes``), so those stay. Only non-alphanumeric characters are removed, so an
    underscore kept still has a letter or digit on either side.
    """
    if not _MARKER_RE.search(text):
        return text
    last = len(text) - 1
    return "".join(
        char
        for i, char in enumerate(text)
        if char not in "*_~`"
        or (char == "_" and 0 < i < last and text[i - 1].isalnum() and text[i + 1].isalnum())
    )


def mrkdwn_name(text: str, limit: int = MAX_NAME_CHARS) -> str:
    """A raw string from a person or a Slack object (a name, title, file name, channel name or
    tag) as inert mrkdwn: one line, cut to ``limit`` characters, nothing that can format,
    link or mention, ``&``, ``<`` and ``>`` escaped."""
    flat = " ".join(_NAME_CONTROL_RE.sub(" ", text).split())
    # Cut first: the "…" must not leave a marker at a word's edge.
    return _escape(" ".join(_without_markers(clip(flat, limit)).split()))


def mrkdwn_code(text: str, limit: int = MAX_CODE_CHARS) -> str:
    """A word someone typed, to be shown back between backticks: one line, no backtick that
    could end the code span, escaped, at most ``limit`` characters."""
    flat = " ".join(_NAME_CONTROL_RE.sub(" ", text).split()).replace("`", "'")
    return _escape(clip(flat, limit))


# --- people, channels and tags --------------------------------------------------------------------

_ID_RE = re.compile(rf"[A-Za-z0-9]{{1,{MAX_ID_CHARS}}}")


def mention(user_id: str) -> str:
    """A person as Slack shows them (``<@U1>``); something that is not a user id as inert text."""
    return f"<@{user_id}>" if _ID_RE.fullmatch(user_id) else mrkdwn_name(user_id) or "?"


def channel(channel_id: str) -> str:
    """A channel link (``<#C1>``); something that is not a channel id as inert text."""
    return f"<#{channel_id}>" if _ID_RE.fullmatch(channel_id) else "#" + mrkdwn_name(channel_id)


def tag(name: str) -> str:
    """A tag as ``#name``, inert."""
    return "#" + mrkdwn_name(name.lstrip("#"), MAX_TAG_CHARS)


_PERMALINK_RE = re.compile(r"https?://[^\s\x00-\x1f\x7f<>|]{1,1000}")


def permalink(url: str | None, label: str) -> str | None:
    """Kring's link to a message (a ``chat.getPermalink`` URL) labelled with Kring's own words;
    None when ``url`` is not a plain http(s) URL."""
    if not url or not _PERMALINK_RE.fullmatch(url):
        return None
    return f"<{_escape(url)}|{_escape(label)}>"


def named(user_id: str, title: str | None) -> str:
    """A person with their title, if they have one: ``<@U1> — Designer``."""
    shown = mrkdwn_name(title) if title else ""
    return f"{mention(user_id)} — {shown}" if shown else mention(user_id)


# --- post text ------------------------------------------------------------------------------------

# Terminal control sequences have no business in a message, and Slack shows them as garbage.
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
ENTITY_RE = re.compile(_ENTITY)
_BLANK_LINES_RE = re.compile(r"\n(?:[ \t]*\n){2,}")
_MARKERS = "*_~"
# Back off to a word boundary only when it costs little of the excerpt.
_WORD_BACKOFF = 40
# Text without any of these has no markup, escapes or formatting to keep whole or balance.
_SPECIAL_RE = re.compile(rf"[<>&`*_~{_CONTROL}]")

_USER_RE = re.compile(r"@[UW][A-Z0-9]{1,63}")
_CHANNEL_RE = re.compile(r"#[CG][A-Z0-9]{1,63}")
_DATE_RE = re.compile(r"!date\^(\d{1,12})\^([^^]+)(?:\^.*)?")
# The schemes Slack makes links of; anything else is shown as text.
_LINK_SCHEMES = ("http", "https", "mailto", "tel", "ftp", "slack")
_SCHEME_RE = re.compile(r"(?i)^[a-z][a-z0-9+.\-]*:(?://)?")


def _same_place(label: str, target: str) -> bool:
    """Whether a link's label only repeats its target (Slack writes a typed ``x.io`` as
    ``<http://x.io|x.io>``): then the target alone says the same."""
    shown = label.strip().rstrip("/")
    return not shown or shown in (target.rstrip("/"), _SCHEME_RE.sub("", target).rstrip("/"))


def _defuse(entity: str) -> str:
    """One piece of Slack markup from someone's post, made harmless.

    People and channels stay links (without a label: Slack shows their real name). Broadcasts
    and user groups become plain ``@words``. A date keeps its format but loses its optional
    link. A link loses its label: when the label says something other than the target, it is
    shown as text before the bare link, so the reader sees where it goes.
    """
    target, _, label = entity[1:-1].partition("|")
    if target[0] == "@":
        if _USER_RE.fullmatch(target):
            return f"<{target}>"
        return "@" + mrkdwn_name(label or target[1:]).lstrip("@")
    if target[0] == "#":
        if _CHANNEL_RE.fullmatch(target):
            return f"<{target}>"
        return "#" + mrkdwn_name(label or target[1:]).lstrip("#")
    if target[0] == "!":
        date = _DATE_RE.fullmatch(target)
        if date and label:
            return f"<!date^{date.group(1)}^{date.group(2)}|{mrkdwn_name(label)}>"
        if date:
            return mrkdwn_name(date.group(2))
        word = target[1:].split("^", 1)[0]
        # <!subteam^S1|@design>: the group's handle; <!here|here> and <!channel>: the word.
        shown = mrkdwn_name(label if word == "subteam" else word).lstrip("@")
        return "@" + (shown or "group")
    scheme = target.split(":", 1)[0].lower()
    if scheme not in _LINK_SCHEMES:
        return mrkdwn_name(_unescape(label) or _unescape(target), 1000)
    plain_label = _unescape(label)
    if _same_place(plain_label, _unescape(target)):
        return f"<{target}>"
    return f"{mrkdwn_name(plain_label)} (<{target}>)"


_Kind = Literal["entity", "escape", "tick", "char"]


@dataclass
class _Piece:
    kind: _Kind
    out: str


def _pieces(text: str, defuse: Callable[[str], str] | None = None) -> Iterator[_Piece]:
    """The text as entities, escapes, backticks and characters, already made safe.

    A "char" piece is one character, or a run of plain ones (see ``_RUN``) that may be cut
    anywhere. ``defuse``, when given, rewrites each entity (see :func:`_defuse`).
    """
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup
        value = match.group()
        if kind == "run":
            yield _Piece("char", value)
        elif kind == "entity":
            yield _Piece("entity", defuse(value) if defuse else value)
        elif kind == "escape":
            yield _Piece("escape", value)
        elif kind == "fence" or value == "`":
            # A code block becomes inline code (or plain text when it spans lines), which
            # cannot swallow the rest of the message.
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


def _excerpt(text: str, limit: int, defuse: Callable[[str], str] | None) -> str:
    if limit <= 0:
        return ""
    text = _normalize(text)
    if not _SPECIAL_RE.search(text):
        return _plain_excerpt(text, limit)
    kept: list[_Piece] = []
    length = 0
    cut = False
    for piece in _pieces(text, defuse):
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


def _plain_excerpt(text: str, limit: int) -> str:
    """:func:`_excerpt` of normalized text without markup: what it gives, the short way (most
    posts are plain words; they make up most of a digest's rendering time)."""
    if len(text) <= limit:
        return text
    kept = text[: limit - 1]
    # Back off to the last whitespace when it is near enough (as _excerpt() does).
    near = min(_WORD_BACKOFF, len(kept) // 2)
    for i in range(len(kept) - 1, len(kept) - 1 - near, -1):
        if kept[i].isspace():
            kept = kept[:i]
            break
    return _BLANK_LINES_RE.sub("\n\n", kept.rstrip()).strip() + "…"


def mrkdwn_text(text: str, limit: int = EXCERPT_LIMIT) -> str:
    """Someone's post text (Slack mrkdwn) as a safe excerpt of at most ``limit`` characters.

    Broadcasts and user groups become plain ``@words``, links show their target, people and
    channels stay links (see the module's description). Markup and escapes are never cut: the
    excerpt stops before them. A bare ``&``, ``<`` or ``>`` is escaped, code blocks become
    inline code, unbalanced ``*``, ``_``, ``~`` and backticks are dropped so formatting cannot
    run into the rest of the message, runs of blank lines shrink to one and a cut excerpt ends
    in "…".
    """
    return _excerpt(text, limit, _defuse)


def mrkdwn_post(text: str, files: Sequence[str] = (), limit: int = EXCERPT_LIMIT) -> str:
    """A post as :func:`mrkdwn_text` shows it, or the names of its files when it has no text."""
    body = mrkdwn_text(text, limit)
    if body or not files:
        return body
    return ", ".join(filter(None, (mrkdwn_name(name, limit) for name in files[:10])))


def cut_mrkdwn(mrkdwn: str, limit: int) -> str:
    """mrkdwn that Kring composed (already safe) cut to at most ``limit`` characters, as
    :func:`mrkdwn_text` cuts, but with its markup (Kring's own labelled links) left as it is."""
    return _excerpt(mrkdwn, limit, None)


# --- plain text -----------------------------------------------------------------------------------


def _plain_entity(entity: str, names: Mapping[str, str]) -> str:
    target, _, label = _unescape(entity[1:-1]).partition("|")
    if target.startswith("@"):
        return "@" + (label.lstrip("@") or names.get(target[1:], target[1:]))
    if target.startswith("#"):
        return "#" + (label.lstrip("#") or names.get(target[1:], target[1:]))
    if target.startswith("!"):
        return label or "@" + target[1:].split("^", 1)[0]
    if target.startswith("mailto:"):
        return label or target.removeprefix("mailto:")
    return f"{label} ({target})" if label and label != target else target


def plain_mrkdwn(mrkdwn: str, names: Mapping[str, str] | None = None) -> str:
    """mrkdwn as a terminal shows it: markup spelled out (people and channels by ``names``),
    escapes undone, control characters dropped."""
    names = names or {}
    parts = []
    last = 0
    for match in ENTITY_RE.finditer(mrkdwn):
        parts.append(_unescape(mrkdwn[last : match.start()]))
        parts.append(_plain_entity(match.group(), names))
        last = match.end()
    parts.append(_unescape(mrkdwn[last:]))
    return _CONTROL_RE.sub("", "".join(parts))
