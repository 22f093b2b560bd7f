"""Refused requests: one short line each, and no more than a few a minute."""

from __future__ import annotations

import logging

import pytest

from bot import refusals
from bot.refusals import RefusalLog


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_flood_of_refusals_writes_a_few_lines_and_counts_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    log = RefusalLog(per_window=3, window_seconds=60, clock=clock)
    with caplog.at_level(logging.INFO, logger="kring.refusals"):
        for _ in range(100):
            log.refused(refusals.UNSIGNED, 900_000)
        assert [r.getMessage() for r in caplog.records] == [
            "refused request: unsigned, 900000 bytes"
        ] * 3
        clock.now += 60
        log.refused(refusals.STALE, 10)
    assert caplog.records[-1].getMessage() == (
        "refused request: stale timestamp, 10 bytes (and 97 earlier refusals not logged)"
    )
    assert len(caplog.records) == 4


def test_refusals_spread_over_time_are_all_logged(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    log = RefusalLog(per_window=2, window_seconds=60, clock=clock)
    with caplog.at_level(logging.INFO, logger="kring.refusals"):
        for _ in range(5):
            log.refused(refusals.BAD_SIGNATURE, 5)
            clock.now += 30
    assert len(caplog.records) == 5
    assert all("not logged" not in r.getMessage() for r in caplog.records)
