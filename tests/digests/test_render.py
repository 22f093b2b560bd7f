"""The digest DM: what it says, and that Slack accepts it whatever the posts contain."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from digests import render as render_module
from digests.model import Digest, DigestItem
from digests.render import render, render_text
from standin.blockkit import blocks_problems

PERMALINK = (
    "https://acme.slack.com/archives/C1/p1700000000000100?thread_ts=1700000000.000100&cid=C1"
)


def item(
    post_id: int = 1,
    *,
    author_id: str = "U1",
    author_name: str = "Ann de Vries",
    channel_id: str = "C1",
    text: str = "Release 2.0 is out",
    reactions: int = 0,
    replies: int = 0,
    permalink: str | None = None,
    via_person: bool = True,
    via_tags: tuple[str, ...] = (),
    show_follow_button: bool = False,
    files: tuple[str, ...] = (),
) -> DigestItem:
    return DigestItem(
        post_id=post_id,
        author_id=author_id,
        author_name=author_name,
        channel_id=channel_id,
        ts=f"1700000000.{post_id:06d}",
        text=text,
        reaction_count=reactions,
        reply_count=replies,
        permalink=permalink,
        via_person=via_person,
        via_tags=via_tags,
        show_follow_button=show_follow_button,
        files=files,
    )


def digest(
    *items: DigestItem,
    lang: str = "en",
    posts: int | None = None,
    people: int | None = None,
    more: int = 0,
    new_followers: tuple[str, ...] = (),
    busiest_tags: tuple[tuple[str, int], ...] = (),
    weekly: bool = False,
) -> Digest:
    return Digest(
        team_id="T1",
        user_id="U9",
        lang=lang,
        items=items,
        post_count=len(items) + more if posts is None else posts,
        author_count=len({i.author_id for i in items}) if people is None else people,
        more=more,
        new_followers=new_followers,
        busiest_tags=busiest_tags,
        weekly=weekly,
    )


def texts(blocks: list[dict[str, Any]]) -> Iterator[str]:
    """Every text a person can read in ``blocks``."""
    for block in blocks:
        if "text" in block:
            yield block["text"]["text"]
        for element in block.get("elements", []):
            yield element["text"] if block["type"] == "context" else element["text"]["text"]
        if "accessory" in block:
            yield block["accessory"]["text"]["text"]


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = [block["accessory"] for block in blocks if "accessory" in block]
    for block in blocks:
        if block["type"] == "actions":
            found += block["elements"]
    return found


def item_sections(blocks: list[dict[str, Any]]) -> list[str]:
    return [
        block["text"]["text"]
        for block in blocks
        if block["type"] == "section" and block["text"]["text"].startswith("*<@")
    ]


# --- the digest DM --------------------------------------------------------------------------------


def test_fallback_text_is_the_notification_line_only() -> None:
    many = [item(n, author_id=f"U{n % 4}", text=f"post number {n}") for n in range(7)]
    text, blocks = render(digest(*many, people=4))
    assert text == "Your Kring digest: 7 posts from 4 people"
    assert "post number" not in text
    assert len(blocks) > 1


def test_counts_say_one_post_from_one_person() -> None:
    text, blocks = render(digest(item()))
    assert text == "Your Kring digest: 1 post from 1 person"
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Your Kring digest", "emoji": True},
    }
    assert blocks[1]["text"]["text"] == "*1 post from 1 person*"


def test_weekly_digest_says_so() -> None:
    text, blocks = render(digest(item(), weekly=True))
    assert text == "Your weekly Kring digest: 1 post from 1 person"
    assert blocks[0]["text"]["text"] == "Your weekly Kring digest"


def test_empty_digest_says_nothing_new() -> None:
    text, blocks = render(digest())
    assert text == "Your Kring digest: nothing new this time"
    assert blocks[1]["text"]["text"] == "Nothing new from the people and tags you follow."


def test_head_names_new_followers_and_busiest_tags() -> None:
    _, blocks = render(
        digest(
            item(),
            new_followers=("U5", "U6"),
            busiest_tags=(("release", 12), ("design", 5)),
        )
    )
    assert blocks[1]["text"]["text"].split("\n")[1:] == [
        "<@U5> and <@U6> started following you",
        "Busiest: #release (12), #design (5)",
    ]


def test_many_new_followers_are_summed_up() -> None:
    followers = tuple(f"U{n}" for n in range(25))
    _, blocks = render(digest(item(), new_followers=followers))
    line = blocks[1]["text"]["text"].split("\n")[1]
    assert line.endswith(", <@U9> and 15 others started following you")
    assert line.count("<@") == 10


def test_item_shows_author_channel_excerpt_counts_and_link() -> None:
    _, blocks = render(
        digest(item(text="Release *2.0* is out", reactions=5, replies=3, permalink=PERMALINK))
    )
    escaped_link = PERMALINK.replace("&", "&amp;")
    assert item_sections(blocks) == [
        "*<@U1>* in <#C1>\n"
        "Release *2.0* is out\n"
        f":speech_balloon: 3 replies · :heart: 5 reactions · <{escaped_link}|Open>"
    ]


def test_item_without_reactions_replies_or_link_has_no_detail_line() -> None:
    _, blocks = render(digest(item(text="hello")))
    assert item_sections(blocks) == ["*<@U1>* in <#C1>\nhello"]


def test_item_reached_through_tags_says_which() -> None:
    _, blocks = render(
        digest(item(reactions=1, replies=1, via_person=False, via_tags=("release", "design")))
    )
    assert item_sections(blocks)[0].endswith(
        ":speech_balloon: 1 reply · :heart: 1 reaction · via #release and #design"
    )


def test_follow_button_only_for_authors_reached_through_tags() -> None:
    _, blocks = render(
        digest(
            item(1, author_id="U1"),
            item(
                2, author_id="U2", via_person=False, via_tags=("release",), show_follow_button=True
            ),
        )
    )
    sections = [block for block in blocks if block["type"] == "section"][1:]
    assert "accessory" not in sections[0]
    assert sections[1]["accessory"] == {
        "type": "button",
        "action_id": "kring_follow",
        "text": {"type": "plain_text", "text": "Follow"},
        "value": "person:U2",
    }


def test_more_line_when_items_were_cut() -> None:
    _, blocks = render(digest(item(), more=4))
    contexts = [block for block in blocks if block["type"] == "context"]
    assert contexts[0]["elements"][0]["text"].startswith("…and 4 more posts.")
    assert "/kring following" in contexts[0]["elements"][0]["text"]

    _, blocks = render(digest(item(), more=1))
    assert any("…and 1 more post." in text for text in texts(blocks))

    _, blocks = render(digest(item()))
    assert not any("more post" in text for text in texts(blocks))


def test_items_beyond_the_block_limit_are_counted_as_more() -> None:
    many = [item(n) for n in range(60)]
    _, blocks = render(digest(*many, more=3), settings_hint="hint")
    assert len(blocks) <= 50
    shown = len(item_sections(blocks))
    assert any(f"…and {60 - shown + 3} more posts." in text for text in texts(blocks))


def test_footer_has_settings_and_pause_buttons() -> None:
    _, blocks = render(digest(item()))
    actions = blocks[-1]
    assert actions["type"] == "actions"
    settings_button, pause = actions["elements"]
    assert settings_button["action_id"] == "kring_digest_settings"
    assert settings_button["value"] == "settings"
    assert settings_button["text"]["text"] == "Digest settings"
    assert pause["action_id"] == "kring_digest_off"
    assert pause["value"] == "off"
    assert pause["style"] == "danger"
    assert pause["text"]["text"] == "Pause digests"
    assert pause["confirm"]["title"]["text"] == "Pause your digests?"
    assert pause["confirm"]["style"] == "danger"
    assert set(pause["confirm"]) == {"title", "text", "confirm", "deny", "style"}


def test_settings_hint_is_shown_under_the_buttons() -> None:
    _, blocks = render(digest(item()), settings_hint="Next digest: tomorrow at 09:00.")
    assert blocks[-2]["type"] == "actions"
    assert blocks[-1] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "Next digest: tomorrow at 09:00."}],
    }


def test_dutch_digest() -> None:
    text, blocks = render(
        digest(
            item(reactions=2, replies=1, permalink=PERMALINK),
            item(
                2, author_id="U2", via_person=False, via_tags=("release",), show_follow_button=True
            ),
            lang="nl",
            more=3,
            new_followers=("U5",),
            busiest_tags=(("release", 4),),
        )
    )
    assert text == "Je Kring-overzicht: 5 berichten van 2 mensen"
    assert blocks[0]["text"]["text"] == "Je Kring-overzicht"
    assert blocks[1]["text"]["text"] == (
        "*5 berichten van 2 mensen*\n<@U5> volgt je nu\nDrukst: #release (4)"
    )
    sections = item_sections(blocks)
    assert sections[0].endswith(
        ":speech_balloon: 1 antwoord · :heart: 2 reacties · <"
        + PERMALINK.replace("&", "&amp;")
        + "|Openen>"
    )
    assert sections[1].endswith("via #release")
    assert {button["text"]["text"] for button in buttons(blocks)} == {
        "Volgen",
        "Overzicht-instellingen",
        "Overzichten pauzeren",
    }
    assert any(text.startswith("…en nog 3 berichten.") for text in texts(blocks))
    assert render(digest(item(), lang="nl", weekly=True))[0] == (
        "Je wekelijkse Kring-overzicht: 1 bericht van 1 persoon"
    )


def test_unknown_language_falls_back_to_english() -> None:
    assert render(digest(item(), lang="fr"))[0] == "Your Kring digest: 1 post from 1 person"


def test_odd_ids_and_links_cannot_break_the_markup() -> None:
    _, blocks = render(
        digest(
            item(
                author_id="U1|<!channel>",
                channel_id="C1> *x",
                permalink="javascript:alert(1)",
                via_tags=("a*b<c>",),
                show_follow_button=True,
            )
        )
    )
    section = item_sections(blocks) or [b["text"]["text"] for b in blocks if b["type"] == "section"]
    joined = "\n".join(section)
    assert "<!channel>" not in joined
    assert "javascript" not in joined
    assert "#ab&lt;c&gt;" in joined
    assert not [button for button in buttons(blocks) if button["action_id"] == "kring_follow"]


def test_a_file_named_as_a_link_and_a_ping_is_shown_as_its_name() -> None:
    evil = "<https://evil.example/login|Payroll.pdf> <!channel>"
    _, blocks = render(digest(item(text="", files=(evil,), permalink=PERMALINK)))
    [section] = item_sections(blocks)
    assert section.split("\n")[1] == (
        "&lt;https://evil.example/login|Payroll.pdf&gt; &lt;!channel&gt;"
    )
    # The one labelled link is Kring's own to the post.
    assert re.findall(r"<[^<>]*\|[^<>]*>", section) == [f"<{PERMALINK.replace('&', '&amp;')}|Open>"]


def test_broadcasts_in_posts_reach_the_digest_as_plain_words() -> None:
    text = "<!here> <!channel> <!everyone> ask <!subteam^S123|@devs> about <https://evil.example|the doc>"
    _, blocks = render(digest(item(text=text)))
    [section] = item_sections(blocks)
    assert section.split("\n")[1] == (
        "@here @channel @everyone ask @devs about the doc (<https://evil.example>)"
    )


def test_render_text_shows_file_names_of_a_post_without_text() -> None:
    out = render_text(digest(item(text="", files=("<b>plan</b>.pdf", "x\ny.png"))))
    assert "   <b>plan</b>.pdf, x y.png" in out.splitlines()


# --- Slack's limits hold for any input ------------------------------------------------------------

HOSTILE = [
    "<!channel>",
    "<!here|here>",
    "<!everyone>",
    "<!subteam^S123|@devs>",
    "<https://evil.example/login|Payroll.pdf>",
    "<!date^1700000000^{date}^https://evil.example|Nov 14>",
    "*bold* <@U1|Boss>",
]
huge_text = st.builds(
    lambda chunk, times: chunk * times, st.text(min_size=1, max_size=40), st.integers(1, 400)
)
any_text = st.one_of(st.text(max_size=60), huge_text)
items = st.builds(
    DigestItem,
    post_id=st.integers(0, 10**9),
    author_id=st.one_of(st.sampled_from(["U1", "U02ABCDEF", "W1"]), any_text),
    author_name=any_text,
    channel_id=st.one_of(st.sampled_from(["C1", "G0123"]), any_text),
    ts=st.just("1700000000.000100"),
    text=st.one_of(any_text, st.lists(st.sampled_from(HOSTILE), max_size=6).map(" ".join)),
    reaction_count=st.integers(-3, 10**12),
    reply_count=st.integers(-3, 10**12),
    permalink=st.one_of(st.none(), st.just(PERMALINK), any_text, huge_text.map("https://".__add__)),
    via_person=st.booleans(),
    via_tags=st.lists(any_text, max_size=30).map(tuple),
    show_follow_button=st.booleans(),
    files=st.lists(st.one_of(any_text, st.sampled_from(HOSTILE)), max_size=3).map(tuple),
)
digests = st.builds(
    Digest,
    team_id=st.just("T1"),
    user_id=st.just("U9"),
    lang=st.sampled_from(["en", "nl", "xx"]),
    items=st.lists(items, max_size=10).map(tuple),
    post_count=st.integers(-5, 10**12),
    author_count=st.integers(-5, 10**12),
    more=st.integers(-5, 10**12),
    new_followers=st.lists(any_text, max_size=40).map(tuple),
    busiest_tags=st.lists(st.tuples(any_text, st.integers(-5, 10**12)), max_size=20).map(tuple),
    weekly=st.booleans(),
)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@settings(deadline=None, max_examples=150)
@given(digests, st.one_of(st.none(), any_text))
def test_never_more_than_50_blocks_or_3000_chars_per_section(
    value: Digest, settings_hint: str | None
) -> None:
    text, blocks = render(value, settings_hint=settings_hint)
    assert 0 < len(text) <= 150
    assert "\n" not in text
    assert len(blocks) <= 50
    assert blocks_problems(blocks) == []  # what the stand-in Slack would refuse
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.to_dict()  # validates: raises where Slack would refuse the block
        if block["type"] == "section":
            assert utf16_len(block["text"]["text"]) <= 3000
        if block["type"] == "header":
            assert utf16_len(block["text"]["text"]) <= 150
        if block["type"] == "context":
            assert all(utf16_len(e["text"]) <= 3000 for e in block["elements"])
    for button in buttons(blocks):
        assert utf16_len(button["text"]["text"]) <= 75
        assert len(button["value"]) <= 2000
    shown = json.dumps(blocks)
    assert not re.search(r"<!(?:here|channel|everyone|subteam)", shown)
    # No labelled link but Kring's own "Open" to the post.
    for label in re.findall(r"<[a-z]+:[^<>|]*\|([^<>]*)>", shown):
        assert label in ("Open", "Openen"), label


@settings(max_examples=100)
@given(
    st.sampled_from(["U1", "W2ABC", "odd id!", ""]),
    st.text(max_size=40),
    st.booleans(),
    st.sampled_from(["en", "nl"]),
)
def test_item_section_is_what_the_block_kit_models_make(
    author: str, text: str, follow: bool, lang: str
) -> None:
    one = item(author_id=author, text=text, show_follow_button=follow, via_person=not follow)
    block = render_module._item_block(one, lang)
    accessory = block.get("accessory")
    expected = SectionBlock(
        text=MarkdownTextObject(text=block["text"]["text"]),
        accessory=None
        if accessory is None
        else ButtonElement(
            action_id=accessory["action_id"],
            text=PlainTextObject(text=accessory["text"]["text"]),
            value=accessory["value"],
        ),
    ).to_dict()
    assert block == expected
    assert ("accessory" in block) == (follow and author in ("U1", "W2ABC"))


# --- plain text -----------------------------------------------------------------------------------


def test_render_text_is_readable_plain_text() -> None:
    value = digest(
        item(
            text="Release *2.0* is out &amp; <https://x.io/notes|the notes> thanks <@U2|bob> in <#C7|ops>",
            reactions=5,
            replies=3,
            permalink=PERMALINK,
        ),
        item(
            2,
            author_id="U3",
            author_name="Bo",
            channel_id="C2",
            via_person=False,
            via_tags=("release",),
        ),
        more=4,
        new_followers=("U5",),
        busiest_tags=(("release", 12),),
    )
    out = render_text(value)
    assert out.splitlines() == [
        "Your Kring digest",
        "=================",
        "6 posts from 2 people",
        "@U5 started following you",
        "Busiest: #release (12)",
        "",
        "1. Ann de Vries in #C1",
        "   Release *2.0* is out & the notes (https://x.io/notes) thanks @bob in #ops",
        "   3 replies · 5 reactions",
        f"   {PERMALINK}",
        "",
        "2. Bo in #C2",
        "   Release 2.0 is out",
        "   via #release",
        "",
        "…and 4 more posts. `/kring following` lists whom and what you follow; open their "
        "channels to read everything.",
    ]
    assert "<" not in out
    assert "&amp;" not in out


def test_render_text_in_dutch_drops_terminal_control_characters() -> None:
    out = render_text(replace(digest(item(text="hoi \x1b[31mrood")), lang="nl"))
    assert "Je Kring-overzicht" in out
    assert "1 bericht van 1 persoon" in out
    assert "\x1b" not in out
