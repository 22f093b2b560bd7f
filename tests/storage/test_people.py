"""Cached Slack profiles."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from storage.models import Person
from storage.people import Profile, upsert_profile

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def test_two_transactions_storing_the_same_new_person_both_succeed(
    sessions: sessionmaker[Session],
) -> None:
    # Two requests (or instances) look up a newcomer at once: the second must update the row
    # the first inserts, not fail on the primary key and lose its whole command.
    first = sessions()
    first.begin()
    upsert_profile(session=first, team_id="T1", profile=Profile("U1", name="ann"), now=NOW)
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with sessions.begin() as s:
                upsert_profile(
                    session=s,
                    team_id="T1",
                    profile=Profile("U1", name="ann", tz="Europe/London"),
                    now=NOW,
                )
        except Exception as exc:
            errors.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.3)  # the second transaction is now waiting for the first one's row
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert errors == []
    with sessions() as s:
        person = s.get(Person, ("T1", "U1"))
        assert person is not None
        assert (person.name, person.tz) == ("ann", "Europe/London")
