"""`/kring who`, `trending`, `profile`, `suggest` and `followers`, as people use them in Slack.

The workspace is filled the way Slack fills it: signed message and reaction events, and
`/kring follow` commands. Kring's clock is fixed so that "the last 7 days" is the same each run.
"""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from handlers.calls import Asker, Call
from handlers.registry import rerender, view_of
from standin.harness import Running, running_kring
from standin.slack import StandinSlack
from tests.e2e.test_buttons import click
from tests.payloads import event

NOW = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
ANN, BOB, CAT, DAN = "U0ANN", "U0BOB", "U0CAT", "U0DAN"
SUBCOMMANDS = ("who", "search", "trending", "profile", "suggest", "followers")
_seq = itertools.count(1)


@pytest.fixture
def kring(db_url: str, standin: StandinSlack) -> Iterator[Running]:
    standin.add_user("U0EVA", "eva", real_name="Eva Visser", title="Ontwerper", locale="nl-NL")
    with running_kring(db_url, standin, clock=lambda: NOW) as running:
        yield running


# --- driving Slack ----------------------------------------------------------------------------


def say(
    kring: Running,
    user: str,
    text: str,
    *,
    days_ago: float,
    channel: str = "C0DESIGN",
    thread_ts: str | None = None,
) -> str:
    """Post a message in a public channel; returns its ts."""
    ts = f"{(NOW - timedelta(days=days_ago)).timestamp():.0f}.{next(_seq):06d}"
    message = event("message", user=user, text=text, ts=ts, event_ts=ts, channel=channel)
    if thread_ts:
        message["thread_ts"] = thread_ts
    assert kring.slack.post_event(message).status == 200
    return ts


def react(kring: Running, user: str, ts: str, *, channel: str = "C0DESIGN") -> None:
    reaction = event(
        "reaction_added",
        user=user,
        reaction="tada",
        item={"type": "message", "channel": channel, "ts": ts},
    )
    assert kring.slack.post_event(reaction).status == 200


def ask(kring: Running, text: str, user: str = ANN) -> dict[str, Any]:
    """Run a slash command as ``user``; the answer is the ephemeral acknowledgement."""
    started = time.monotonic()
    answer = kring.slack.command(text, user_id=user, user_name=user.lower())
    assert time.monotonic() - started < 3.0, "Slack gives commands 3 seconds"
    assert answer.status == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert body.get("response_type") == "ephemeral"
    assert str(body["text"]).strip()
    return body


def follow(kring: Running, user: str, *targets: str) -> None:
    assert "now follow" in ask(kring, "follow " + " ".join(targets), user)["text"]


def buttons(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(action_id, value) of every button in the answer."""
    out = []
    for block in body.get("blocks") or []:
        elements = [block["accessory"]] if "accessory" in block else block.get("elements", [])
        out += [(e["action_id"], e["value"]) for e in elements if e.get("type") == "button"]
    return out


def check_limits(body: dict[str, Any]) -> None:
    blocks = body.get("blocks") or []
    assert len(blocks) <= 50
    ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(ids) == len(set(ids))
    for block in blocks:
        has_buttons = "accessory" in block or block["type"] == "actions"
        assert has_buttons == ("block_id" in block)
        if has_buttons:
            assert view_of(block["block_id"]) is not None
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        # Slack's own limits as slack_sdk checks them: block ids, button values and labels.
        parsed = Block.parse(block)
        assert parsed is not None
        assert parsed.to_dict() == block


@pytest.fixture
def design_talk(kring: Running) -> dict[str, str]:
    """Bob posts most about #design and drew a reaction and a reply; Ann and Cat posted once."""
    first = say(kring, BOB, "New type scale for the app #design", days_ago=2)
    react(kring, CAT, first)
    say(kring, DAN, "Looks great", days_ago=1.9, thread_ts=first)
    second = say(kring, BOB, "Icons are in Figma <!channel> #design", days_ago=3)
    say(kring, ANN, "Colour tokens draft #design", days_ago=1)
    say(kring, CAT, "Research notes #design", days_ago=5)
    return {"first": first, "second": second}


# --- who --------------------------------------------------------------------------------------


def test_who_ranks_experts_with_titles_counts_and_follow_buttons(
    kring: Running, design_talk: dict[str, str]
) -> None:
    follow(kring, ANN, f"<@{CAT}|cat>")
    body = ask(kring, "who #Design")
    text = body["text"]
    assert "Who knows #design" in text
    assert "1. <@U0BOB> — Backend engineer\n2 posts, 1 reaction, 1 reply" in text
    assert "2. <@U0ANN> — Designer\n1 post, 0 reactions, 0 replies" in text
    assert "3. <@U0CAT> — Product manager" in text
    # Yourself and people you follow get no Follow button; the tag and Bob do.
    assert buttons(body) == [("kring_follow", "tag:design"), ("kring_follow", "person:U0BOB")]
    assert [b.get("block_id") for b in body["blocks"] if "accessory" in b] == [
        "kring:who:design:0",
        "kring:who:design:1",
    ]
    check_limits(body)


@pytest.mark.parametrize("arg", ["design", "<#C0DESIGN|design>", "<#C0DESIGN|>", "knows #design?"])
def test_who_takes_a_tag_a_channel_or_a_word(
    kring: Running, design_talk: dict[str, str], arg: str
) -> None:
    assert "1. <@U0BOB>" in ask(kring, f"who {arg}")["text"]


def test_who_without_posts_invites_you_to_be_the_first(kring: Running) -> None:
    body = ask(kring, "who #quantum")
    assert "No one has posted about #quantum yet — be the first" in body["text"]
    assert buttons(body) == []


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("who", "/kring who #design"),
        ("who #design #release", "/kring who #design"),
        ("who <@U0BOB|bob>", "/kring who #design"),
        ("who #!!!", "not a tag I can look up"),
    ],
)
def test_who_explains_itself_when_the_tag_is_missing_or_wrong(
    kring: Running, text: str, says: str
) -> None:
    assert says in ask(kring, text)["text"]


