"""`/kring followers`: who follows you, with Follow back."""

from __future__ import annotations

from handlers.discovery.followers import cmd_followers, redraw
from storage.follows import Target, follow
from tests.handlers.conftest import ANN, TEAM, Workspace
from ui.i18n import t, tn


def test_followers_get_follow_back_unless_followed_already(workspace: Workspace) -> None:
    now = workspace.deps.clock()
    with workspace.deps.sessions.begin() as session:
        for fan in ("U0BOB", "U0CAT", "U0GONE"):
            follow(
                session=session,
                team_id=TEAM,
                follower_id=fan,
                targets=[Target("person", ANN)],
                now=now,
            )
        follow(
            session=session,
            team_id=TEAM,
            follower_id=ANN,
            targets=[Target("person", "U0CAT")],
            now=now,
        )
    with workspace.deps.sessions.begin() as session:
        reply = redraw(workspace.call(session), "")
    assert reply.text.splitlines()[0] == tn("followers.header", 2, "en")
    assert reply.blocks is not None
    buttons = [b["accessory"]["value"] for b in reply.blocks if "accessory" in b]
    assert buttons == ["person:U0BOB"]


def test_followers_take_no_arguments(shared_workspace: Workspace) -> None:
    with shared_workspace.deps.sessions() as session:
        reply = cmd_followers(shared_workspace.call(session, "me"))
    assert reply.text == t("usage.followers", "en")
