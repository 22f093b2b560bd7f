"""Bounded work per person: the cap on follows, and answers that stay within Slack's limits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from standin.harness import Running
from standin.slack import StandinSlack
from storage.follows import MAX_FOLLOWS, Target, follow, follow_count
from tests.e2e.test_commands import ask
from tests.e2e.test_home import open_home

ANN = {"user_id": "U0ANN", "user_name": "ann"}
SLACK_TEXT_LIMIT = 3000  # a section block's text; Slack truncates long messages well before


def seed_follows(kring: Running, targets: list[Target]) -> None:
    with kring.sessions.begin() as session:
        follow(
            session=session,
            team_id="T0001",
            follower_id="U0ANN",
            targets=targets,
            now=datetime.now(UTC),
        )


def long_tags(count: int) -> list[Target]:
    return [Target("tag", f"{n:04d}" + "x" * 76) for n in range(count)]


def people(count: int) -> list[Target]:
    return [Target("person", f"U9{n:09d}") for n in range(count)]


def texts(value: Any) -> list[str]:
    """Every "text" string anywhere in a Block Kit structure."""
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k == "text" and isinstance(v, str)]
        return found + [s for v in value.values() for s in texts(v)]
    if isinstance(value, list):
        return [s for v in value for s in texts(v)]
    return []


def test_follow_at_the_cap_follows_what_fits_and_says_why_not_the_rest(kring: Running) -> None:
    seed_follows(kring, [Target("tag", f"t{n:04d}") for n in range(MAX_FOLLOWS - 1)])

    answer = ask(kring, "follow #fits #left-out", **ANN)

    assert "You now follow #fits." in answer
    assert "at most 1000 people and tags" in answer
    assert "I didn't follow #left-out" in answer
    assert "/kring unfollow" in answer

    refused = ask(kring, "follow #another", **ANN)
    assert "You now follow" not in refused
    assert "I didn't follow #another" in refused
    with kring.sessions() as session:
        assert follow_count(session=session, team_id="T0001", follower_id="U0ANN") == 1000

    ask(kring, "unfollow #t0000", **ANN)
    assert "You now follow #another." in ask(kring, "follow #another", **ANN)


def test_following_at_the_cap_summarises_within_slacks_limits(kring: Running) -> None:
    seed_follows(kring, people(500) + long_tags(500))

    answer = ask(kring, "following", **ANN)

    assert len(answer) <= SLACK_TEXT_LIMIT
    people_line, tags_line = answer.splitlines()
    assert people_line.startswith("*People you follow (500):* <@U9000000000>")
    assert tags_line.startswith("*Tags you follow (500):* #0000xxx")
    shown_people = people_line.count("<@")
    shown_tags = tags_line.count("#")
    assert people_line.endswith(f"…and {500 - shown_people} more")
    assert tags_line.endswith(f"…and {500 - shown_tags} more")
    assert shown_people > 50 and shown_tags > 10


def test_a_short_following_list_is_shown_whole(kring: Running) -> None:
    seed_follows(kring, people(3) + long_tags(2))
    answer = ask(kring, "following", **ANN)
    assert answer.count("<@") == 3 and answer.count("#") == 2
    assert "more" not in answer


def test_home_at_the_cap_stays_within_slacks_limits(kring: Running, standin: StandinSlack) -> None:
    seed_follows(kring, people(500) + long_tags(500))

    view = open_home(kring)

    assert len(view["blocks"]) <= 100
    assert all(len(text) <= SLACK_TEXT_LIMIT for text in texts(view["blocks"]))
    assert "*You follow (1000)*" in texts(view["blocks"])
