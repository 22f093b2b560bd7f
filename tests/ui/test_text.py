"""Text as Slack counts and shows it."""

from __future__ import annotations

from ui.mrkdwn import cut_mrkdwn
from ui.text import clip, clip_plain, fit, utf16_len


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


def test_fit_counts_utf16_and_keeps_markup_whole() -> None:
    text = "😀" * 2000 + " <@U0BOB>"
    fitted = fit(text, 3000, cut_mrkdwn)
    assert 2900 < utf16_len(fitted) <= 3000
    assert "<@U0B" not in fitted or "<@U0BOB>" in fitted


def test_fit_leaves_text_that_fits_alone() -> None:
    assert fit("*a* <@U1>", 10, cut_mrkdwn) == "*a* <@U1>"


def test_clip_plain_keeps_most_of_text_far_over_the_limit_in_emoji() -> None:
    # Over by more units than the limit: shrinking by the overage in code points emptied it.
    for text in ("Follow " + "😀" * 100, "😀" * 1000, "Weekly digest: " + "🎉" * 200):
        clipped = clip_plain(text, 75)
        assert 70 <= utf16_len(clipped) <= 75, (text[:20], clipped)
        assert clipped.endswith("…")
