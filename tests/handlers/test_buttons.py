"""Follow turns into Unfollow in place (and Mute into Unmute), in the reader's language."""

from __future__ import annotations

from typing import Any

from handlers.buttons import TOGGLES, button, toggled
from ui.blocks import FOLLOW_ACTION, MUTE_ACTION, UNFOLLOW_ACTION, UNMUTE_ACTION


def digest_blocks() -> list[dict[str, Any]]:
    return [
        {"type": "section", "accessory": button(FOLLOW_ACTION, "person:U1", "en")},
        {"type": "section", "accessory": button(FOLLOW_ACTION, "person:U2", "en")},
        {
            "type": "actions",
            "elements": [
                button(FOLLOW_ACTION, "person:U1", "en"),
                button(MUTE_ACTION, "person:U1", "en"),
            ],
        },
        {"type": "divider"},
    ]


def test_the_clicked_button_turns_into_its_opposite_wherever_it_is() -> None:
    before = digest_blocks()
    after = toggled(before, FOLLOW_ACTION, "person:U1", "nl")
    assert after[0]["accessory"]["action_id"] == UNFOLLOW_ACTION
    assert after[0]["accessory"]["text"]["text"] == "Ontvolgen"
    assert after[1] == before[1], "another person's button stays"
    assert [e["action_id"] for e in after[2]["elements"]] == [UNFOLLOW_ACTION, MUTE_ACTION]
    assert after[3] == {"type": "divider"}
    assert before == digest_blocks(), "the blocks given are not changed"


def test_unknown_actions_leave_the_blocks_alone() -> None:
    blocks = digest_blocks()
    assert toggled(blocks, "kring_dance", "person:U1", "en") is blocks


def test_toggling_twice_gives_the_button_back() -> None:
    for action in TOGGLES:
        opposite = TOGGLES[action][0]
        assert TOGGLES[opposite][0] == action
    once = toggled(digest_blocks(), MUTE_ACTION, "person:U1", "en")
    assert once[2]["elements"][1]["action_id"] == UNMUTE_ACTION
    assert toggled(once, UNMUTE_ACTION, "person:U1", "en") == digest_blocks()


def test_only_follow_is_the_primary_button() -> None:
    assert button(FOLLOW_ACTION, "tag:x", "en")["style"] == "primary"
    assert "style" not in button(UNFOLLOW_ACTION, "tag:x", "en")
