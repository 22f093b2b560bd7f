"""Buttons next to people and tags: what a click's value means, and that each is answered."""

from __future__ import annotations

import pytest

from handlers.actions import DONE_KEYS, parse_target
from handlers.buttons import TOGGLES
from storage.follows import Target
from ui.i18n import read_catalog


@pytest.mark.parametrize(
    ("value", "target"),
    [
        ("person:U123", Target("person", "U123")),
        ("person:W9", Target("person", "W9")),
        ("tag:Release", Target("tag", "release")),
        ("person:B1", None),
        ("person:U1<!channel>", None),
        ("tag:!!!", None),
        ("channel:C1", None),
        ("", None),
    ],
)
def test_a_button_value_names_a_person_or_a_tag(value: str, target: Target | None) -> None:
    assert parse_target(value) == target


def test_every_button_that_toggles_is_answered_with_a_sentence() -> None:
    assert set(DONE_KEYS) == set(TOGGLES)
    for done, unchanged in DONE_KEYS.values():
        assert read_catalog("en").get(done) is not None
        assert read_catalog("en").get(unchanged) is not None
