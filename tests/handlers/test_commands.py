"""The dispatcher: any text after `/kring` gets an answer, and slow work comes after the ack."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from slack_bolt import Ack, Respond
from sqlalchemy import text

from handlers.commands import (
    MAX_TEXT,
    after_answer,
    answer,
    asker_language,
    finish_slow_command,
    handle_kring_command,
    run_command,
)
from handlers.registry import help_text
from tests.handlers.conftest import ANN, EVA, TEAM, Workspace
from ui.i18n import t


def ask(w: Workspace, command: str, user_id: str = ANN) -> str:
    return run_command(w.deps, w.client, team_id=TEAM, user_id=user_id, text=command).text


def test_nothing_asked_shows_help(shared_workspace: Workspace) -> None:
    assert ask(shared_workspace, "  ") == help_text("en")


def test_an_unknown_command_is_named_before_the_help(shared_workspace: Workspace) -> None:
    answered = ask(shared_workspace, "dance <@U0BOB>")
    assert answered == t("error.unknown_command", "en", command="dance") + "\n\n" + help_text("en")


def test_too_much_text_is_refused_with_its_length(shared_workspace: Workspace) -> None:
    command = "follow " + "#a " * 1000
    answered = ask(shared_workspace, command)
    length = len(command.strip())
    assert answered == t("error.too_long", "en", length=length, limit=MAX_TEXT)


def test_help_after_help_is_the_overview(shared_workspace: Workspace) -> None:
    assert ask(shared_workspace, "help help") == help_text("en")


def test_the_askers_language_decides_the_answer(shared_workspace: Workspace) -> None:
    assert ask(shared_workspace, "volg", user_id=EVA) == t("error.nothing_to_follow", "nl")
    assert ask(shared_workspace, "volg") == t("error.nothing_to_follow", "en")
    assert asker_language(shared_workspace.deps, TEAM, EVA) == "nl"


def test_arguments_reach_the_subcommand(shared_workspace: Workspace) -> None:
    assert "Unmuted" not in ask(shared_workspace, "UNMUTE #nothing-muted")
    assert "#nothing-muted" in ask(shared_workspace, "UNMUTE #nothing-muted")


def test_a_failure_becomes_an_apology(workspace: Workspace) -> None:
    with workspace.deps.engine.begin() as conn:
        conn.execute(text("DROP TABLE follows"))
    reply = answer(workspace.deps, workspace.client, team_id=TEAM, user_id=ANN, text="following")
    assert reply.text == t("error.internal", "en")


def test_work_after_the_answer_never_raises(
    workspace: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    workspace.standin.add_user("U0ADA", "ada", is_admin=True)
    with workspace.deps.engine.begin() as conn:
        conn.execute(text("DROP TABLE people"))
    with caplog.at_level(logging.ERROR):
        after_answer(
            workspace.deps, workspace.client, team_id=TEAM, user_id="U0ADA", text="admin stats"
        )
    assert "admin: the work after the answer failed" in caplog.text


def test_work_after_the_answer_only_for_what_was_asked(shared_workspace: Workspace) -> None:
    w = shared_workspace
    w.standin.add_user("U0ADA", "ada", is_admin=True)
    before = len(w.standin.calls())
    for command in ("admin stats help", "admin channels", "follow", "dance"):
        after_answer(w.deps, w.client, team_id=TEAM, user_id="U0ADA", text=command)
    assert w.standin.calls()[before:] == []
    after_answer(w.deps, w.client, team_id=TEAM, user_id="U0ADA", text="admin cijfers")
    assert w.standin.calls("files.completeUploadExternal")


def slash(w: Workspace, command: str) -> dict[str, Any]:
    return {
        "team_id": TEAM,
        "user_id": ANN,
        "text": command,
        "response_url": w.standin.new_response_url(),
    }


def test_a_quick_command_is_answered_in_the_acknowledgement(shared_workspace: Workspace) -> None:
    w = shared_workspace
    body = slash(w, "trending")
    ack = Ack()
    handle_kring_command(w.deps, ack=ack, body=body, client=w.client)
    assert ack.response is not None
    acked = json.loads(ack.response.body)
    assert acked["response_type"] == "ephemeral" and acked["text"]
    answers = len(w.standin.calls("response_url"))
    finish_slow_command(
        w.deps, body=body, client=w.client, respond=Respond(response_url=body["response_url"])
    )
    assert len(w.standin.calls("response_url")) == answers


def test_slow_work_is_answered_through_the_response_url(shared_workspace: Workspace) -> None:
    w = shared_workspace
    body = slash(w, "export")
    ack = Ack()
    handle_kring_command(w.deps, ack=ack, body=body, client=w.client)
    assert ack.response is not None
    assert json.loads(ack.response.body)["text"] == t("privacy.export.started", "en")
    answers = len(w.standin.calls("response_url"))
    finish_slow_command(
        w.deps, body=body, client=w.client, respond=Respond(response_url=body["response_url"])
    )
    [sent] = w.standin.calls("response_url")[answers:]
    assert sent.params["text"] == t("privacy.export.sent", "en")
