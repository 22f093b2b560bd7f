"""Which profile field holds departments, a person's value in it, and the per-team cache."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient

from handlers.departments import RETRY_AFTER, Departments, choose_field, field_value
from standin.slack import StandinSlack

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def definition(field_id: str, label: str, ordering: int = 0) -> dict[str, Any]:
    return {"id": field_id, "label": label, "ordering": ordering, "type": "text"}


WORKSPACE = [
    definition("Xf1", "Phone extension", 0),
    definition("Xf2", " TEAM ", 1),
    definition("Xf3", "Afdeling", 2),
    definition("Xf4", "Cost centre", 3),
]


@pytest.mark.parametrize(
    ("fields", "wanted", "chosen"),
    [
        (WORKSPACE, None, "Xf3"),  # Afdeling is more telling than Team
        ([*WORKSPACE, definition("Xf5", "department", 4)], None, "Xf5"),
        (WORKSPACE[:2], None, "Xf2"),  # labels match whatever their case and spacing
        (WORKSPACE, "cost  CENTRE", "Xf4"),
        (WORKSPACE, "Xf1", "Xf1"),
        (WORKSPACE, "Division", None),  # named but absent: no guessing another field
        ([definition("Xf1", "Phone")], None, None),
        ([], None, None),
        ([{"label": "Department"}, "junk", None], None, None),  # definitions without an id
    ],
)
def test_the_department_field_is_chosen_by_label_or_setting(
    fields: list[Any], wanted: str | None, chosen: str | None
) -> None:
    assert choose_field(fields, wanted) == chosen


@pytest.mark.parametrize(
    ("profile", "value"),
    [
        ({"fields": {"Xf3": {"value": "  Finance \n", "alt": ""}}}, "Finance"),
        ({"fields": {"Xf3": {"value": "Customer   Care"}}}, "Customer Care"),
        ({"fields": {"Xf1": {"value": "4411", "alt": ""}}}, ""),  # others filled in, not this
        ({"fields": {"Xf3": {"value": None}}}, ""),
        ({"fields": {}}, None),  # says nothing, as user_change often does
        ({"fields": []}, None),
        ({"fields": None}, None),
        ({"title": "Engineer"}, None),
        (None, None),
    ],
)
def test_a_persons_value_is_read_from_the_profile(profile: object, value: str | None) -> None:
    assert field_value(profile, "Xf3") == value


@pytest.fixture
def standin() -> Iterator[StandinSlack]:
    with StandinSlack() as slack:
        slack.add_profile_field("Xf3", "Afdeling")
        slack.add_user("U1", "fien", fields={"Xf3": "Finance"})
        slack.add_user("U2", "bob")
        yield slack


@pytest.fixture
def client(standin: StandinSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=standin.url)


def test_the_field_id_is_asked_once_a_day_per_team(
    standin: StandinSlack, client: WebClient
) -> None:
    departments = Departments()
    assert departments.field_id(client, "T1", NOW) == (True, "Xf3")
    assert departments.field_id(client, "T1", NOW + timedelta(hours=23)) == (True, "Xf3")
    assert len(standin.calls("team.profile.get")) == 1
    departments.field_id(client, "T2", NOW)
    standin.add_profile_field("Xf3", "Hobby")  # renamed by an admin
    assert departments.field_id(client, "T1", NOW + timedelta(days=1)) == (True, None)
    assert len(standin.calls("team.profile.get")) == 3


def test_when_slack_cannot_say_it_is_asked_again_a_little_later(
    standin: StandinSlack, client: WebClient
) -> None:
    departments = Departments()
    standin.fail_next("team.profile.get", error="missing_scope")
    assert departments.field_id(client, "T1", NOW) == (False, None)
    assert departments.field_id(client, "T1", NOW + RETRY_AFTER / 2) == (False, None)
    assert departments.field_id(client, "T1", NOW + RETRY_AFTER) == (True, "Xf3")
    assert len(standin.calls("team.profile.get")) == 2


def test_a_field_read_before_stays_in_use_while_slack_is_down(
    standin: StandinSlack, client: WebClient
) -> None:
    departments = Departments()
    departments.field_id(client, "T1", NOW)
    standin.fail_next("team.profile.get", status=500, times=3)
    assert departments.field_id(client, "T1", NOW + timedelta(days=2)) == (True, "Xf3")


def test_a_persons_department_comes_from_their_user_object_or_users_profile_get(
    standin: StandinSlack, client: WebClient
) -> None:
    departments = Departments()
    fien = {"id": "U1", "profile": {"fields": {"Xf3": {"value": "Sales", "alt": ""}}}}
    assert departments.of_user(client, "T1", fien, NOW) == "Sales"
    assert standin.calls("users.profile.get") == []
    assert departments.of_user(client, "T1", {"id": "U1", "profile": {}}, NOW) == "Finance"
    assert departments.of_user(client, "T1", {"id": "U2"}, NOW) == ""  # left empty
    standin.fail_next("users.profile.get", error="ratelimited")
    assert departments.of_user(client, "T1", {"id": "U1"}, NOW) is None  # keep what is stored
    # An event is only read, never followed by a call per person.
    assert departments.from_event(client, "T1", {"id": "U1", "profile": {}}, NOW) is None
    assert departments.from_event(client, "T1", fien, NOW) == "Sales"
    assert len(standin.calls("users.profile.get")) == 3


def test_without_a_department_field_everyone_is_left_to_their_title(
    standin: StandinSlack, client: WebClient
) -> None:
    departments = Departments(wanted="Division")
    assert departments.of_user(client, "T1", {"id": "U1"}, NOW) == ""
    assert departments.from_event(client, "T1", {"id": "U1"}, NOW) == ""
    assert standin.calls("users.profile.get") == []
