"""What the discovery answers share: who is shown, and who gets a Follow button."""

from __future__ import annotations

from handlers.discovery.common import active, follow_button, title_of
from storage.follows import Target
from storage.models import Person
from tests.handlers.conftest import ANN, Workspace
from ui.blocks import FOLLOW_ACTION, Button


def test_leavers_and_bots_are_left_out_but_the_unknown_are_shown() -> None:
    people = {
        "U1": Person(team_id="T", user_id="U1", deleted=False, is_bot=False, title="Designer"),
        "U2": Person(team_id="T", user_id="U2", deleted=True, is_bot=False),
        "U3": Person(team_id="T", user_id="U3", deleted=False, is_bot=True),
    }
    assert [uid for uid in ("U1", "U2", "U3", "U4") if active(people, uid)] == ["U1", "U4"]
    assert title_of(people["U1"]) == "Designer" and title_of(None) == ""


def test_no_follow_button_for_yourself_or_what_you_follow(shared_workspace: Workspace) -> None:
    with shared_workspace.deps.sessions() as session:
        call = shared_workspace.call(session, lang="nl")
        followed = {Target("tag", "design")}
        key = "discovery.button.follow"
        assert follow_button(call, Target("person", ANN), followed, key) is None
        assert follow_button(call, Target("tag", "design"), followed, key) is None
        assert follow_button(call, Target("person", "U0BOB"), followed, key) == Button(
            FOLLOW_ACTION, "Volgen", "person:U0BOB"
        )
