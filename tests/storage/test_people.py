"""Cached Slack profiles."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Person
from storage.people import (
    MAX_DEPARTMENT,
    Profile,
    department_key,
    department_label,
    find_person,
    get_person,
    set_language,
    titles_of,
    upsert_profile,
)

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


def test_a_language_chosen_by_someone_never_seen_stores_their_row(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        assert get_person(session=s, team_id="T1", user_id="U1") is None
        set_language(session=s, team_id="T1", user_id="U1", language="nl")
    with sessions.begin() as s:
        person = get_person(session=s, team_id="T1", user_id="U1")
        assert person is not None and person.language == "nl"
        set_language(session=s, team_id="T1", user_id="U1", language=None)
    with sessions.begin() as s:
        person = get_person(session=s, team_id="T1", user_id="U1")
        assert person is not None and person.language is None


def test_find_person_looks_in_the_given_workspace_only(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        upsert_profile(session=s, team_id="T2", profile=Profile("U1", name="ann"), now=NOW)
    with sessions.begin() as s:
        found = find_person(session=s, user_id="U1")
        assert found is not None and found.team_id == "T2"
        assert find_person(session=s, user_id="U1", team_id="T1") is None
        assert find_person(session=s, user_id="U9") is None


def test_titles_of_leaves_out_people_not_known(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        upsert_profile(session=s, team_id="T1", profile=Profile("U1", title="Designer"), now=NOW)
        upsert_profile(session=s, team_id="T2", profile=Profile("U2", title="Sales"), now=NOW)
    with sessions.begin() as s:
        assert titles_of(session=s, team_id="T1", user_ids=["U1", "U2", "U3"]) == {"U1": "Designer"}
        assert titles_of(session=s, team_id="T1", user_ids=[]) == {}


@pytest.mark.parametrize(
    ("field", "title", "key", "label"),
    [
        ("Finance", "Engineer, Engineering", "finance", "Finance"),
        ("  Customer\tCare ", "", "customer care", "Customer Care"),
        ("", "Accountant, Finance", "finance", "Finance"),
        (None, "Backend engineer - Platform  Team", "platform team", "Platform Team"),
        (None, "Designer", "designer", "Designer"),
        (None, "", "", ""),
        ("Straße", "", "strasse", "Straße"),
    ],
)
def test_the_department_is_the_field_else_the_title(
    field: str | None, title: str, key: str, label: str
) -> None:
    assert department_key(field, title) == key
    assert department_label(Person(title=title, department_field=field)) == label


def test_a_profile_that_does_not_tell_the_department_keeps_the_stored_one(
    sessions: sessionmaker[Session],
) -> None:
    def store(**values: Any) -> Person:
        with sessions.begin() as s:
            person = upsert_profile(
                session=s, team_id="T1", profile=Profile("U1", **values), now=NOW
            )
            s.expunge(person)
            return person

    assert store(title="Engineer, Engineering").department == "engineering"
    assert store(title="Engineer, Engineering", department="Finance").department == "finance"
    moved = store(title="Controller, Operations")  # a user_change without custom fields
    assert (moved.department_field, moved.department) == ("Finance", "finance")
    emptied = store(title="Controller, Operations", department="")
    assert (emptied.department_field, emptied.department) == ("", "operations")
    assert store(department="x" * 300).department_field == "x" * MAX_DEPARTMENT


def test_profile_fields_longer_than_the_columns_are_stored_cut(
    sessions: sessionmaker[Session],
) -> None:
    long = Profile(
        "ULONG",
        name="n" * 300,
        real_name="r" * 300,
        display_name="😀" * 300,
        title="Engineer, " + "t" * 400,
        tz="Europe/" + "x" * 100,
        locale="en-" + "X" * 30,
    )
    with sessions.begin() as s:
        upsert_profile(session=s, team_id="T1", profile=long, now=NOW)
    with sessions.begin() as s:
        person = s.get(Person, ("T1", "ULONG"))
        assert person is not None
        assert (len(person.name), len(person.display_name), len(person.title)) == (255, 255, 255)
        assert person.display_name == "😀" * 255
        assert len(person.tz or "") == 64 and len(person.locale or "") == 16
