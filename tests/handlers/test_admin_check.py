"""Admin rights when Slack can't be reached at all: an hour-old confirmation counts, an older
one doesn't."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from handlers.admin import admin_check
from storage.people import Profile, upsert_profile

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def unreachable_slack() -> WebClient:
    """A client for a port nobody listens on: every call fails to connect, without retries."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return WebClient(token="xoxb-1-2-test", base_url=f"http://127.0.0.1:{port}/api/", timeout=2)


@pytest.mark.parametrize(
    ("confirmed_ago", "expected"),
    [(timedelta(minutes=30), "admin"), (timedelta(hours=2), "unconfirmed")],
)
def test_an_unreachable_slack_leaves_only_a_recent_confirmation_standing(
    sessions: sessionmaker[Session], confirmed_ago: timedelta, expected: str
) -> None:
    with sessions.begin() as s:
        upsert_profile(
            session=s,
            team_id="T1",
            profile=Profile("U0ADA", name="ada", is_admin=True),
            now=NOW - confirmed_ago,
        )
    with sessions.begin() as s:
        checked, person = admin_check(
            session=s, client=unreachable_slack(), team_id="T1", user_id="U0ADA", now=NOW
        )
    assert checked == expected
    assert (person is not None) == (expected == "admin")


def test_someone_slack_never_described_is_unconfirmed_not_refused(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        assert admin_check(
            session=s, client=unreachable_slack(), team_id="T1", user_id="U0NEW", now=NOW
        ) == ("unconfirmed", None)