def test_who_answers_in_dutch(kring: Running, design_talk: dict[str, str]) -> None:
    body = ask(kring, "who #design", user="U0EVA")
    assert "Wie weet van #design" in body["text"]
    assert "2 berichten, 1 reactie, 1 antwoord" in body["text"]
    labels = [b["accessory"]["text"]["text"] for b in body["blocks"] if "accessory" in b]
    assert labels == ["Tag volgen", "Volgen", "Volgen", "Volgen"]


def test_who_knows_as_a_mention_answers_in_the_thread(
    kring: Running, design_talk: dict[str, str]
) -> None:
    mention = event("app_mention", text="<@UKRING> who knows about #design?")
    assert kring.slack.post_event(mention).status == 200
    posted = kring.standin.wait_for("chat.postMessage")[0].params
    # Posted in the channel: the experts are named, not pinged.
    assert "1. Bob de Vries" in posted["text"]
    assert "<@U0BOB>" not in posted["text"] + str(posted["blocks"])
    assert "kring:who:design:" in str(posted["blocks"])


# --- who <words> and search: nobody typed a hashtag ---------------------------------------------

EVA = "U0EVA"


@pytest.fixture
def plain_talk(kring: Running) -> dict[str, str]:
    """A workspace where nobody types hashtags."""
    kubernetes = say(kring, ANN, "We migrated the kubernetes cluster to the new nodes", days_ago=1)
    facturatie = say(kring, EVA, "Facturatie loopt via het nieuwe boekhoudpakket", days_ago=2)
    say(kring, BOB, "Lunch is at noon today", days_ago=1)
    return {"kubernetes": kubernetes, "facturatie": facturatie}


def test_who_knows_about_words_finds_the_writer_with_their_post_as_evidence(
    kring: Running, plain_talk: dict[str, str]
) -> None:
    body = ask(kring, "who knows about kubernetes", user=BOB)
    text = body["text"]
    assert "Who knows about “kubernetes”" in text
    assert "1. <@U0ANN> — Designer" in text
    assert "We migrated the kubernetes cluster" in text
    assert "<#C0DESIGN>" in text
    assert "|Open>" in text
    assert "<@U0EVA>" not in text
    assert buttons(body) == [("kring_follow", "person:U0ANN")]
    assert [b["block_id"] for b in body["blocks"] if "block_id" in b] == ["kring:who:~kubernetes:0"]
    check_limits(body)


def test_who_by_words_has_no_follow_button_for_yourself(
    kring: Running, plain_talk: dict[str, str]
) -> None:
    body = ask(kring, "who kubernetes")
    assert "1. <@U0ANN>" in body["text"]
    assert buttons(body) == []


