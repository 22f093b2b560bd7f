"""The contract every `/kring` subcommand keeps, checked over the registry in both languages.

Adding a command to handlers.registry adds it to every test here: its help and usage lines
exist in each language, every word for it leads to it, `<name> help` explains it, an answer
about the asker alone stays private when asked through @Kring, and slow work is acknowledged
before it is done.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from slack_bolt import Ack, Respond

from handlers import registry
from handlers.calls import typed_words
from handlers.commands import finish_slow_command, handle_kring_command, run_command
from handlers.mentions import handle_app_mention
from handlers.registry import COMMANDS, Command, find, help_text, named, read, rerender, view_of
from tests.handlers.conftest import ANN, EVA, TEAM, Workspace
from ui.i18n import LANGUAGES, read_catalog, t, words

ASKERS = {"en": ANN, "nl": EVA}
BOT = "UKRING"
_events = itertools.count(1)

by_language = pytest.mark.parametrize(
    ("command", "lang"),
    [(command, lang) for command in COMMANDS for lang in LANGUAGES],
    ids=lambda value: value.name if isinstance(value, Command) else str(value),
)


def names_in(command: Command, lang: str) -> list[str]:
    """The words for ``command`` in ``lang``, and its English name."""
    return list(dict.fromkeys([command.name, *words(command.names, lang)]))


def mention(workspace: Workspace, text: str, user_id: str) -> str:
    """Mention @Kring in #general; the Web API method the answer went out with."""
    before = len(workspace.standin.calls())
    body = {
        "team_id": TEAM,
        "event_id": f"EvContract{next(_events)}",
        "event": {
            "type": "app_mention",
            "user": user_id,
            "text": f"<@{BOT}> {text}",
            "ts": "1764317900.001300",
            "channel": "C0GENERAL",
        },
    }
    handle_app_mention(workspace.deps, body=body, client=workspace.client, bot_user_id=BOT)
    sent = [c.method for c in workspace.standin.calls()[before:]]
    answers = [m for m in sent if m in ("chat.postEphemeral", "chat.postMessage")]
    assert len(answers) == 1, sent
    return answers[0]


def slash(text: str, user_id: str, response_url: str) -> dict[str, Any]:
    return {
        "team_id": TEAM,
        "user_id": user_id,
        "text": text,
        "command": "/kring",
        "response_url": response_url,
    }


@by_language
def test_help_and_usage_lines_exist(command: Command, lang: str) -> None:
    for key in (command.names, command.usage, command.help):
        entry = read_catalog(lang).get(key)
        assert entry is not None and entry.string, f"{key} has no {lang} text"
    assert t(command.help, lang) in help_text(lang)


@by_language
def test_every_word_for_a_command_leads_to_it(command: Command, lang: str) -> None:
    for word in names_in(command, lang):
        assert find(word) is command
        assert find(word.upper()) is command
        assert read(f"  {word}  some args").command is command


def test_no_word_names_two_commands() -> None:
    seen: dict[str, str] = {}
    for command in COMMANDS:
        for word in command.words():
            assert seen.setdefault(word, command.name) == command.name, word


@by_language
def test_help_after_a_command_answers_its_usage(
    shared_workspace: Workspace, command: Command, lang: str
) -> None:
    w = shared_workspace
    expected = help_text(lang) if command is named("help") else t(command.usage, lang)
    for word in names_in(command, lang):
        for ask in (*words("input.command.help", lang), "?"):
            reply = run_command(
                w.deps, w.client, team_id=TEAM, user_id=ASKERS[lang], text=f"{word} {ask}"
            )
            assert reply.text == expected, f"{word} {ask}"


@by_language
def test_personal_answers_stay_private_through_a_mention(
    shared_workspace: Workspace, command: Command, lang: str
) -> None:
    private = "chat.postEphemeral" if command.personal else "chat.postMessage"
    for word in names_in(command, lang):
        assert mention(shared_workspace, f"{word} help", ASKERS[lang]) == private, word


SLOW = [(c, lang) for c in COMMANDS if c.slow is not None for lang in LANGUAGES]


