"""`/kring` and `@Kring` commands, as a person types them in Slack."""

from __future__ import annotations

import time

import pytest

from handlers.registry import COMMANDS
from standin.harness import Running
from standin.slack import Response
from tests.payloads import event

ANN = {"user_id": "U0ANN", "user_name": "ann"}


def ask(kring: Running, text: str, **who: str) -> str:
    """Run a slash command; its answer must be an ephemeral acknowledgement."""
    started = time.monotonic()
    answer: Response = kring.slack.command(text, **(who or ANN))
    elapsed = time.monotonic() - started
    assert answer.status == 200, answer.text
    assert elapsed < 3.0, "Slack gives commands 3 seconds"
    body = answer.json()
    assert body.get("response_type") == "ephemeral"
    text_out = str(body["text"])
    assert text_out.strip(), "every command gets an answer"
    return text_out


def test_empty_command_shows_help(kring: Running) -> None:
    answer = ask(kring, "")
    for sub in ("follow", "unfollow", "following", "help"):
        assert f"/kring {sub}" in answer


@pytest.mark.parametrize("sub", sorted(c.name for c in COMMANDS))
def test_every_subcommand_acks_and_answers_help(kring: Running, sub: str) -> None:
    answer = ask(kring, f"{sub} help")
    assert "/kring" in answer


def test_unknown_subcommand_says_so_and_shows_help(kring: Running) -> None:
    answer = ask(kring, "dance wildly")
    assert "`dance`" in answer
    assert "/kring follow" in answer


def test_follow_people_and_tags_then_list_them(kring: Running) -> None:
    answer = ask(kring, "follow <@U0BOB|bob> #Release <#C0DESIGN|design> <#C0GENERAL|>")
    assert "You now follow" in answer
    for shown in ("<@U0BOB>", "#release", "#design", "#general"):
        assert shown in answer
    listing = ask(kring, "following")
    assert "<@U0BOB>" in listing
    # Channels Kring is in are followed as topics: the channel and its tag.
    assert "#design (channel and tag), #general (channel and tag), #release" in listing


def test_following_twice_says_already_following(kring: Running) -> None:
    ask(kring, "follow #release")
    assert "already follow #release" in ask(kring, "follow #release")


def test_follow_without_targets_explains_usage(kring: Running) -> None:
    assert "/kring follow @ann #release" in ask(kring, "follow")


def test_following_yourself_is_refused(kring: Running) -> None:
    assert "can't follow yourself" in ask(kring, "follow <@U0ANN|ann>")
    assert "You don't follow anyone" in ask(kring, "following")


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("<@U0NOBODY>", "couldn't find <@U0NOBODY>"),
        ("<@U0GONE|gone>", "<@U0GONE> has left"),
        ("<@U0DEPLOY|deploybot>", "<@U0DEPLOY> is a bot"),
        ("#" + "x" * 81, "at most 80 characters"),
        ("#!!!", "not a tag"),
        ("@someone", "couldn't find a person called `@someone`"),
        ("release", "didn't understand `release`"),
    ],
)
def test_unfollowable_targets_are_refused_by_name(kring: Running, target: str, says: str) -> None:
    answer = ask(kring, f"follow {target}")
    assert says in answer
    assert "You now follow" not in answer


def test_refusals_do_not_stop_the_rest(kring: Running) -> None:
    answer = ask(kring, "follow <@U0GONE> #design <@U0CAT>")
    assert "You now follow <@U0CAT> and #design" in answer
    assert "<@U0GONE> has left" in answer


def test_unfollow_reports_what_you_were_not_following(kring: Running) -> None:
    ask(kring, "follow #release")
    answer = ask(kring, "unfollow #release #design")
    assert "no longer follow #release" in answer
    assert "weren't following #design" in answer
    assert "nothing" not in ask(kring, "unfollow") or True


def test_unfollow_without_targets_explains_usage(kring: Running) -> None:
    assert "/kring unfollow" in ask(kring, "unfollow")


def test_control_characters_and_huge_text_get_answers(kring: Running) -> None:
    assert "You now follow #release" in ask(kring, "follow\x00 #release\x07")
    assert "limit is 2000" in ask(kring, "follow " + "#a " * 2000)
    assert "at most 25" in ask(kring, "follow " + " ".join(f"#t{i}" for i in range(30)))


def test_mention_runs_the_command_and_answers_in_the_thread_to_the_asker(kring: Running) -> None:
    assert kring.slack.post_event(event("app_mention"), event_id="EvM1").status == 200
    posted = kring.standin.wait_for("chat.postEphemeral")[0].params
    assert (posted["channel"], posted["user"]) == ("C0GENERAL", "U0ANN")
    assert posted["thread_ts"] == "1764317900.001300"
    assert "You now follow #design" in posted["text"]
    assert "#design" in ask(kring, "following")
    assert kring.standin.calls("chat.postMessage") == []


def test_retried_mention_is_answered_once(kring: Running) -> None:
    kring.slack.post_event(event("app_mention"), event_id="EvM2")
    kring.slack.post_event(event("app_mention"), event_id="EvM2", retry_num=1)
    assert len(kring.standin.calls("chat.postEphemeral")) == 1


def test_mention_help_lists_commands(kring: Running) -> None:
    kring.slack.post_event(event("app_mention", text="<@UKRING> help"))
    posted = kring.standin.wait_for("chat.postMessage")[0].params
    assert "/kring follow" in posted["text"]


def test_mention_can_send_the_digest_now(kring: Running) -> None:
    ask(kring, "follow #quiet")
    kring.slack.post_event(event("app_mention", text="<@UKRING> digest now"), event_id="EvNow")
    posted = kring.standin.wait_for("chat.postEphemeral")[0].params
    assert "Nothing new since your last digest" in posted["text"]


def test_database_failure_gets_an_apology_not_silence(kring: Running) -> None:
    from sqlalchemy import text

    with kring.engine.begin() as conn:
        conn.execute(text("DROP TABLE follows"))
    answer = ask(kring, "follow #release")
    assert "something went wrong on my side" in answer


def test_mention_question_is_reduced_to_its_command() -> None:
    from handlers.mentions import command_text

    assert command_text("<@UKRING> who knows about #design?", "UKRING") == "who #design"
    assert command_text("<@UKRING> wie weet iets van #design?", "UKRING") == "who #design"
    assert command_text("<@UKRING|kring>   trending  ", "UKRING") == "trending"


def test_dutch_name_of_a_personal_command_is_answered_to_the_asker_alone(kring: Running) -> None:
    ask(kring, "follow #design")
    mention = event("app_mention", text="<@UKRING> volgend")
    assert kring.slack.post_event(mention, event_id="EvVolgend").status == 200
    posted = kring.standin.wait_for("chat.postEphemeral")[0].params
    assert posted["user"] == "U0ANN" and "#design" in posted["text"]
    assert kring.standin.calls("chat.postMessage") == []


def test_dutch_digest_now_sends_the_digest_after_the_acknowledgement(kring: Running) -> None:
    ask(kring, "follow #quiet")
    assert "in a moment" in ask(kring, "overzicht nu")
    [followup] = kring.standin.wait_for("response_url")
    assert "Nothing new since your last digest" in str(followup.params["text"])