def test_who_knows_in_dutch_as_a_mention_finds_eva(
    kring: Running, plain_talk: dict[str, str]
) -> None:
    mention = event("app_mention", text="<@UKRING> wie weet iets van facturatie?")
    assert kring.slack.post_event(mention).status == 200
    posted = kring.standin.wait_for("chat.postMessage")[0].params
    assert "Eva Visser" in posted["text"]
    assert "Facturatie loopt via" in posted["text"]
    assert "kring:who:~facturatie:" in str(posted["blocks"])


def test_who_by_words_without_matches_says_so_kindly(
    kring: Running, plain_talk: dict[str, str]
) -> None:
    body = ask(kring, "who knows about quantum physics?")
    assert "I found no posts about “quantum physics” yet" in body["text"]
    assert "Ik vond nog geen berichten" in ask(kring, "wie weet iets van quantum", user=EVA)["text"]


def test_search_lists_matching_posts_with_author_channel_date_and_link(
    kring: Running, plain_talk: dict[str, str]
) -> None:
    body = ask(kring, "search kubernetes", user=BOB)
    text = body["text"]
    assert "Posts about “kubernetes”" in text
    assert "1. We migrated the kubernetes cluster to the new nodes" in text
    assert "<@U0ANN> · <#C0DESIGN> · <!date^" in text
    assert "|Open>" in text
    assert "Lunch" not in text
    assert buttons(body) == [("kring_follow", "person:U0ANN")]
    assert "More:" not in text
    check_limits(body)


def test_search_in_dutch(kring: Running, plain_talk: dict[str, str]) -> None:
    body = ask(kring, "zoek facturatie", user=EVA)
    assert "Berichten over “facturatie”" in body["text"]
    assert "Facturatie loopt via" in body["text"]


def test_search_more_gives_the_next_page(kring: Running) -> None:
    for n in range(7):
        say(kring, BOB, f"Kubernetes upgrade note {n}", days_ago=1 + n)
    first = ask(kring, "search kubernetes")
    assert "More: `/kring search kubernetes page 2`" in first["text"]
    assert first["text"].count("Kubernetes upgrade note") == 5
    second = ask(kring, "search kubernetes page 2")
    assert "6. Kubernetes upgrade note" in second["text"]
    assert "7. Kubernetes upgrade note" in second["text"]
    assert second["text"].count("Kubernetes upgrade note") == 2
    assert "More:" not in second["text"]
    assert "No more posts" in ask(kring, "search kubernetes page 3")["text"]
    ids = [b["block_id"] for b in second["blocks"] if "block_id" in b]
    assert ids[0].startswith("kring:search:2~kubernetes:")
    view = view_of(ids[0])
    assert view is not None
    with kring.sessions.begin() as session:
        call = Call(
            deps=kring.kring.deps,
            client=kring.kring.client,
            session=session,
            asker=Asker("T0001", ANN),
        )
        again = rerender(*view, call)
    # A Follow click on page 2 draws page 2 again.
    assert (again.text, again.blocks) == (second["text"], second["blocks"])


def click_more(kring: Running, answer: dict[str, Any], *, ephemeral: bool = True) -> None:
    """Click the More button of ``answer`` as Ann, as Slack sends it: a signed block_actions
    payload with the button's block id and value."""
    [block] = [b for b in answer["blocks"] if b.get("accessory", {}).get("action_id") == MORE]
    container: dict[str, Any] = {"type": "message", "channel_id": "C0DESIGN", "message_ts": "1.0"}
    if ephemeral:
        container["is_ephemeral"] = True
    click(
        kring,
        MORE,
        block["accessory"]["value"],
        container=container,
        block_id=block["block_id"],
        user=ANN,
    )


def next_page(kring: Running, answer: dict[str, Any], *, ephemeral: bool = True) -> dict[str, Any]:
    """What Kring answers on the response_url after More is clicked in ``answer``."""
    before = len(kring.standin.calls("response_url"))
    click_more(kring, answer, ephemeral=ephemeral)
    page: dict[str, Any] = kring.standin.wait_for("response_url", count=before + 1)[-1].params
    check_limits(page)
    return page


MORE = "kring_page"