@pytest.mark.parametrize(("command", "lang"), SLOW, ids=lambda v: getattr(v, "name", str(v)))
def test_slow_work_is_acknowledged_first_and_answered_later(
    shared_workspace: Workspace, command: Command, lang: str
) -> None:
    w = shared_workspace
    assert command.slow is not None
    slow_args = [[word] for word in words(command.slow.word, lang)] if command.slow.word else [[]]
    # The acknowledgement speaks the language of the asker's cached profile.
    run_command(w.deps, w.client, team_id=TEAM, user_id=ASKERS[lang], text="help")
    for word, args in itertools.product(names_in(command, lang), slow_args):
        text = " ".join([word, *args])
        body = slash(text, ASKERS[lang], w.standin.new_response_url())
        before = len(w.standin.calls())
        ack = Ack()
        handle_kring_command(w.deps, ack=ack, body=body, client=w.client)
        assert ack.response is not None
        started = {"text": t(command.slow.started, lang), "response_type": "ephemeral"}
        assert json.loads(ack.response.body) == started, text
        assert w.standin.calls()[before:] == [], "nothing is done before Slack has its answer"
        answers = len(w.standin.calls("response_url"))
        finish_slow_command(
            w.deps, body=body, client=w.client, respond=Respond(response_url=body["response_url"])
        )
        [answered] = w.standin.calls("response_url")[answers:]
        assert answered.params["text"] not in ("", t(command.slow.started, lang)), text


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_without_its_slow_arguments_a_command_answers_at_once(command: Command) -> None:
    assert read(f"{command.name} help").slow is None
    if command.slow is not None and command.slow.word is not None:
        assert read(command.name).slow is None
        assert read(f"{command.name} {command.name}").slow is None


def test_help_lists_each_help_line_once_in_registry_order() -> None:
    assert registry.help_keys() == [
        "help.follow",
        "help.unfollow",
        "help.following",
        "help.digest",
        "help.who",
        "help.search",
        "help.trending",
        "help.profile",
        "help.suggest",
        "help.followers",
        "help.mute",
        "help.language",
        "help.privacy",
        "help.admin",
        "help.help",
    ]


def test_help_words_are_the_help_commands_names() -> None:
    assert typed_words("input.command.help") == {"help", "hulp"}


@pytest.mark.parametrize(
    ("bid", "view"),
    [
        ("kring:who:design:0", ("who", "design")),
        ("kring:trending:7:3", ("trending", "7")),
        ("kring:profile:U123:0", ("profile", "U123")),
        ("kring:suggest::0", ("suggest", "")),
        ("kring:followers::12", ("followers", "")),
        ("kring:follow:x:0", None),
        ("kring:dance:x:0", None),
        ("other:who:design:0", None),
    ],
)
def test_only_answers_of_commands_that_can_redraw_are_redrawn(
    bid: str, view: tuple[str, str] | None
) -> None:
    assert view_of(bid) == view


def test_redrawing_an_unknown_view_is_refused(shared_workspace: Workspace) -> None:
    with shared_workspace.deps.sessions() as session:
        call = shared_workspace.call(session)
        with pytest.raises(ValueError, match="follow"):
            rerender("follow", "", call)


def test_an_empty_text_asks_for_nothing() -> None:
    for text in ("", "   ", "\x00\x07 "):
        asked = read(text)
        assert (asked.word, asked.command, asked.args) == ("", None, [])


def test_the_first_word_names_the_command_and_the_rest_are_its_arguments() -> None:
    asked = read("  VOLG  <@U0ANN|ann>   #design\t<#C0DESIGN|design> ")
    assert asked.word == "VOLG"
    assert asked.command is named("follow")
    assert asked.args == ["<@U0ANN|ann>", "#design", "<#C0DESIGN|design>"]


def test_control_characters_separate_words() -> None:
    asked = read("follow\x00#design\x1b#release")
    assert asked.command is named("follow")
    assert asked.args == ["#design", "#release"]


def test_an_unknown_word_keeps_its_arguments() -> None:
    asked = read("dance wildly")
    assert (asked.word, asked.command, asked.args) == ("dance", None, ["wildly"])


@pytest.mark.parametrize(
    ("text", "wants"),
    [
        ("follow help", True),
        ("volg hulp", True),
        ("follow ?", True),
        ("follow HELP", True),
        ("follow #help", False),
        ("follow", False),
        ("help follow", False),  # help's own argument is the command to explain
        ("help help", False),
        ("dance help", False),  # nothing to explain
    ],
)
def test_help_or_a_question_mark_after_a_command_asks_for_its_usage(text: str, wants: bool) -> None:
    assert read(text).wants_usage is wants


def test_only_the_arguments_that_make_a_command_slow_make_it_slow() -> None:
    assert read("export").slow is named("export").slow
    assert read("export help").slow is None
    assert read("follow #design").slow is None
    assert read("dance").slow is None
