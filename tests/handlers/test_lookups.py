"""Profiles and channel names asked of Slack once, then read from the database."""

from __future__ import annotations

from datetime import timedelta

from handlers import lookups
from tests.handlers.conftest import TEAM, Workspace


def test_a_profile_is_asked_of_slack_only_when_missing_or_old(workspace: Workspace) -> None:
    now = workspace.deps.clock()
    asked = workspace.standin.calls

    def bob(at: timedelta) -> str:
        with workspace.deps.sessions.begin() as session:
            found = lookups.people(
                session=session,
                client=workspace.client,
                team_id=TEAM,
                user_ids=["U0BOB", "U0NOBODY"],
                now=now + at,
            )
        assert set(found) == {"U0BOB"}
        return found["U0BOB"].real_name

    assert bob(timedelta()) == "Bob de Vries"
    infos = len(asked("users.info"))
    workspace.standin.add_user("U0BOB", "bob", real_name="Bob Jansen")
    assert bob(timedelta(hours=1)) == "Bob de Vries", "a fresh cached profile is used"
    assert len(asked("users.info")) == infos + 1, "only the unknown user was asked again"
    assert bob(lookups.PROFILE_MAX_AGE + timedelta(hours=1)) == "Bob Jansen"


def test_channel_names_are_cached_and_private_channels_left_out(workspace: Workspace) -> None:
    now = workspace.deps.clock()
    for _ in range(2):
        with workspace.deps.sessions.begin() as session:
            names = lookups.channel_names(
                session=session,
                client=workspace.client,
                team_id=TEAM,
                channel_ids=["C0DESIGN", "C0SECRET"],
                now=now,
            )
        assert names == {"C0DESIGN": "design"}
    asked = [c.params.get("channel") for c in workspace.standin.calls("conversations.info")]
    assert asked.count("C0DESIGN") == 1