def test_search_more_button_shows_the_next_page_and_none_after_the_last(
    kring: Running,
) -> None:
    for n in range(12):
        say(kring, BOB, f"Kubernetes upgrade note {n}", days_ago=1 + n)
    first = ask(kring, "search kubernetes")
    check_limits(first)
    assert [a for a, _ in buttons(first)].count(MORE) == 1
    second = next_page(kring, first)
    # The ephemeral answer is replaced by page 2, which has a More button of its own.
    assert second["replace_original"] is True
    assert "6. Kubernetes upgrade note" in second["text"]
    assert "10. Kubernetes upgrade note" in second["text"]
    assert "1. Kubernetes" not in second["text"]
    third = next_page(kring, second)
    assert "11. Kubernetes upgrade note" in third["text"]
    assert "12. Kubernetes upgrade note" in third["text"]
    assert third["text"].count("Kubernetes upgrade note") == 2
    # The last page has no More, neither button nor line.
    assert MORE not in [a for a, _ in buttons(third)]
    assert "More:" not in third["text"]


def test_search_more_answers_in_the_clickers_language(kring: Running) -> None:
    for n in range(7):
        say(kring, BOB, f"Facturatie regel {n}", days_ago=1 + n)
    kring.standin.add_user(ANN, "ann", real_name="Ann", title="Designer", locale="nl-NL")
    first = ask(kring, "zoek facturatie")
    assert "Berichten over “facturatie”" in first["text"]
    assert ("Meer", MORE) in [
        (b["accessory"]["text"]["text"], b["accessory"]["action_id"])
        for b in first["blocks"]
        if "accessory" in b
    ]
    second = next_page(kring, first)
    assert "Berichten over “facturatie”" in second["text"]
    assert "6. Facturatie regel" in second["text"]


def test_search_more_in_a_channel_answer_shows_the_clicker_alone_the_next_page(
    kring: Running,
) -> None:
    for n in range(7):
        say(kring, BOB, f"Kubernetes upgrade note {n}", days_ago=1 + n)
    mention = event("app_mention", text="<@UKRING> search kubernetes")
    assert kring.slack.post_event(mention).status == 200
    posted = kring.standin.wait_for("chat.postMessage")[0].params
    answer = {"text": posted["text"], "blocks": posted["blocks"]}
    second = next_page(kring, answer, ephemeral=False)
    # The answer in the channel stays as it is; only Ann sees page 2.
    assert second["replace_original"] is False
    assert second["response_type"] == "ephemeral"
    assert "6. Kubernetes upgrade note" in second["text"]


STRANGE = "*bold* _it_ ~s~ `c` a:b <!channel> <@U0BOB> &lt;x&gt; 🙂 \u202e ~~ :: x~y"


def test_search_more_with_a_long_strange_question(kring: Running) -> None:
    for n in range(7):
        say(kring, BOB, f"Kubernetes upgrade rollout {n} {STRANGE}", days_ago=1 + n)
    # As long as a command may be, far longer than a block id may be: the answer keeps the
    # question's first words.
    # Every word must match, so the strange part is what has no words: marks, emoji, ``:``.
    question = "“Kubernetes” *upgrade*?! `~~` :: ~ 🙂 \u202e « » " + "rollout " * 230
    assert 1800 < len(question) < 1990
    first = ask(kring, "search " + question)
    check_limits(first)
    assert first["text"].count("Kubernetes upgrade rollout") == 5
    second = next_page(kring, first)
    assert second["text"].count("Kubernetes upgrade rollout") == 2
    assert "6. Kubernetes upgrade rollout" in second["text"]
    assert MORE not in [a for a, _ in buttons(second)]
    assert "Posts about “kubernetes upgrade" in first["text"]
    # What the posts hold is shown inert.
    assert "<!channel>" not in first["text"] + second["text"]


def test_a_forged_more_button_is_answered_without_crashing(kring: Running) -> None:
    for n in range(7):
        say(kring, BOB, f"Kubernetes upgrade note {n}", days_ago=1 + n)
    first = ask(kring, "search kubernetes")
    for value in ("x" * 5000, "99~kubernetes", "2~", "~~~", "2~" + "🙂" * 3000):
        forged = copy.deepcopy(first)
        for block in forged["blocks"]:
            if block.get("accessory", {}).get("action_id") == MORE:
                block["accessory"]["value"] = value
        before = len(kring.standin.calls("response_url"))
        click_more(kring, forged)
        answer = kring.standin.wait_for("response_url", count=before + 1)[-1]
        assert answer.ok
        assert str(answer.params["text"]).strip()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("search", "/kring search kubernetes"),
        ("search kubernetes page 0", "Pages go from 1 to"),
        ("search nothingmatcheshere", "I found no posts about “nothingmatcheshere”"),
    ],
)
def test_search_explains_itself(
    kring: Running, plain_talk: dict[str, str], text: str, says: str
) -> None:
    assert says in ask(kring, text)["text"]


