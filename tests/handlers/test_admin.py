"""`/kring admin stats`: the weekly numbers as text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.admin import is_admin, last_day, percent, stats_text
from storage.models import Person
from storage.stats import WeekStats

MONDAY = datetime(2026, 11, 16, tzinfo=UTC)


def week(**numbers: int) -> WeekStats:
    return WeekStats(start=MONDAY, end=MONDAY + timedelta(days=7), **numbers)


def test_a_week_ends_on_its_last_day() -> None:
    assert last_day(week()) == "2026-11-22"


def test_the_share_across_departments_needs_known_departments() -> None:
    assert percent(week()) is None
    assert percent(week(known_department_follows=3, cross_department_follows=1)) == 33


def test_stats_text_has_a_line_per_week_in_the_askers_language() -> None:
    weeks = [week(posts=12, active_posters=3), week(posts=1)]
    english = stats_text(weeks, "en").splitlines()
    dutch = stats_text(weeks, "nl").splitlines()
    assert len(english) == len(dutch) == 1 + len(weeks) + 2
    assert english[1] != dutch[1] and "12" in english[1] and "12" in dutch[1]


def test_only_current_admins_and_owners_are_admins() -> None:
    assert is_admin(Person(team_id="T", user_id="U", is_admin=True, deleted=False))
    assert is_admin(Person(team_id="T", user_id="U", is_owner=True, deleted=False))
    assert not is_admin(Person(team_id="T", user_id="U", is_admin=True, deleted=True))
    assert not is_admin(Person(team_id="T", user_id="U", deleted=False))
    assert not is_admin(None)
