"""`/kring profile`: what a click on a profile's buttons draws again."""

from __future__ import annotations

import pytest

from handlers.discovery.profile import cmd_profile, redraw
from tests.handlers.conftest import Workspace
from ui.i18n import t


@pytest.mark.parametrize("arg", ["", "u123", "C123", "U1>", "<@U1>"])
def test_redraw_refuses_anything_but_a_user_id(shared_workspace: Workspace, arg: str) -> None:
    with shared_workspace.deps.sessions() as session:
        reply = redraw(shared_workspace.call(session), arg)
    assert reply.text == t("usage.profile", "en")


def test_profile_takes_exactly_one_person(shared_workspace: Workspace) -> None:
    with shared_workspace.deps.sessions() as session:
        for args in ([], ["<@U0BOB>", "<@U0CAT>"]):
            reply = cmd_profile(shared_workspace.call(session, *args))
            assert reply.text == t("usage.profile", "en")


def test_your_own_profile_has_no_buttons(shared_workspace: Workspace) -> None:
    with shared_workspace.deps.sessions.begin() as session:
        reply = redraw(shared_workspace.call(session), "U0ANN")
    assert t("profile.you", "en") in reply.text
    assert reply.blocks is not None
    assert not [b for b in reply.blocks if b.get("accessory") or b["type"] == "actions"]
