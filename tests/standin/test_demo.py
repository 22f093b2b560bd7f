"""`kring demo`: a small organisation's day against the stand-in Slack, every feature shown."""

from __future__ import annotations

import io
import json
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from standin.demo import CHART_FILE, DB_FILE, PNG_SIGNATURE, find_person, run_demo, story_day
from standin.demo import story_end as end_of
from standin.story import PEOPLE, ZONES

REPO = Path(__file__).resolve().parents[2]
# A Friday evening in Amsterdam, the afternoon in New York: Friday's story is over.
FRIDAY = datetime(2026, 11, 27, 17, 30, tzinfo=UTC)
SECTIONS = (
    "The story",
    "Digests at 09:00, each in its reader's own time zone",
    "Who knows about #designsystem?",
    "Who knows about Postgres? (no hashtag needed)",
    "Search what colleagues shared",
    "Trending",
    "Suggestions across departments",
    "A profile",
    "The Home tab",
    "A new colleague's welcome",
    "For admins: usage and its chart",
)


def clean_env(tmp: Path) -> dict[str, str]:
    """The environment of someone who has set nothing up: no Slack tokens, no database."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "KRING_", "DATABASE"))
    }
    env.update({"PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8", "TMPDIR": str(tmp)})
    return env


def kring(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=cwd,  # no .env here
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def section(printed: str, title: str) -> str:
    """The text under the heading ``title``, up to the next heading."""
    body = printed.split(f"\n{title}\n{'-' * len(title)}\n", 1)[1]
    lines = body.split("\n")
    for i in range(1, len(lines)):
        if lines[i] and set(lines[i]) == {"-"} and len(lines[i]) == len(lines[i - 1]):
            return "\n".join(lines[: i - 1])
    return body


@dataclass(frozen=True)
class Kept:
    stdout: str
    folder: Path
    cwd: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> Kept:
    """`kring demo --keep DIR` as a new user would run it: a subprocess, nothing configured.
    At FRIDAY, so that what it prints can be checked to the letter."""
    cwd = tmp_path_factory.mktemp("cwd")
    tmp = tmp_path_factory.mktemp("tmp")
    folder = tmp_path_factory.mktemp("kept") / "demo db"  # a space, to check the quoting
    env = clean_env(tmp)
    done = kring("demo", "--keep", str(folder), "--now", FRIDAY.isoformat(), env=env, cwd=cwd)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return Kept(done.stdout, folder, cwd, env)


@pytest.fixture(scope="module")
def friday(kept: Kept) -> str:
    return kept.stdout


def test_demo_runs_without_env_file_or_tokens_and_prints_every_section(kept: Kept) -> None:
    for title in SECTIONS:
        assert f"\n{title}\n{'-' * len(title)}\n" in kept.stdout
    assert "Summary: 35 posts recorded, " in kept.stdout
    assert "12 digests sent (0 empty, 0 failed)." in kept.stdout
    assert "Traceback" not in kept.stdout
    assert list(kept.cwd.iterdir()) == []  # nothing written where it ran


def test_each_digest_goes_out_at_its_readers_own_0900(friday: str) -> None:
    printed = section(friday, "Digests at 09:00, each in its reader's own time zone")
    # November: Amsterdam is UTC+1, London UTC+0, New York UTC-5.
    assert "09:00 in Europe/Amsterdam (08:00 UTC): 6 digests" in printed
    assert "09:00 in Europe/London (09:00 UTC): 3 digests" in printed
    assert "09:00 in America/New_York (14:00 UTC): 3 digests" in printed
    for person in PEOPLE:
        assert f"  {person.real_name} " in printed
    assert (
        "Anna de Vries's digest, Friday 27 November 2026, 09:00 in Europe/Amsterdam "
        "(Slack locale nl-NL):\n  Je Kring-overzicht\n" in printed
    )
    assert "Lucy Chen's digest, Friday 27 November 2026, 09:00 in America/New_York" in printed
    # Every heading names the reader's own morning, not the moment the pass ran.
    headings = [line for line in printed.splitlines() if line.endswith("):")]
    assert len(headings) == 3 and all(", 09:00 in " in line for line in headings)


def test_digests_show_yesterday_and_new_york_gets_europes_morning(
    friday: str,
) -> None:
    printed = friday
    assert "Migrated the billing service to Postgres 16" in printed
    assert "1 antwoord · 2 reacties · via #incident" in printed  # Dutch for Anna
    assert "Lunch & learn on Friday" in printed  # Slack's &amp; undone for the terminal
    assert " in #engineering\n" in printed and "#C0ENGINEERING" not in printed
    lucy = printed.split("Lucy Chen's digest", 1)[1].split("\n\n(", 1)[0]
    assert "via #learning" in lucy  # she followed the tag by mentioning @Kring yesterday
    assert "Bakkerij de Gouden Korst wil ook de voorraadmodule zien" in lucy  # posted today
    assert "Kring answered in the thread (only Lucy sees it): You now follow #learning." in printed


def test_both_languages_appear(friday: str) -> None:
    printed = friday
    assert "Je Kring-overzicht" in printed and "Your Kring digest" in printed
    assert "berichten van" in printed and "posts from" in printed
    assert "Wie weet van #designsystem" in section(printed, "Who knows about #designsystem?")
    assert "Jouw Kring" in section(printed, "The Home tab")
    assert "Welcome!" in section(printed, "A new colleague's welcome")


def test_who_trending_suggest_and_profile_are_kring_answers(friday: str) -> None:
    printed = friday
    who = section(printed, "Who knows about #designsystem?")
    assert "types /kring wie weet iets over #designsystem" in who
    assert "1. @Grace Kim — Design lead, Design   [Volgen]" in who
    trending = section(printed, "Trending")
    assert "#designsystem — 8 posts (was 0)" in trending
    suggest = section(printed, "Suggestions across departments")
    assert "@Finn O'Brien — UX researcher, Design" in suggest  # Iris works in Sales
    assert "op een andere afdeling" in suggest
    profile = section(printed, "A profile")
    assert "types /kring profile @Anna de Vries" in profile
    assert "Followers: 4 · Following: 4" in profile and "[Follow] [Mute]" in profile
    assert "Release 4.2 is out" in profile


def test_home_tab_and_welcome_dm_are_rendered_as_text(friday: str) -> None:
    printed = friday
    home = section(printed, "The Home tab")
    assert "Eva Visser (nl-NL) opens Kring's Home tab in Slack, 10:15 in Europe/Amsterdam" in home
    assert "Je volgt (3)" in home and "@Grace Kim   [Ontvolgen]" in home
    assert "[09:00] [Elke dag ▾]" in home
    welcome = section(printed, "A new colleague's welcome")
    assert "Noah Williams (Backend engineer, Engineering) joins the workspace" in welcome
    assert "@Anna de Vries · Backend engineer, Engineering   [Follow]" in welcome
    assert "in your team" in welcome


def test_admin_chart_is_a_png_at_the_printed_path(kept: Kept) -> None:
    admin = section(kept.stdout, "For admins: usage and its chart")
    assert "Kring over the last 4 weeks" in admin
    line = next(x for x in kept.stdout.splitlines() if x.startswith("The chart Kring sent to"))
    path = Path(line.split(": ", 1)[1])
    assert path == (kept.folder / CHART_FILE).resolve()
    assert path.read_bytes().startswith(PNG_SIGNATURE)


def test_kept_database_is_explored_with_the_printed_commands(kept: Kept) -> None:
    explore = section(kept.stdout, "Explore the kept database").splitlines()
    assert (kept.folder / DB_FILE).is_file()
    [export] = [line for line in explore if line.startswith("  export DATABASE_URL=")]
    url = shlex.split(export.strip())[1].split("=", 1)[1]
    assert url == f"sqlite:///{(kept.folder / DB_FILE).resolve()}"
    commands = [shlex.split(x) for x in explore if x.startswith("  kring digest preview ")]
    assert [c[3] for c in commands] == ["U0ANNA", "U0DEV"]
    assert all("--now" in c for c in commands)  # the demo's day, not today
    env = kept.env | {"DATABASE_URL": url}

    anna = kring(*commands[0][1:], env=env, cwd=kept.cwd)
    dev = kring(*commands[1][1:], env=env, cwd=kept.cwd)

    assert anna.returncode == 0, anna.stderr
    # Her next digest: what was posted since her 09:00, not what she got this morning.
    assert anna.stdout.startswith("Je Kring-overzicht\n")
    assert "Every TLS certificate and its expiry date" in anna.stdout
    assert "Postmortem for Tuesday's outage" not in anna.stdout
    assert dev.returncode == 0, dev.stderr
    blocks = json.loads(dev.stdout)["blocks"]
    assert "Release 4.2 is out" in json.dumps(blocks)


def test_person_shows_one_persons_digest_home_and_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    out = io.StringIO()
    jack = find_person("Jack")
    assert jack is not None

    assert run_demo(out, now=FRIDAY, person=jack) == 0

    printed = out.getvalue()
    digest = "Jack Miller's digest, Friday 27 November 2026, 09:00 in America/New_York"
    assert f"\n{digest}" in printed
    assert "Jack Miller's Home tab, " in printed and "@Iris Smit   [Unfollow]" in printed
    assert "\nJack Miller's profile\n" in printed and "This is you" in printed
    for absent in ("Anna de Vries's digest", *SECTIONS):
        assert f"\n{absent}\n" not in printed
    assert "Your Kring digest" in printed and "Je Kring-overzicht" not in printed
    assert "Run `kring demo --keep DIR` to keep the database" in printed
    assert list(tmp_path.iterdir()) == []  # without --keep, nothing is left behind


def test_person_is_found_by_handle_first_or_full_name_or_id() -> None:
    for name in ("kees", "Kees", "kees mulder", "U0KEES", "  Kees   Mulder "):
        found = find_person(name)
        assert found is not None and found.user_id == "U0KEES"
    assert find_person("Zed") is None


def test_unknown_person_fails_in_one_line_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--person", "zed"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "no one called 'zed'" in captured.err and "anna" in captured.err


@pytest.mark.parametrize("hour", range(0, 24, 3))
def test_the_story_shown_is_the_latest_day_that_is_over(hour: int) -> None:
    now = FRIDAY.replace(hour=hour, minute=37)
    day = story_day(now)
    assert end_of(day) <= now < end_of(day + timedelta(days=1))


def test_the_story_ends_after_every_morning() -> None:
    day = story_day(FRIDAY)
    end = end_of(day)
    for zone in ZONES:
        assert datetime.combine(day, time(9, 0), ZoneInfo(zone)) < end
    assert end.tzinfo is UTC
