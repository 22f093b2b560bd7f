"""`kring demo`: a whole day of a stand-in workspace, ending in everyone's digest."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from standin.demo import PEOPLE, ZONES, demo_moment, run_demo

REPO = Path(__file__).resolve().parents[2]
# A Friday evening in Amsterdam, the afternoon in New York: everyone's 09:00 has passed.
FRIDAY = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def printed() -> str:
    out = io.StringIO()
    assert run_demo(out, now=FRIDAY) == 0
    return out.getvalue()


def test_everyone_gets_a_digest_with_real_content(printed: str) -> None:
    for person in PEOPLE:
        assert f"{person.real_name} ({person.title})" in printed
    assert printed.count("Your Kring digest\n") + printed.count("Je Kring-overzicht\n") == 12
    assert "Migrated the billing service to Postgres 16" in printed
    assert "#designsystem" in printed
    assert "Lunch & learn on Friday" in printed  # Slack's &amp; undone for the terminal
    assert "1 reply · 2 reactions" in printed
    assert " in #engineering\n" in printed and "#C0ENGINEERING" not in printed  # names


def test_dutch_locales_get_dutch_digests(printed: str) -> None:
    anna = printed.split("Anna de Vries (", 1)[1].split("\n\n", 1)[0]
    assert "Je Kring-overzicht" in anna
    assert "volgen je nu" in anna  # Bram, Chloe and Dev followed her yesterday
    jack = printed.split("Jack Miller (", 1)[1].split("\n\n", 1)[0]
    assert "Your Kring digest" in jack


def test_mention_and_tag_follow_reach_the_digest(printed: str) -> None:
    assert "Kring answered in the thread" in printed
    assert "You now follow #learning." in printed
    lucy = printed.split("Lucy Chen (", 1)[1]
    assert "via #learning" in lucy


def test_summary_line_counts_what_was_recorded_and_sent(printed: str) -> None:
    last = printed.rstrip("\n").rsplit("\n", 1)[1]
    assert last.startswith("Summary: 17 posts recorded, ")
    assert "12 digests sent (0 empty, 0 failed)." in last


@pytest.mark.parametrize("hour", range(0, 24, 5))
def test_demo_moment_is_past_digest_time_everywhere(hour: int) -> None:
    before = FRIDAY.replace(hour=hour, minute=37)
    moment = demo_moment(before)
    assert before - timedelta(hours=24) < moment <= before
    for zone in ZONES:
        assert moment.astimezone(ZoneInfo(zone)).hour >= 10


def test_kring_demo_runs_without_env_file_or_slack_tokens(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "KRING_", "DATABASE"))
    }
    env.update({"PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"})
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo"],
        env=env,
        cwd=tmp_path,  # no .env here
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Summary: " in done.stdout and "12 digests sent" in done.stdout
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # no database or other file left behind
