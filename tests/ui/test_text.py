"""Text as Slack counts and shows it."""

from __future__ import annotations

from digests.render import excerpt
from ui.text import clip, clip_plain, fit, inert, named, quiet, tag, utf16_len


def test_emoji_count_twice_as_slack_counts() -> None:
    assert utf16_len("a😀") == 3


def test_clip_cuts_plain_text_with_an_ellipsis() -> None:
    assert clip("abc", 3) == "abc"
    assert clip("ab cd", 4) == "ab…"
    assert clip("abc", 0) == ""


def test_clip_plain_counts_utf16() -> None:
    clipped = clip_plain("😀" * 50, 75)
    assert utf16_len(clipped) <= 75 and clipped.endswith("…")
    assert clip_plain("Follow", 75) == "Follow"


def test_titles_cannot_format_link_or_ping() -> None:
    assert inert("*Boss* <!channel> & _co_") == "Boss &lt;!channel&gt; &amp; co"
    assert inert("line\none\x07") == "line one"
    long = inert("x" * 500)
    assert len(long) == 80 and long.endswith("…")


def test_quiet_turns_broadcasts_into_plain_text() -> None:
    text = "<!here> look <!channel|channel> <!subteam^S0123|@design-team> <@U1> <#C1|x>"
    assert quiet(text) == "@here look @channel @design-team <@U1> <#C1|x>"


def test_fit_counts_utf16_and_keeps_markup_whole() -> None:
    text = "😀" * 2000 + " <@U0BOB>"
    fitted = fit(text, 3000, excerpt)
    assert 2900 < utf16_len(fitted) <= 3000
    assert "<@U0B" not in fitted or "<@U0BOB>" in fitted


def test_fit_leaves_text_that_fits_alone() -> None:
    assert fit("*a* <@U1>", 10, excerpt) == "*a* <@U1>"


def test_people_and_tags_as_shown() -> None:
    assert named("U1", "Designer, *Design*") == "<@U1> — Designer, Design"
    assert named("U1", "") == "<@U1>"
    assert tag("de<sign") == "#de&lt;sign"
