"""`/kring digest`: how the schedule reads, and changes to it."""

from __future__ import annotations

from datetime import datetime

from digests.schedule import day_name, format_time
from handlers.digest_commands import cmd_digest, describe, when
from storage.digests import DigestSettings
from tests.handlers.conftest import Workspace
from ui.i18n import t

MORNING = datetime(2026, 11, 27, 7, 0)  # a Friday


def test_the_schedule_reads_in_the_persons_language() -> None:
    weekly = DigestSettings(frequency="weekly", weekday=4, minute_of_day=510)
    assert describe(weekly, "nl") == t(
        "digest.schedule.weekly", "nl", day=day_name(4, "nl"), time=format_time(510)
    )
    weekdays = DigestSettings(frequency="weekdays", minute_of_day=510)
    assert describe(weekdays, "en") == t("digest.schedule.weekdays", "en", time=format_time(510))


def test_when_says_today_tomorrow_or_the_day() -> None:
    nine = format_time(9 * 60)
    assert when(MORNING.replace(hour=9), MORNING, "en") == t("when.today", "en", time=nine)
    assert when(MORNING.replace(day=28, hour=9), MORNING, "en") == t(
        "when.tomorrow", "en", time=nine
    )
    assert when(MORNING.replace(day=30, hour=9), MORNING, "nl") == t(
        "when.day", "nl", day=day_name(0, "nl"), time=nine
    )


def test_digest_changes_are_saved_and_shown(workspace: Workspace) -> None:
    with workspace.deps.sessions.begin() as session:
        changed = cmd_digest(workspace.call(session, "weekdays")).text
    # Ann's Slack locale is en-US: a 12-hour clock.
    nine = format_time(9 * 60, "en-US", lang="en")
    assert t("digest.schedule.weekdays", "en", time=nine) in changed
    with workspace.deps.sessions.begin() as session:
        shown = cmd_digest(workspace.call(session)).text
    assert t("digest.schedule.weekdays", "en", time=nine) in shown
    with workspace.deps.sessions.begin() as session:
        paused = cmd_digest(workspace.call(session, "off")).text
    assert paused == t("digest.paused", "en")