def test_an_opted_out_authors_posts_are_not_found(
    kring: Running, plain_talk: dict[str, str]
) -> None:
    assert "no longer records" in ask(kring, "opt-out")["text"]
    assert "We migrated" not in ask(kring, "search kubernetes", user=BOB)["text"]
    assert "I found no posts" in ask(kring, "who kubernetes", user=BOB)["text"]


# --- trending ---------------------------------------------------------------------------------


@pytest.fixture
def busy_weeks(kring: Running) -> None:
    """#design and #launch grow this week; #release was busier the week before."""
    for n, user in enumerate((BOB, CAT, DAN, BOB)):
        say(kring, user, f"Design crit {n} #design", days_ago=1 + n)
    for n in range(2):
        say(kring, CAT, f"Launch plan {n} #launch", days_ago=2 + n, channel="C0GENERAL")
    say(kring, DAN, "Release train #release", days_ago=3, channel="C0RELEASE")
    for n in range(5):
        say(kring, DAN, f"Release {n} #release", days_ago=8 + n, channel="C0RELEASE")


def test_trending_shows_growth_with_counts_and_follow_buttons(
    kring: Running, busy_weeks: None
) -> None:
    follow(kring, ANN, "#launch")
    body = ask(kring, "trending")
    lines = body["text"].splitlines()
    assert "last 7 days" in lines[0]
    assert lines[1:] == ["#design — 4 posts (was 0)", "#launch — 2 posts (was 0)"]
    # #release is big, but shrinking; #launch is followed already.
    assert buttons(body) == [("kring_follow", "tag:design")]
    assert body["blocks"][1]["block_id"] == "kring:trending:7:0"
    check_limits(body)


@pytest.mark.parametrize("window", ["30d", "30", "month"])
def test_trending_over_a_month(kring: Running, busy_weeks: None, window: str) -> None:
    body = ask(kring, f"trending {window}")
    assert "last 30 days" in body["text"]
    assert body["text"].splitlines()[1] == "#release — 6 posts (was 0)"
    assert body["blocks"][1]["block_id"] == "kring:trending:30:0"


def test_trending_with_nothing_growing_says_so(kring: Running) -> None:
    assert "Nothing is trending in the last 7 days" in ask(kring, "trending 7d")["text"]


@pytest.mark.parametrize("arg", ["fortnight", "14d", "7d 30d"])
def test_trending_with_an_unknown_window_gives_an_example(kring: Running, arg: str) -> None:
    assert "/kring trending 30d" in ask(kring, f"trending {arg}")["text"]


# --- profile ----------------------------------------------------------------------------------


def test_profile_shows_title_tags_counts_posts_mutual_follows_and_buttons(
    kring: Running, design_talk: dict[str, str]
) -> None:
    follow(kring, ANN, f"<@{CAT}>", f"<@{DAN}>")
    follow(kring, BOB, f"<@{CAT}>")
    follow(kring, DAN, f"<@{BOB}>")
    kring.standin.clear()
    body = ask(kring, "profile <@U0BOB|bob>")
    text = body["text"]
    assert "*<@U0BOB> — Backend engineer*" in text
    assert "#design (2)" in text
    assert "Followers: 1 · Following: 1" in text
    assert "You both follow <@U0CAT>" in text
    link = "https://kring-test.slack.com/archives/C0DESIGN/p" + design_talk["first"].replace(
        ".", ""
    )
    assert f"<{link}|Open>" in text
    # A post's @channel is shown, never sent again to a channel.
    assert "@channel" in text and "<!channel>" not in text
    assert buttons(body) == [("kring_follow", "person:U0BOB"), ("kring_mute", "person:U0BOB")]
    assert body["blocks"][1]["block_id"] == "kring:profile:U0BOB:0"
    check_limits(body)
    assert len(kring.standin.calls("chat.getPermalink")) == 2
    # Permalinks never change, so the second look needs no Slack call.
    follow(kring, ANN, f"<@{BOB}>")
    again = ask(kring, "profile <@U0BOB>")
    assert buttons(again) == [("kring_unfollow", "person:U0BOB"), ("kring_mute", "person:U0BOB")]
    assert len(kring.standin.calls("chat.getPermalink")) == 2


