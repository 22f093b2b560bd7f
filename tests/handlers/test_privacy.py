"""`/kring opt-out`, `opt-in`, `export` and `forget-me`: what they answer before any work."""

from __future__ import annotations

from collections.abc import Callable

from handlers.calls import Call, Reply
from handlers.privacy import (
    FORGET_ACTION,
    FORGET_VALUE,
    cmd_export,
    cmd_forget_me,
    cmd_opt_in,
    cmd_opt_out,
    forget_blocks,
)
from tests.handlers.conftest import Workspace
from ui.i18n import t


def run(w: Workspace, handler: Callable[[Call], Reply], *args: str) -> Reply:
    with w.deps.sessions.begin() as session:
        return handler(w.call(session, *args))


def test_opting_out_and_in_says_whether_anything_changed(workspace: Workspace) -> None:
    assert run(workspace, cmd_opt_in).text == t("privacy.not_opted_out", "en")
    assert run(workspace, cmd_opt_out).text == t("privacy.opted_out", "en")
    assert run(workspace, cmd_opt_out).text == t("privacy.already_opted_out", "en")
    assert run(workspace, cmd_opt_in).text == t("privacy.opted_in", "en")


def test_export_with_arguments_explains_itself(shared_workspace: Workspace) -> None:
    assert run(shared_workspace, cmd_export, "now").text == t("usage.export", "en")


def test_forget_me_asks_for_a_confirmed_click_first(shared_workspace: Workspace) -> None:
    reply = run(shared_workspace, cmd_forget_me)
    assert reply.blocks == forget_blocks("en")
    [danger] = forget_blocks("nl")[1]["elements"]
    assert (danger["action_id"], danger["value"], danger["style"]) == (
        FORGET_ACTION,
        FORGET_VALUE,
        "danger",
    )
    assert danger["confirm"]["title"]["text"] == t("privacy.forget.confirm_title", "nl")
