"""Other people's words in mrkdwn: nothing they write can ping, disguise a link or restyle."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ui import mrkdwn as m
from ui.mrkdwn import (
    channel,
    cut_mrkdwn,
    mention,
    mrkdwn_code,
    mrkdwn_name,
    mrkdwn_post,
    mrkdwn_text,
    named,
    permalink,
    plain_mrkdwn,
    tag,
)

ENTITIES = [
    "<@U1>",
    "<@U02ABC|ann>",
    "<#C1|release>",
    "<#C2>",
    "<!here>",
    "<!subteam^S1|@design>",
    "<https://example.com/a_b?x=1&amp;y=2|the *notes*>",
    "<https://example.com/very/long/" + "path/" * 20 + ">",
    "<mailto:ann@example.com|Ann>",
]
# What someone trying to make Kring ping or mislead would write.
HOSTILE = [
    "<!channel>",
    "<!channel|@channel>",
    "<!here|here>",
    "<!everyone>",
    "<!subteam^S123|@devs>",
    "<!subteam^S123>",
    "<!subteam^S1|*@x*>",
    "<https://evil.example/login|Payroll.pdf>",
    "<https://evil.example/login|https://payroll.example>",
    "<http://x.io|x.io>",
    "<javascript:alert(1)|click>",
    "<!date^1700000000^{date}^https://evil.example|Nov 14>",
    "<!date^1700000000^{date}|Nov 14>",
    "<@U1|Boss>",
    "<@not an id>",
    "<@evil|x>",
    "<#C1|general>",
    "<#nope>",
    "<!foo^bar|baz>",
    "<!here",
    "!channel>",
    "\x08<!channel>",
]
FRAGMENTS = [
    *ENTITIES,
    *HOSTILE,
    "&amp;",
    "&lt;",
    "&gt;",
    "&",
    "&am",
    "&#39;",
    "<",
    ">",
    "<@U1",
    "|",
    "*",
    "_",
    "~",
    "`",
    "```",
    "\n",
    "\n\n\n",
    " ",
    "snake_case",
    "*bold*",
    "_italic_",
    "~gone~",
    "`code`",
    "```\nblock\n```",
]
slack_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=80).map(
    "".join
)
raw_text = st.one_of(
    st.text(max_size=120),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=20).map("".join),
)
ESCAPE_RE = re.compile(r"&(?:amp|lt|gt);")
# The only markup mrkdwn_text lets through: people, channels, dates without a link, bare links.
ALLOWED_ENTITY_RE = re.compile(
    r"<@[UW][A-Z0-9]+>|<#[CG][A-Z0-9]+>|<!date\^\d+\^[^|<>^]+\|[^<>]*>"
    r"|<(?:https?|mailto|tel|ftp|slack):[^|<>\s]+>"
)
BROADCAST_RE = re.compile(r"<!(?:here|channel|everyone|subteam)", re.IGNORECASE)


def markers_outside_markup(text: str) -> Iterator[tuple[str, int]]:
    """(marker, position) of each ``*_~`` that Slack could read as formatting."""
    plain = re.sub(r"<[^<>]*>|&(?:amp|lt|gt);|`[^`\n]+`", lambda m: "#" * len(m.group()), text)
    for match in re.finditer(r"[*_~]", plain):
        i = match.start()
        before = plain[i - 1] if i else " "
        after = plain[i + 1] if i + 1 < len(plain) else " "
        if not (before.isalnum() and after.isalnum()):
            yield match.group(), i


def entities(out: str, allowed: Callable[[str], bool]) -> list[str]:
    """The ``<…>`` of ``out``, checking that each is allowed and that no ``<``, ``>`` or ``&``
    stands outside markup unescaped."""
    found = []
    i = 0
    while i < len(out):
        char = out[i]
        if char == "<":
            end = out.index(">", i)
            entity = out[i : end + 1]
            assert "<" not in entity[1:]
            assert allowed(entity), (entity, out)
            found.append(entity)
            i = end + 1
            continue
        assert char != ">", out
        if char == "&":
            assert ESCAPE_RE.match(out, i), out
        i += 1
    return found


def balanced(out: str) -> None:
    outside = re.sub(r"<[^<>]*>", "", out)
    assert outside.count("`") % 2 == 0
    assert "```" not in outside
    assert "\n\n\n" not in out
    for marker in "*_~":
        assert sum(1 for found, _ in markers_outside_markup(out) if found == marker) % 2 == 0, out


# --- post text ------------------------------------------------------------------------------------


@settings(deadline=None, max_examples=400)
@given(slack_text, st.integers(1, 400))
def test_post_text_never_pings_disguises_a_link_or_leaves_markup_open(
    source: str, limit: int
) -> None:
    out = mrkdwn_text(source, limit)
    assert len(out) <= limit
    assert not BROADCAST_RE.search(out)
    for entity in entities(out, lambda e: ALLOWED_ENTITY_RE.fullmatch(e) is not None):
        # A link shows its own target: no label can say something else.
        assert "|" not in entity or entity.startswith("<!date^")
    balanced(out)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<!channel> look", "@channel look"),
        ("<!here|here> and <!everyone>", "@here and @everyone"),
        ("ask <!subteam^S123|@devs>", "ask @devs"),
        ("ask <!subteam^S123>", "ask @group"),
        ("<!subteam^S1|*@design*>", "@design"),
        ("<https://evil.example/login|Payroll.pdf>", "Payroll.pdf (<https://evil.example/login>)"),
        (
            "<https://evil.example|https://bank.example>",
            "https://bank.example (<https://evil.example>)",
        ),
        ("see <http://x.io|x.io>", "see <http://x.io>"),
        ("<https://x.io/a?b=1&amp;c=2>", "<https://x.io/a?b=1&amp;c=2>"),
        ("<mailto:ann@example.com|ann@example.com>", "<mailto:ann@example.com>"),
        ("<javascript:alert(1)|click>", "click"),
        ("<https://x.io|*R&amp;D* notes>", "R&amp;D notes (<https://x.io>)"),
        (
            "<!date^1700000000^{date}^https://evil.example|Nov 14>",
            "<!date^1700000000^{date}|Nov 14>",
        ),
        ("thanks <@U1|Boss> in <#C1|general>", "thanks <@U1> in <#C1>"),
        ("<@evil|x> <#nope>", "@x #nope"),
        ("<!foo^bar|baz>", "@foo"),
    ],
)
def test_post_markup_made_harmless(text: str, shown: str) -> None:
    assert mrkdwn_text(text) == shown


def test_post_text_keeps_the_authors_formatting_and_escapes() -> None:
    text = "a &amp; b &lt;tag&gt; *bold* _it_ ~gone~ `code` snake_case"
    assert mrkdwn_text(text) == text


def test_a_post_of_files_only_shows_their_names_inert() -> None:
    evil = "<https://evil.example/login|Payroll.pdf> <!channel>"
    assert mrkdwn_post("", [evil, "notes_v2.pdf"]) == (
        "&lt;https://evil.example/login|Payroll.pdf&gt; &lt;!channel&gt;, notes_v2.pdf"
    )
    assert mrkdwn_post("see *this*", [evil]) == "see *this*"
    assert mrkdwn_post("", []) == ""


# --- names ----------------------------------------------------------------------------------------


@settings(deadline=None, max_examples=400)
@given(raw_text, st.integers(1, 100))
def test_a_name_is_one_inert_line(source: str, limit: int) -> None:
    out = mrkdwn_name(source, limit)
    entities(out, lambda e: False)  # no markup at all
    assert len(m._unescape(out)) <= limit
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069`]", out)
    assert out == out.strip()
    # Put inside Kring's own bold, it neither closes it nor opens anything of its own.
    assert not re.search("[*~]", out)
    assert list(markers_outside_markup(out)) == []
    assert list(markers_outside_markup(f"*{out}*")) in ([], [("*", 0), ("*", len(out) + 1)])


def test_names_cannot_format_link_or_ping() -> None:
    assert mrkdwn_name("*Boss* <!channel> & _co_") == "Boss &lt;!channel&gt; &amp; co"
    assert mrkdwn_name("line\none\x07\u202etxt.exe") == "line one txt.exe"
    assert mrkdwn_name("jan_de_vries ~ R&amp;D") == "jan_de_vries R&amp;D"
    long = mrkdwn_name("x" * 500)
    assert len(long) == 80 and long.endswith("…")
    assert mrkdwn_name("snake_" + "x" * 100, 7) == "snake…"


@given(raw_text)
def test_a_typed_word_stays_inside_its_backticks(source: str) -> None:
    out = mrkdwn_code(source)
    entities(out, lambda e: False)
    assert "`" not in out and "\n" not in out
    assert len(m._unescape(out)) <= 40


def test_people_channels_and_tags_as_shown() -> None:
    assert named("U1", "Designer, *Design* <!channel>") == (
        "<@U1> — Designer, Design &lt;!channel&gt;"
    )
    assert named("U1", "") == "<@U1>"
    assert tag("de<sign") == "#de&lt;sign"
    assert tag("#*release*") == "#release"
    assert mention("U1|<!channel>") == "U1|&lt;!channel&gt;"
    assert mention("") == "?"
    assert channel("C1> *x") == "#C1&gt; x"


def test_permalinks_are_kept_only_when_they_are_plain_web_links() -> None:
    link = "https://acme.slack.com/archives/C1/p1?thread_ts=1&cid=C1"
    assert (
        permalink(link, "Open")
        == "<https://acme.slack.com/archives/C1/p1?thread_ts=1&amp;cid=C1|Open>"
    )
    assert permalink("javascript:alert(1)", "Open") is None
    assert permalink("https://x.io/a|b>", "Open") is None
    assert permalink(None, "Open") is None


# --- cutting Kring's own mrkdwn ------------------------------------------------------------------


@settings(deadline=None, max_examples=300)
@given(slack_text, st.integers(1, 400))
def test_cutting_never_breaks_markup(source: str, limit: int) -> None:
    out = cut_mrkdwn(source, limit)
    assert len(out) <= limit
    entities(out, lambda e: e in source)
    balanced(out)


def excerpt_char_by_char(text: str, limit: int, defuse: Callable[[str], str] | None = None) -> str:
    """The excerpt as first written: one piece per plain character (slow, obviously right)."""
    pieces = [
        single
        for piece in m._pieces(m._normalize(text), defuse)
        for single in (
            [m._Piece("char", c) for c in piece.out] if piece.kind == "char" else [piece]
        )
    ]
    kept: list[m._Piece] = []
    length = 0
    cut = False
    for piece in pieces:
        if length + len(piece.out) > limit:
            cut = True
            break
        kept.append(piece)
        length += len(piece.out)
    if cut:
        while kept and length > limit - 1:
            length -= len(kept.pop().out)
        spaces = [i for i, piece in enumerate(kept) if piece.out.isspace()]
        if spaces:
            tail = sum(len(piece.out) for piece in kept[spaces[-1] :])
            if tail <= min(m._WORD_BACKOFF, length // 2):
                del kept[spaces[-1] :]
        while kept and kept[-1].out.isspace():
            kept.pop()
    joined = "".join(piece.out for piece in m._balance(kept))
    body = m._BLANK_LINES_RE.sub("\n\n", joined).strip()
    return body + "…" if cut else body


@settings(deadline=None, max_examples=300)
@given(
    st.one_of(
        slack_text,
        st.text(alphabet=st.sampled_from("ab c*_~`<>&\n.é"), max_size=400),
        st.text(alphabet=st.sampled_from("ab c\n\t\u2003.é"), max_size=400),  # plain
    ),
    st.integers(1, 400),
)
def test_excerpts_equal_the_char_by_char_excerpt(source: str, limit: int) -> None:
    assert cut_mrkdwn(source, limit) == excerpt_char_by_char(source, limit)
    assert mrkdwn_text(source, limit) == excerpt_char_by_char(source, limit, m._defuse)


@given(st.text(alphabet=st.sampled_from("a&<>;mplgt"), max_size=60))
def test_escape_leaves_escapes_and_escapes_the_rest(source: str) -> None:
    expected = "".join(
        found.group()
        if found.lastgroup == "escape"
        else {"&": "&amp;", "<": "&lt;", ">": "&gt;"}.get(found.group(), found.group())
        for found in re.finditer(r"(?P<escape>&(?:amp|lt|gt);)|.", source, re.DOTALL)
    )
    assert m._escape(source) == expected


def test_plain_excerpt_at_every_limit_equals_the_char_by_char_excerpt() -> None:
    texts = [
        "the quick brown fox jumps over the lazy dog " * 3,
        "averyveryverylongwordwithoutanyspaces and then some more words",
        "line one\nline two\n\n\n\nline three   with  spaces\t\ttabs",
    ]
    for text in texts:
        for limit in range(1, len(text) + 2):
            assert mrkdwn_text(text, limit) == excerpt_char_by_char(text, limit), (text, limit)


def test_cutting_keeps_slack_markup_and_escapes_as_they_are() -> None:
    text = (
        "a &amp; b &lt;tag&gt; for <@U1|ann> in <#C1|release>, see <https://x.io/?a=1&amp;b=2|doc>"
    )
    assert cut_mrkdwn(text, 300) == text


def test_excerpt_escapes_bare_ampersands_and_brackets() -> None:
    assert mrkdwn_text("AT&T says 1 < 2 > 0 and <not markup") == (
        "AT&amp;T says 1 &lt; 2 &gt; 0 and &lt;not markup"
    )


def test_excerpt_cuts_before_an_entity_and_marks_the_cut() -> None:
    text = "see " + "<https://example.com/" + "x" * 40 + "|the doc>"
    assert mrkdwn_text(text, 30) == "see…"
    assert cut_mrkdwn(text, 30) == "see…"
    assert mrkdwn_text("x" * 50 + " &amp; more", 52) == "x" * 50 + "…"
    assert mrkdwn_text("short", 30) == "short"


def test_excerpt_cuts_at_a_word_when_one_is_near() -> None:
    out = mrkdwn_text("The release notes are ready for review by everyone", 30)
    assert out == "The release notes are ready…"


def test_excerpt_drops_formatting_the_cut_left_open() -> None:
    assert mrkdwn_text("*this whole sentence is bold and long*", 20) == "this whole…"
    assert mrkdwn_text("`some code that runs on`", 15) == "some code…"
    assert mrkdwn_text("keep snake_case and 2*3") == "keep snake_case and 2*3"
    assert mrkdwn_text("*bold* and _it_ and ~gone~") == "*bold* and _it_ and ~gone~"


def test_excerpt_turns_code_blocks_into_inline_code() -> None:
    assert mrkdwn_text("run ```make test``` now") == "run `make test` now"
    assert mrkdwn_text("```\nline one\nline two\n```") == "line one\nline two"


def test_excerpt_collapses_blank_lines() -> None:
    assert mrkdwn_text("one\n\n\n\n\ntwo\r\n\r\n\r\nthree") == "one\n\ntwo\n\nthree"


def test_excerpt_drops_control_characters_without_making_markup() -> None:
    assert mrkdwn_text("<@U1\x08> says \x1b[31mhi") == "&lt;@U1&gt; says [31mhi"
    assert mrkdwn_text("\x08<!channel>") == "@channel"


# --- plain text -----------------------------------------------------------------------------------


def test_plain_text_spells_markup_out() -> None:
    text = "R&amp;D <https://x.io|notes> <@U2> <#C7|ops> <!here>"
    assert plain_mrkdwn(text, {"U2": "bob"}) == "R&D notes (https://x.io) @bob #ops @here"
