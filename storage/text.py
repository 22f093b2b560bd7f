"""Pure parser for the ``text`` field of Slack ``message`` events.

Slack sends message text as escaped mrkdwn: ``&``, ``<`` and ``>`` typed by the user arrive as
``&amp;``, ``&lt;`` and ``&gt;``, so every literal ``<…>`` in the text is markup (links, user
mentions, channel refs, ``<!here>`` and friends). This module pulls tags, mentions, channel refs
and links out of that text without any I/O.

Tag rules, in short:

* a tag is ``#`` followed by a word of letters (any script, with their combining marks), decimal
  digits, ``_`` and ``-``; it is stored NFC-normalised and case-folded with ``str.casefold``
  (``#Backend`` = ``#backend``, a decomposed ``café`` = a precomposed one);
* trailing ``-`` and ``_`` are dropped (``#release-`` is ``release``) and the word must still
  contain a letter or digit;
* the stored form must be 1 to ``TAG_MAX`` characters; longer words are not tags at all;
* no tags inside ``<…>`` markup, inline code, code blocks or bare ``http(s)://`` tokens;
* a ``#`` right after a letter, digit, mark or one of ``& / # : . @ -`` starts no tag (``foo#bar``,
  ``x/#a``, ``&#39;``); ``##x`` therefore yields no tag at all. ``_`` before ``#`` blocks the tag
  only when the ``_`` continues a word (``foo_#bar``), not when it is an italic marker
  (``_#release_``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "TAG_MAX",
    "ParsedText",
    "is_valid_tag",
    "normalize_tag",
    "parse_text",
    "tag_from_channel_name",
]

TAG_MAX = 80


_Ranges = list[tuple[int, int]]


def _category_ranges() -> tuple[_Ranges, _Ranges]:
    r"""Code point ranges of (letters and decimal digits, combining marks).

    ``re`` has no ``\p{L}``/``\p{M}``, and ``\w`` both lacks combining marks (which Indic scripts
    need inside words) and includes non-decimal numerals such as ``²``, so the classes are built
    from ``unicodedata`` once at import.
    """
    kinds: defaultdict[str, int] = defaultdict(int)
    kinds.update(dict.fromkeys(("Lu", "Ll", "Lt", "Lm", "Lo", "Nd"), 1))
    kinds.update(dict.fromkeys(("Mn", "Mc", "Me"), 2))
    found: dict[int, _Ranges] = {1: [], 2: []}
    # Planes 4-13 hold no assigned characters and 15-16 are private use, so scanning planes 0-3
    # and 14 covers everything while keeping import cost to a few tens of milliseconds.
    for start, stop in ((0, 0x40000), (0xE0000, 0xE1000)):
        flags = bytes(
            map(kinds.__getitem__, map(unicodedata.category, map(chr, range(start, stop))))
        )
        for kind, ranges in found.items():
            for run in re.finditer(re.escape(bytes([kind])) + b"+", flags):
                ranges.append((start + run.start(), start + run.end() - 1))
    return found[1], found[2]


def _class_body(ranges: _Ranges, limit: int = 0x10FFFF) -> str:
    """Character-class body (without brackets) for ``ranges`` clipped to ``limit``."""
    return "".join(
        f"\\U{first:08x}-\\U{min(last, limit):08x}" for first, last in ranges if first <= limit
    )


_ALNUM_RANGES, _MARK_RANGES = _category_ranges()
_ALNUM = _class_body(_ALNUM_RANGES)  # letters and decimal digits
_MARK = _class_body(_MARK_RANGES)  # combining marks
_WORD = f"{_ALNUM}{_MARK}_\\-"
# re turns the BMP part of a class into a bitmap but tests supplementary-plane ranges one by one,
# which made every failed test (e.g. the space ending a tag) walk hundreds of ranges. The scanner
# therefore uses BMP-only classes plus "any supplementary character", and the few tags touching
# supplementary characters are trimmed precisely afterwards.
_ASTRAL = "\\U00010000-\\U0010ffff"
_ALNUM_MARK_BMP = _class_body(_ALNUM_RANGES, 0xFFFF) + _class_body(_MARK_RANGES, 0xFFFF)

# Leftmost construct wins, so a backtick inside a link label does not open code and a link inside
# code is hidden. Inline code never spans lines, so a stray backtick cannot swallow later lines.
_MARKUP_RE = re.compile(r"```.*?```|`[^`\n]+`|<([^<>]*)>", re.DOTALL)
_MENTION_RE = re.compile(r"@([UW][A-Z0-9]+)(?:\|.*)?", re.DOTALL)
# Older private channels have G ids, so refs to them look like <#G…|name>.
_CHANNEL_RE = re.compile(r"#([CG][A-Z0-9]+)(?:\|(.*))?", re.DOTALL)
_LINK_RE = re.compile(r"(?:https?://|mailto:)\S+", re.IGNORECASE)
_ENTITY_RE = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}

# Matches a bare URL (all groups empty) or a '#' word as (astral char before '#', astral char
# before '_#', word). The lookbehinds sit after the '#' so they only run where a '#' is.
_TAG_SCAN_RE = re.compile(
    r"(?i:https?)://\S*"
    rf"|#(?:(?<=([{_ASTRAL}])#)|(?<=([{_ASTRAL}])_#))?"
    rf"(?<![{_ALNUM_MARK_BMP}&/#:.@\-]#)(?<![{_ALNUM_MARK_BMP}\-]_#)(?<!__#)"
    rf"([{_ALNUM_MARK_BMP}_\-{_ASTRAL}]+)"
)
_WORD_CHAR_RE = re.compile(f"[{_WORD}]")
_WORD_PREFIX_RE = re.compile(f"[{_WORD}]*")
_HAS_ALNUM_RE = re.compile(f"[{_ALNUM}]")
_ALNUM_OR_MARK_RE = re.compile(f"[{_ALNUM}{_MARK}]")


@dataclass(frozen=True)
class ParsedText:
    """What a message text refers to.

    ``channel_refs`` maps channel id to the case-folded name carried by the ref, or ``None`` when
    the ref carries no name (``<#C1>``, ``<#C1|>``); refs whose name is not a valid tag are left
    out. It is read-only and excluded from the hash so instances stay hashable.
    """

    tags: frozenset[str]
    mentions: frozenset[str]
    channel_refs: Mapping[str, str | None] = field(hash=False)
    links: tuple[str, ...]


def _fold(text: str) -> str:
    # NFC first so that a decomposed "é" (e + U+0301) and a precomposed one give the same tag.
    return unicodedata.normalize("NFC", text).casefold()


def _unescape(text: str) -> str:
    # One pass, so "&amp;lt;" becomes "&lt;" and not "<".
    return _ENTITY_RE.sub(lambda m: _ENTITIES[m.group(1)], text)


def is_valid_tag(tag: str) -> bool:
    """Return whether ``tag`` is a tag in stored form (normalised, folded, within length)."""
    return (
        0 < len(tag) <= TAG_MAX
        and _WORD_PREFIX_RE.fullmatch(tag) is not None
        and tag[-1] not in "-_"
        and _HAS_ALNUM_RE.search(tag) is not None
        and _fold(tag) == tag
    )


def _tag_from_word(word: str) -> str | None:
    """Stored form of a word matched after ``#``, or ``None`` if it is not a valid tag."""
    stripped = word.rstrip("-_")
    if stripped.isascii():
        # Fast path for the common case: an ASCII word already matched [A-Za-z0-9_-]+ and now ends
        # in a letter or digit, so only case and length remain to be checked.
        tag = stripped.lower()
        return tag if 0 < len(tag) <= TAG_MAX else None
    if max(word) > "\uffff":
        # The scanner let any supplementary character into the word; cut it where the word really
        # ends (e.g. at an emoji).
        prefix = _WORD_PREFIX_RE.match(word)
        stripped = prefix.group().rstrip("-_") if prefix else ""
    tag = _fold(stripped)
    return tag if is_valid_tag(tag) else None


def normalize_tag(raw: str) -> str | None:
    """Turn a user-typed tag such as ``"#Backend"`` or ``"ops!"`` into its stored form.

    Surrounding whitespace and one leading ``#`` are removed, as are trailing characters that are
    not letters or digits (punctuation, ``-``, ``_``, emoji). Returns ``None`` when what remains
    is not a valid tag, e.g. because it contains punctuation inside (``"rel.ease"``) or is longer
    than ``TAG_MAX``.
    """
    body = raw.strip()
    if body.startswith("#"):
        body = body[1:]
    # Search the reversed text for the last letter, digit or mark: a pattern anchored at the end
    # would be retried from every position of a long run of punctuation.
    last = _ALNUM_OR_MARK_RE.search(body[::-1])
    tag = _fold(body[: len(body) - last.start()] if last else "")
    return tag if is_valid_tag(tag) else None


def tag_from_channel_name(name: str) -> str | None:
    """Return the tag for a channel name (case-folded), or ``None`` if the name is no valid tag.

    The name is not trimmed: ``"ops-"`` is a different channel from ``"ops"``, so it maps to
    ``None`` rather than to the ``ops`` tag.
    """
    tag = _fold(name)
    return tag if is_valid_tag(tag) else None


def _scan_tags(plain: list[str]) -> frozenset[str]:
    # Removed markup and code become a space so the words on either side do not merge.
    text = _unescape(" ".join(plain))
    tags: set[str] = set()
    # Bare-URL matches come back as "" and are skipped; deduplicating first keeps texts that
    # repeat one tag many times cheap.
    for before, before_underscore, word in set(_TAG_SCAN_RE.findall(text)):
        if not word:
            continue  # a bare URL
        prev = before or before_underscore
        if prev and _WORD_CHAR_RE.fullmatch(prev):
            continue  # the '#' continues a word written in a supplementary-plane script
        if (tag := _tag_from_word(word)) is not None:
            tags.add(tag)
    return frozenset(tags)


def parse_text(text: str) -> ParsedText:
    """Extract tags, user mentions, channel refs and links from Slack message text."""
    # split() alternates plain text with the group: a <…> body, or None for code, which is dropped.
    parts = _MARKUP_RE.split(text)
    plain: list[str] = parts[0::2]
    markup = dict.fromkeys(content for content in parts[1::2] if content is not None)
    mentions: set[str] = set()
    channel_refs: dict[str, str | None] = {}
    links: dict[str, None] = {}  # insertion-ordered set
    for content in markup:
        if mention := _MENTION_RE.fullmatch(content):
            mentions.add(mention.group(1))
        elif ref := _CHANNEL_RE.fullmatch(content):
            channel_id, name = ref.group(1, 2)
            tag = tag_from_channel_name(name) if name else None
            if name and tag is None:
                continue  # a name that is no valid tag drops this ref entirely
            if channel_refs.get(channel_id) is None:
                # The first name seen wins, and a bare ref to the same channel does not erase it.
                channel_refs[channel_id] = tag
        else:
            url = content.partition("|")[0]
            if _LINK_RE.fullmatch(url):
                # Slack escapes '&' inside URLs too; callers want the URL as it can be opened.
                links.setdefault(_unescape(url))
    return ParsedText(
        tags=_scan_tags(plain),
        mentions=frozenset(mentions),
        channel_refs=MappingProxyType(channel_refs),
        links=tuple(links),
    )