def test_your_own_profile_has_no_buttons(kring: Running, design_talk: dict[str, str]) -> None:
    body = ask(kring, "profile <@U0ANN|ann>")
    assert "*<@U0ANN> — Designer*" in body["text"]
    assert "This is you" in body["text"]
    assert buttons(body) == []


def test_profile_shows_what_someone_writes_about_without_any_tags(kring: Running) -> None:
    say(kring, EVA, "Facturatie loopt via het boekhoudpakket", days_ago=1)
    say(kring, EVA, "De facturatie van november is klaar", days_ago=3)
    say(kring, BOB, "Lunch is at noon today", days_ago=1)
    text = ask(kring, "profile <@U0EVA>")["text"]
    assert "Writes about: facturatie" in text
    assert "Schrijft over: facturatie" in ask(kring, "profile <@U0EVA>", user=EVA)["text"]
    assert "Writes about" not in ask(kring, "profile <@U0BOB>")["text"]


def test_profile_of_someone_quiet(kring: Running) -> None:
    body = ask(kring, "profile <@U0DAN>")
    assert "No posts in public channels yet" in body["text"]
    assert "Followers: 0 · Following: 0" in body["text"]


@pytest.mark.parametrize(
    ("arg", "says"),
    [
        ("<@U0GONE|gone>", "<@U0GONE> has left"),
        ("<@U0DEPLOY>", "<@U0DEPLOY> is a bot"),
        ("<@U0NOBODY>", "couldn't find <@U0NOBODY>"),
        ("@bob", "couldn't find a person called `@bob`"),
        ("#design", "/kring profile @ann"),
        ("", "/kring profile @ann"),
        ("<@U0BOB> <@U0CAT>", "/kring profile @ann"),
    ],
)
def test_profile_refuses_like_follow(kring: Running, arg: str, says: str) -> None:
    body = ask(kring, f"profile {arg}")
    assert says in body["text"]
    assert buttons(body) == []


# --- suggest ----------------------------------------------------------------------------------


def test_suggest_gives_reasons_and_follow_buttons(
    kring: Running, design_talk: dict[str, str]
) -> None:
    follow(kring, ANN, "#design", f"<@{CAT}>")
    follow(kring, CAT, f"<@{DAN}>")
    body = ask(kring, "suggest")
    text = body["text"]
    assert "People you might want to follow" in text
    assert "<@U0BOB> — Backend engineer\n_posts about #design · in another department_" in text
    assert "<@U0DAN> — Sales\n_followed by 1 person you follow · in another department_" in text
    # Never yourself, never someone you follow already.
    assert "<@U0ANN>" not in text and "<@U0CAT>" not in text
    assert sorted(buttons(body)) == [
        ("kring_follow", "person:U0BOB"),
        ("kring_follow", "person:U0DAN"),
    ]
    assert all(b["block_id"].startswith("kring:suggest::") for b in body["blocks"][1:])
    check_limits(body)


@pytest.fixture
def same_interests(kring: Running) -> None:
    """Ann and Bob write about kubernetes migrations, Dan about lunch; no hashtag anywhere,
    nobody follows anyone."""
    for n in range(3):
        say(kring, ANN, f"Kubernetes migrations, step {n} of the plan", days_ago=1 + n)
        say(kring, DAN, f"Lunch is at noon, day {n}", days_ago=1 + n)
    say(kring, BOB, "The kubernetes migration of billing is done", days_ago=2)
    say(kring, BOB, "Two more migrations on the kubernetes cluster", days_ago=5)
    say(kring, CAT, "Is kubernetes down?", days_ago=1)


def test_people_who_write_about_the_same_things_are_suggested_to_each_other(
    kring: Running, same_interests: None
) -> None:
    body = ask(kring, "suggest")
    reason = "_you both write about kubernetes, migrations · in another department_"
    assert f"<@U0BOB> — Backend engineer\n{reason}" in body["text"]
    # Cat wrote it once: not what she writes about. Dan writes about other things.
    assert "<@U0CAT>" not in body["text"] and "<@U0DAN>" not in body["text"]
    assert buttons(body) == [("kring_follow", "person:U0BOB")]
    check_limits(body)
    # Each sees the terms in their own words: Bob wrote "migration" as often as "migrations".
    back = ask(kring, "suggest", user=BOB)
    assert "<@U0ANN> — Designer\n_you both write about kubernetes, migration ·" in back["text"]


