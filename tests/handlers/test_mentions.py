"""@Kring in a channel: what the command is, who sees the answer, and no pings from it."""

from __future__ import annotations

import pytest

from handlers.mentions import command_text, is_personal, without_pings


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("<@UKRING> who knows about #design?", "who #design"),
        ("<@UKRING> Wie weet iets van #design?", "who #design"),
        ("<@UKRING> who are the experts on #design", "who #design"),
        ("<@UKRING|kring>   trending  ", "trending"),
        ("<@UKRING> volg #release!", "volg #release"),
        ("hey <@UKRING> follow <@U0BOB>", "hey follow <@U0BOB>"),
    ],
)
def test_a_mention_is_reduced_to_its_command(text: str, command: str) -> None:
    assert command_text(text, "UKRING") == command


def test_without_knowing_its_own_id_kring_keeps_the_text() -> None:
    assert command_text("<@UKRING> help", None) == "<@UKRING> help"


@pytest.mark.parametrize(
    ("command", "personal"),
    [
        ("following", True),
        ("volgend", True),
        ("Demp #lunch", True),
        ("overzicht nu", True),
        ("taal nl", True),
        ("suggesties", True),
        ("admin stats", True),
        ("who #design", False),
        ("wie #design", False),
        ("trending", False),
        ("profiel <@U0BOB>", False),
        ("hulp", False),
        ("dance", False),
        ("", False),
    ],
)
def test_answers_about_the_asker_alone_are_personal(command: str, personal: bool) -> None:
    assert is_personal(command) is personal


def test_people_listed_in_a_channel_answer_are_not_pinged() -> None:
    reply = {
        "text": "<@U1> and <@U2|bob>",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "<@U3>"}}],
    }
    names = {"U1": "Ann", "U2": "Bob"}
    assert without_pings(reply, names) == {
        "text": "Ann and Bob",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "U3"}}],
    }
    assert without_pings(7, names) == 7
