"""`/kring trending`: the window it looks at."""

from __future__ import annotations

import pytest

from handlers.discovery.trending import parse_window


@pytest.mark.parametrize(
    ("arg", "days"),
    [
        (None, 7),
        ("7d", 7),
        ("7", 7),
        ("week", 7),
        ("7D", 7),
        ("30d", 30),
        ("30", 30),
        ("Month", 30),
        ("maand", 30),
        ("14d", None),
        ("fortnight", None),
        ("", None),
    ],
)
def test_trending_window(arg: str | None, days: int | None) -> None:
    assert parse_window(arg) == days