def test_shared_terms_show_on_the_home_tab_and_in_dutch(
    kring: Running, same_interests: None
) -> None:
    assert kring.slack.post_event(event("app_home_opened", user=ANN)).status == 200
    kring.standin.wait_for("views.publish")
    view = kring.standin.home_view(ANN)
    assert view is not None
    sections = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert any(
        "<@U0BOB>" in text and "you both write about kubernetes, migrations" in text
        for text in sections
    )
    kring.standin.add_user(BOB, "bob", real_name="Bob", title="Backend engineer", locale="nl-NL")
    assert (
        "jullie schrijven allebei over kubernetes, migration"
        in (ask(kring, "suggest", user=BOB)["text"])
    )


def test_suggest_with_nothing_followed_explains_how_to_start(kring: Running) -> None:
    assert "No suggestions yet" in ask(kring, "suggest")["text"]


# --- followers --------------------------------------------------------------------------------


def test_followers_with_follow_back_for_those_you_do_not_follow(kring: Running) -> None:
    for user in (BOB, CAT, DAN):
        follow(kring, user, f"<@{ANN}>")
    follow(kring, ANN, f"<@{BOB}>")
    body = ask(kring, "followers")
    text = body["text"]
    assert "3 people follow you" in text
    for line in ("<@U0BOB> — Backend engineer", "<@U0CAT> — Product manager", "<@U0DAN> — Sales"):
        assert line in text
    assert sorted(buttons(body)) == [
        ("kring_follow", "person:U0CAT"),
        ("kring_follow", "person:U0DAN"),
    ]
    labels = {b["accessory"]["text"]["text"] for b in body["blocks"] if "accessory" in b}
    assert labels == {"Follow back"}
    check_limits(body)


def test_followers_beyond_thirty_are_counted(kring: Running) -> None:
    for n in range(33):
        kring.standin.add_user(f"U1F{n:03d}", f"fan{n}", title="Fan")
        follow(kring, f"U1F{n:03d}", f"<@{ANN}>")
    body = ask(kring, "followers")
    assert "33 people follow you" in body["text"]
    assert body["text"].endswith("…and 3 more.")
    assert len(buttons(body)) == 30
    check_limits(body)


def test_nobody_follows_you_yet(kring: Running) -> None:
    assert "Nobody follows you yet" in ask(kring, "followers")["text"]


def test_followers_in_dutch(kring: Running) -> None:
    follow(kring, BOB, "<@U0EVA>")
    body = ask(kring, "followers", user="U0EVA")
    assert "1 persoon volgt jou" in body["text"]
    assert [b[1] for b in buttons(body)] == ["person:U0BOB"]


# --- every view ---------------------------------------------------------------------------------


@pytest.mark.parametrize("sub", SUBCOMMANDS)
def test_help_after_each_command_answers_its_usage(kring: Running, sub: str) -> None:
    body = ask(kring, f"{sub} help")
    assert f"`/kring {sub}" in body["text"]
    assert not body.get("blocks")


@pytest.mark.parametrize("sub", ["suggest", "followers"])
def test_commands_without_arguments_refuse_extra_words(kring: Running, sub: str) -> None:
    assert f"`/kring {sub}`" in ask(kring, f"{sub} please")["text"]


@pytest.mark.parametrize(
    "command",
    [
        "who #design",
        "who design",
        "who knows about type scale?",
        "search design",
        "trending",
        "profile <@U0BOB>",
        "suggest",
        "followers",
    ],
)
def test_rerender_after_a_click_draws_the_same_answer(
    kring: Running, design_talk: dict[str, str], command: str
) -> None:
    follow(kring, ANN, f"<@{CAT}>")
    follow(kring, CAT, f"<@{DAN}>", f"<@{ANN}>")
    follow(kring, BOB, f"<@{ANN}>")
    body = ask(kring, command)
    ids = [b["block_id"] for b in body["blocks"] if "block_id" in b]
    assert ids, "every answer here has a button"
    view = view_of(ids[0])
    assert view is not None
    with kring.sessions.begin() as session:
        call = Call(
            deps=kring.kring.deps,
            client=kring.kring.client,
            session=session,
            asker=Asker("T0001", ANN),
        )
        again = rerender(*view, call)
    assert (again.text, again.blocks) == (body["text"], body["blocks"])
