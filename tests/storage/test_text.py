"""Parsing Slack message text: tags, mentions, channel refs and links."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.text import (
    TAG_MAX,
    ParsedText,
    is_valid_tag,
    normalize_tag,
    parse_text,
    tag_from_channel_name,
)

MENTION_ID = re.compile(r"[UW][A-Z0-9]+")
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]+")


def tags(text: str) -> frozenset[str]:
    return parse_text(text).tags


def assert_well_formed(parsed: ParsedText) -> None:
    assert all(is_valid_tag(tag) for tag in parsed.tags), parsed.tags
    assert all(MENTION_ID.fullmatch(user_id) for user_id in parsed.mentions), parsed.mentions
    for channel_id, name in parsed.channel_refs.items():
        assert CHANNEL_ID.fullmatch(channel_id)
        assert name is None or is_valid_tag(name)
    assert len(set(parsed.links)) == len(parsed.links)
    assert all(link.lower().startswith(("http://", "https://", "mailto:")) for link in parsed.links)


# --- tags -------------------------------------------------------------------------------------


def test_tags_are_found_anywhere_in_plain_text() -> None:
    assert tags("#release today, then #ops\nand #qa") == {"release", "ops", "qa"}


def test_tags_are_case_folded() -> None:
    assert tags("#Backend #BACKEND #backend") == {"backend"}
    assert tags("#Straße #STRASSE") == {"strasse"}


def test_decomposed_and_precomposed_accents_give_the_same_tag() -> None:
    assert tags("#cafe\u0301 #caf\u00e9") == {"caf\u00e9"}


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("#release.", "release"),
        ("#release-", "release"),
        ("#release_", "release"),
        ("#release-_-", "release"),
        ("#ops!", "ops"),
        ("#ops?!", "ops"),
        ("#a-b-", "a-b"),
        ("#snake_case_", "snake_case"),
        ("#v2.", "v2"),
        ("#release/1.2", "release"),
        ("#x's", "x"),
        ("#ship🚀", "ship"),
    ],
)
def test_trailing_punctuation_is_not_part_of_tag(text: str, tag: str) -> None:
    assert tags(text) == {tag}


@pytest.mark.parametrize("text", ["#-", "#_", "#--_", "#", "# release", "#!"])
def test_hash_without_letters_or_digits_is_no_tag(text: str) -> None:
    assert tags(text) == frozenset()


def test_leading_hyphen_and_underscore_are_kept() -> None:
    assert tags("#-foo #_bar") == {"-foo", "_bar"}


def test_digits_only_word_is_a_tag() -> None:
    assert tags("#2024") == {"2024"}


def test_eighty_character_word_is_a_tag() -> None:
    assert tags("#" + "a" * TAG_MAX) == {"a" * TAG_MAX}


def test_eighty_one_character_word_is_not_a_tag() -> None:
    # Not truncated to its first 80 characters either.
    assert tags("#" + "a" * (TAG_MAX + 1)) == frozenset()


def test_trailing_punctuation_does_not_count_towards_the_length() -> None:
    assert tags("#" + "a" * TAG_MAX + "--.") == {"a" * TAG_MAX}


def test_length_is_measured_after_case_folding() -> None:
    assert tags("#" + "ß" * (TAG_MAX // 2)) == {"ss" * (TAG_MAX // 2)}
    assert tags("#" + "ß" * (TAG_MAX // 2 + 1)) == frozenset()


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("#Привет", "привет"),
        ("#日本語", "日本語"),
        ("#हिन्दी", "हिन्दी"),  # vowel signs are combining marks
        ("#สวัสดี", "สวัสดี"),
        ("#ΕΛΛΆΔΑ", "ελλάδα"),
        ("#مرحبا", "مرحبا"),
        ("#𠝹字", "𠝹字"),  # supplementary-plane ideograph
        ("#İstanbul", "i\u0307stanbul"),  # casefold keeps the dot as a combining mark
    ],
)
def test_non_latin_tags(text: str, tag: str) -> None:
    assert tags(text) == {tag}


@pytest.mark.parametrize(
    "text",
    [
        "foo#bar",
        "x/#a",
        "&amp;#39;",
        "&#39;",
        "a:#b",
        ":tada:#party",
        "v1.#2",
        "me@#x",
        "re-#x",
        "snake_#case",
        "double__#case",
        "2#2",
        "é#x",
        "हि#x",
        "𠝹#x",
        "𠝹_#x",
    ],
)
def test_hash_directly_after_a_word_is_not_a_tag(text: str) -> None:
    assert tags(text) == frozenset()


def test_double_hash_yields_no_tag() -> None:
    # The second '#' follows a '#', and the first is followed by no word.
    assert tags("##x ###y") == frozenset()


@pytest.mark.parametrize(
    "text",
    [
        "#x",
        "(#x)",
        '"#x"',
        "'#x'",
        "[#x]",
        "*#x*",
        "_#x_",
        "*_#x_*",
        "~#x~",
        "&gt; #x",
        "&gt;#x",
        "a,#x",
        "a;#x",
        "wow!#x",
        "line\n#x",
        "tab\t#x",
        "🎉#x",
        "🎉_#x",
        "`unclosed #x",
    ],
)
def test_hash_after_markup_punctuation_or_space_is_a_tag(text: str) -> None:
    assert tags(text) == {"x"}


def test_tag_inside_url_is_not_a_tag() -> None:
    parsed = parse_text("<https://x.com/#anchor> <https://x.com/|#label> <https://y.com/#a|#b>")
    assert parsed.tags == frozenset()
    assert parsed.links == ("https://x.com/#anchor", "https://x.com/", "https://y.com/#a")


@pytest.mark.parametrize(
    "text",
    [
        "see https://x.com/?q=#a",
        "HTTPS://X.COM/?q=#a",
        "http://x.com/?a=1&amp;b=#c",
        "(https://x.com/?q=#a)",
    ],
)
def test_tag_inside_bare_url_is_not_a_tag(text: str) -> None:
    assert tags(text + " #after") == {"after"}


def test_tags_inside_mention_and_channel_markup_are_not_tags() -> None:
    assert tags("<@U1|#nope> <#C1|release> <!subteam^S1|#team>") == frozenset()


def test_escaped_angle_brackets_are_plain_text() -> None:
    parsed = parse_text("&lt;#foo&gt; &lt;@U1&gt; &lt;https://x.com/&gt;")
    assert parsed.tags == {"foo"}
    assert parsed.mentions == frozenset()
    assert parsed.links == ()


# --- code -------------------------------------------------------------------------------------


def test_code_blocks_hide_tags() -> None:
    assert tags("```\n#hidden\nstill #hidden\n``` #shown") == {"shown"}


def test_inline_code_hides_tags() -> None:
    assert tags("run `git log #hidden` for #shown") == {"shown"}


def test_code_hides_mentions_channel_refs_and_links() -> None:
    parsed = parse_text("`<@U1>` ```<#C1|ops> <https://x.com/>```")
    assert parsed == parse_text("")


def test_unclosed_backtick_is_a_plain_character() -> None:
    assert tags("don`t #shown") == {"shown"}
    assert tags("```#shown") == {"shown"}


def test_inline_code_does_not_span_lines() -> None:
    assert tags("a ` b\n#shown `") == {"shown"}


def test_code_and_markup_do_not_glue_neighbouring_words() -> None:
    assert tags("a`x`#one b<@U1>#two") == {"one", "two"}


def test_backtick_inside_link_label_does_not_open_code() -> None:
    parsed = parse_text("<https://x.com/|a`b> #shown `c`")
    assert parsed.tags == {"shown"}
    assert parsed.links == ("https://x.com/",)


# --- mentions -----------------------------------------------------------------------------------


def test_user_mentions_with_and_without_label() -> None:
    assert parse_text("<@U123> <@W456|alice> <@U123|bob>").mentions == {"U123", "W456"}


def test_mention_glued_to_text_is_recognised() -> None:
    assert parse_text("hi<@U1>!").mentions == {"U1"}


@pytest.mark.parametrize(
    "text",
    [
        "<@B123>",
        "<@u123>",
        "<@>",
        "<@U12-3>",
        "<!here>",
        "<!channel>",
        "<!subteam^S1|@team>",
        "<!date^1700000000^{date}|Nov 14>",
        "@U123",
    ],
)
def test_non_user_mentions_are_ignored(text: str) -> None:
    assert parse_text(text).mentions == frozenset()


# --- channel refs -------------------------------------------------------------------------------


def test_channel_ref_name_is_case_folded() -> None:
    assert parse_text("<#C123|Release>").channel_refs == {"C123": "release"}


def test_channel_ref_without_name_is_reported_unresolved() -> None:
    assert parse_text("<#C1> <#C2|>").channel_refs == {"C1": None, "C2": None}


def test_channel_ref_with_invalid_name_is_omitted() -> None:
    assert parse_text("<#C1|bad name> <#C2|ops-> <#C3|" + "a" * 81 + ">").channel_refs == {}


@pytest.mark.parametrize("text", ["<#C1|ops> <#C1>", "<#C1> <#C1|ops>", "<#C1|ops> <#C1|dev>"])
def test_first_channel_name_wins_and_bare_refs_do_not_erase_it(text: str) -> None:
    assert parse_text(text).channel_refs == {"C1": "ops"}


def test_legacy_private_channel_ref_is_recognised() -> None:
    assert parse_text("<#G1|secret>").channel_refs == {"G1": "secret"}


def test_channel_ref_is_not_a_tag() -> None:
    assert parse_text("<#C1|release>").tags == frozenset()


def test_channel_refs_are_read_only() -> None:
    parsed = parse_text("<#C1>")
    with pytest.raises(TypeError):
        parsed.channel_refs["C1"] = "x"  # type: ignore[index]


# --- links --------------------------------------------------------------------------------------


def test_links_are_in_order_and_deduplicated() -> None:
    text = "<https://b.com/> <http://a.com/|A> <https://b.com/|again> <mailto:x@y.z|x@y.z>"
    assert parse_text(text).links == ("https://b.com/", "http://a.com/", "mailto:x@y.z")


def test_escapes_in_links_are_decoded() -> None:
    assert parse_text("<https://x.com/?a=1&amp;b=2>").links == ("https://x.com/?a=1&b=2",)


@pytest.mark.parametrize(
    "text", ["<tel:123>", "<ftp://x.com/>", "<javascript:alert(1)>", "<https://>", "https://x.com/"]
)
def test_only_wrapped_web_and_mail_links_are_links(text: str) -> None:
    assert parse_text(text).links == ()


# --- whole result -------------------------------------------------------------------------------


def test_empty_text_has_nothing() -> None:
    assert parse_text("") == ParsedText(
        tags=frozenset(), mentions=frozenset(), channel_refs={}, links=()
    )


def test_everything_at_once() -> None:
    parsed = parse_text(
        "*#Release* is out <@U1>, see <https://x.com/notes|notes> in <#C9|announce> `#not`"
    )
    assert parsed.tags == {"release"}
    assert parsed.mentions == {"U1"}
    assert parsed.channel_refs == {"C9": "announce"}
    assert parsed.links == ("https://x.com/notes",)


def test_parsed_text_is_hashable() -> None:
    text = "#a <@U1> <#C1|b> <https://x.com/>"
    assert hash(parse_text(text)) == hash(parse_text(text))
    assert parse_text(text) == parse_text(text)


def test_control_characters_and_lone_surrogates_are_handled() -> None:
    assert tags("#a\x00b \ud800#x #y\ud800 \x00#z \x07#w") == {"a", "x", "y", "z", "w"}


# --- normalize_tag, is_valid_tag, tag_from_channel_name -----------------------------------------


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("#Backend", "backend"),
        ("Backend", "backend"),
        ("  #ops!! ", "ops"),
        ("release-", "release"),
        ("release.-", "release"),
        ("#2024", "2024"),
        ("#Привет", "привет"),
        ("hi\u0301!", "h\u00ed"),  # NFC composes the accent
        ("a" * TAG_MAX, "a" * TAG_MAX),
    ],
)
def test_normalize_tag_accepts_user_typed_tags(raw: str, tag: str) -> None:
    assert normalize_tag(raw) == tag


@pytest.mark.parametrize(
    "raw", ["", "#", "##x", "rel.ease", "two words", "-", "!!!", "a" * (TAG_MAX + 1), "<#C1>"]
)
def test_normalize_tag_rejects_non_tags(raw: str) -> None:
    assert normalize_tag(raw) is None


@pytest.mark.parametrize("tag", ["backend", "2024", "a-b", "snake_case", "-x", "привет", "x" * 80])
def test_is_valid_tag_accepts_stored_tags(tag: str) -> None:
    assert is_valid_tag(tag)


@pytest.mark.parametrize(
    "tag",
    ["", "Backend", "#backend", "release-", "release_", "a b", "a.b", "--", "\u0301", "x" * 81],
)
def test_is_valid_tag_rejects_anything_else(tag: str) -> None:
    assert not is_valid_tag(tag)


@pytest.mark.parametrize(
    ("name", "tag"),
    [
        ("release", "release"),
        ("Release", "release"),
        ("dev-ops", "dev-ops"),
        ("ops-", None),  # another channel than #ops, so not folded into that tag
        ("a b", None),
        ("", None),
        ("x" * 81, None),
    ],
)
def test_tag_from_channel_name(name: str, tag: str | None) -> None:
    assert tag_from_channel_name(name) == tag


# --- robustness and speed -----------------------------------------------------------------------

ANY_CHAR = st.characters(exclude_categories=())  # includes control characters and surrogates
WORD_CHAR = st.characters(categories=["L", "M", "Nd"]) | st.sampled_from(["-", "_"])
MARKUP = st.sampled_from(
    [
        "#",
        "##",
        "<",
        ">",
        "|",
        "`",
        "```",
        "\n",
        " ",
        "&amp;",
        "&lt;",
        "&gt;",
        "&",
        ";",
        "_",
        "*",
        "~",
        "-",
        ":",
        "/",
        "@",
        ".",
        "https://",
        "mailto:",
        "<@U1>",
        "<@W2|bob>",
        "<@",
        "<#C1|release>",
        "<#C2>",
        "<#C3|>",
        "<#",
        "<https://x.com/#a|label>",
        "<!here>",
        "<!subteam^S1|@team>",
        "ß",
        "İ",
        "\u0301",
        "🎉",
        "𠝹",
        "\x00",
        "\ud800",
        "a" * 80,
    ]
)
SLACKISH_TEXT = st.lists(
    st.one_of(MARKUP, st.text(WORD_CHAR, max_size=10), st.text(ANY_CHAR, max_size=3)),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.text(ANY_CHAR))
def test_arbitrary_text_gives_well_formed_results(text: str) -> None:
    assert_well_formed(parse_text(text))


@settings(max_examples=500, deadline=None)
@given(SLACKISH_TEXT)
def test_slack_like_text_gives_well_formed_results(text: str) -> None:
    assert_well_formed(parse_text(text))


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=(), exclude_characters="`"), min_size=1))
def test_anything_inside_inline_code_is_hidden(inner: str) -> None:
    parsed = parse_text(f"```{inner}```")
    assert parsed == parse_text("")
    if "\n" not in inner:
        assert parse_text(f"`{inner}`") == parse_text("")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(ANY_CHAR), st.text(WORD_CHAR), SLACKISH_TEXT))
def test_normalized_tags_round_trip(raw: str) -> None:
    tag = normalize_tag(raw)
    if tag is None:
        return
    assert is_valid_tag(tag)
    assert normalize_tag(tag) == tag
    assert normalize_tag(f"#{tag}") == tag
    assert tag_from_channel_name(tag) == tag
    assert parse_text(f"#{tag}").tags == {tag}
    assert parse_text(f"<#C1|{tag}>").channel_refs == {"C1": tag}


@settings(max_examples=300, deadline=None)
@given(st.text(WORD_CHAR, min_size=1))
def test_hash_word_gives_the_same_tag_as_normalize_tag(word: str) -> None:
    expected = normalize_tag(word)
    assert tags(f"#{word}") == (frozenset() if expected is None else {expected})


@settings(max_examples=100, deadline=None)
@given(st.from_regex(r"[UW][A-Z0-9]{1,12}", fullmatch=True), st.text(max_size=20))
def test_user_mentions_round_trip(user_id: str, label: str) -> None:
    label = label.replace(">", "").replace("<", "")
    assert parse_text(f"hi <@{user_id}> and <@{user_id}|{label}>").mentions == {user_id}


MEGABYTE = 1_000_000


# Huge inputs must finish (no catastrophic backtracking); the timeout guards against a hang,
# it is not a speed budget.
@pytest.mark.timeout(60)
@settings(max_examples=5, deadline=None)
@given(SLACKISH_TEXT.filter(bool))
def test_megabyte_of_repeated_slack_like_text_parses(chunk: str) -> None:
    text = (chunk * (MEGABYTE // len(chunk) + 1))[:MEGABYTE]
    assert_well_formed(parse_text(text))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("hello world #tag and more text " * (MEGABYTE // 31), id="prose"),
        pytest.param("#" * MEGABYTE, id="hashes"),
        pytest.param("#a " * (MEGABYTE // 3), id="one-tag-repeated"),
        pytest.param(" ".join(f"#t{i}" for i in range(MEGABYTE // 8)), id="distinct-tags"),
        pytest.param("#" + "é" * MEGABYTE, id="one-long-word"),
        pytest.param("#a" + "\u0301" * MEGABYTE, id="combining-marks"),
        pytest.param("#" + "🎉" * (MEGABYTE // 2), id="emoji"),
        pytest.param("🎉#a " * (MEGABYTE // 5), id="emoji-before-tags"),
        pytest.param("<" * MEGABYTE, id="open-brackets"),
        pytest.param("`" * MEGABYTE, id="backticks"),
        pytest.param("```" + "a `" * (MEGABYTE // 3), id="unclosed-block"),
        pytest.param("_" * MEGABYTE + "#x", id="underscores"),
        pytest.param("https://" * (MEGABYTE // 8), id="url-schemes"),
        pytest.param("&amp;" * (MEGABYTE // 5), id="entities"),
        pytest.param("<@U1>" * (MEGABYTE // 5), id="mentions"),
        pytest.param("".join(f"<#C{i}|n{i}>" for i in range(MEGABYTE // 12)), id="channel-refs"),
        pytest.param("".join(f"<https://x/{i}>" for i in range(MEGABYTE // 16)), id="links"),
    ],
)
@pytest.mark.timeout(60)
def test_adversarial_megabyte_parses_without_hanging(text: str) -> None:
    assert_well_formed(parse_text(text))
