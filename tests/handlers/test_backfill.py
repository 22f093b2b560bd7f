"""The history import's pacing: a burst, then Slack's Tier 3 rate."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.backfill import Pacer, oldest_ts


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_pacer_lets_a_burst_through_then_keeps_to_fifty_calls_a_minute() -> None:
    time = FakeTime()
    pacer = Pacer(per_minute=50, burst=3, clock=time.clock, sleep=time.sleep)
    for _ in range(3):
        pacer.wait()
    assert time.slept == []
    for _ in range(50):
        pacer.wait()
    # 53 calls after a burst of 3 take one minute: 50 calls at 1.2 s each.
    assert round(time.now, 6) == 60.0
    assert {round(s, 6) for s in time.slept} == {1.2}


def test_pacer_refills_while_idle_but_never_beyond_its_burst() -> None:
    time = FakeTime()
    pacer = Pacer(per_minute=60, burst=2, clock=time.clock, sleep=time.sleep)
    pacer.wait()
    pacer.wait()
    time.now += 3600
    pacer.wait()
    pacer.wait()
    assert time.slept == []
    pacer.wait()
    assert time.slept == [1.0]


def test_pacer_of_zero_calls_a_minute_never_waits() -> None:
    time = FakeTime()
    pacer = Pacer(per_minute=0, clock=time.clock, sleep=time.sleep)
    for _ in range(1000):
        pacer.wait()
    assert time.slept == []


def test_oldest_is_days_back_as_a_slack_ts() -> None:
    now = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    assert oldest_ts(now, 1) == f"{now.timestamp() - 86400:.6f}"
