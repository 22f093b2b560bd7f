"""Departments from the workspace's custom profile field, through the real app.

The stand-in workspace defines custom profile fields as an admin would (team.profile.get) and
people fill them in (users.profile.get, users.info, user_change). Titles are chosen to mislead:
wherever the field is filled in, it wins; where it is not, the title still tells.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

import pytest

from standin.harness import Running, running_kring
from standin.slack import StandinSlack
from storage.models import Person
from tests.e2e.test_admin import ADA, add_admins
from tests.e2e.test_commands import ask
from tests.payloads import event

AFDELING, COST, PHONE = "Xf0AFDELING", "Xf0COST", "Xf0PHONE"
FIEN = "U0FIEN"
_seq = itertools.count(1)


def define_fields(standin: StandinSlack) -> None:
    """A workspace whose departments live in an "Afdeling" field, beside two other fields."""
    standin.add_profile_field(PHONE, "Phone extension", hint="Your desk")
    standin.add_profile_field(
        AFDELING,
        "Afdeling",
        field_type="options_list",
        possible_values=["Finance", "Product", "Marketing", "Sales"],
    )
    standin.add_profile_field(COST, "Cost centre")


def add_fien(standin: StandinSlack) -> None:
    """Fien works in Finance; her title would put her in Engineering."""
    standin.add_user(
        FIEN,
        "fien",
        real_name="Fien de Boer",
        title="Engineer, Engineering",
        fields={AFDELING: "Finance", COST: "CC-7", PHONE: "4411"},
    )


@pytest.fixture
def afdeling(standin: StandinSlack) -> StandinSlack:
    define_fields(standin)
    add_fien(standin)
    return standin


def stored(kring: Running, user_id: str) -> Person:
    with kring.sessions() as session:
        person = session.get(Person, ("T0001", user_id))
        assert person is not None
        session.expunge(person)
        return person


def user_change(kring: Running, user: dict[str, Any] | None) -> None:
    assert user is not None
    assert kring.slack.post_event(event("user_change", user=user)).status == 200


def say(kring: Running, user: str, text: str, *, days_ago: float) -> None:
    ts = f"{time.time() - days_ago * 86400:.0f}.{next(_seq):06d}"
    message = event("message", user=user, text=text, ts=ts, event_ts=ts, channel="C0DESIGN")
    assert kring.slack.post_event(message).status == 200


def profile_of(kring: Running, user_id: str) -> str:
    return ask(kring, f"profile <@{user_id}>")


# --- where the department comes from ----------------------------------------------------------


def test_the_afdeling_field_beats_a_misleading_title(
    kring: Running, afdeling: StandinSlack
) -> None:
    answer = profile_of(kring, FIEN)
    assert f"*<@{FIEN}> — Engineer, Engineering*" in answer
    assert "Department: Finance" in answer
    fien = stored(kring, FIEN)
    assert (fien.department_field, fien.department) == ("Finance", "finance")
    # The field's id is looked up once, not for every person; users.info carried her fields.
    profile_of(kring, "U0BOB")
    assert len(kring.standin.calls("team.profile.get")) == 1
    assert FIEN not in [c.params.get("user") for c in kring.standin.calls("users.profile.get")]


def test_users_profile_get_is_asked_when_users_info_leaves_the_fields_out(
    kring: Running, afdeling: StandinSlack
) -> None:
    afdeling.custom_fields_in_users_info = False
    assert "Department: Finance" in profile_of(kring, FIEN)
    assert FIEN in [c.params.get("user") for c in afdeling.calls("users.profile.get")]


def test_user_change_updates_the_department_and_an_event_without_it_keeps_it(
    kring: Running, afdeling: StandinSlack
) -> None:
    profile_of(kring, FIEN)
    afdeling.set_profile_field(FIEN, AFDELING, "Sales")
    user_change(kring, afdeling.user(FIEN))
    assert stored(kring, FIEN).department == "sales"
    # Slack's user_change often carries no custom fields: the title changes, the field stays.
    moved = event("user_change")["user"] | {"id": FIEN, "name": "fien"}
    moved["profile"] = {"title": "Controller, Engineering", "real_name": "Fien de Boer"}
    user_change(kring, moved)
    fien = stored(kring, FIEN)
    assert (fien.title, fien.department_field, fien.department) == (
        "Controller, Engineering",
        "Sales",
        "sales",
    )
    assert "Department: Sales" in profile_of(kring, "U0FIEN")


@pytest.mark.parametrize("setting", ["cost CENTRE", COST])
def test_kring_department_field_picks_another_field(
    db_url: str, afdeling: StandinSlack, setting: str
) -> None:
    with running_kring(db_url, afdeling, env={"KRING_DEPARTMENT_FIELD": setting}) as kring:
        assert "Department: CC-7" in profile_of(kring, FIEN)
        assert stored(kring, FIEN).department == "cc-7"


def test_a_setting_naming_no_field_falls_back_to_titles(
    db_url: str, afdeling: StandinSlack
) -> None:
    with running_kring(db_url, afdeling, env={"KRING_DEPARTMENT_FIELD": "Division"}) as kring:
        assert "Department: Engineering" in profile_of(kring, FIEN)


def test_without_the_field_the_title_tells(kring: Running, standin: StandinSlack) -> None:
    add_fien(standin)  # the workspace defines no fields: her Finance value means nothing
    standin.add_user("U0ACC", "acc", title="Accountant, Finance")
    assert "Department: Engineering" in profile_of(kring, FIEN)
    assert "Department: Finance" in profile_of(kring, "U0ACC")
    assert stored(kring, "U0ACC").department == "finance"
    assert standin.calls("users.profile.get") == []
    # A title without a department part is not repeated as one.
    assert "Department" not in profile_of(kring, "U0BOB")


def test_an_empty_field_falls_back_to_the_title(kring: Running, afdeling: StandinSlack) -> None:
    afdeling.add_user("U0ACC", "acc", title="Accountant, Finance", fields={COST: "CC-1"})
    assert "Department: Finance" in profile_of(kring, "U0ACC")
    assert stored(kring, "U0ACC").department_field == ""


def test_without_the_scope_titles_still_tell(kring: Running, afdeling: StandinSlack) -> None:
    afdeling.fail_next("team.profile.get", error="missing_scope")
    assert "Department: Engineering" in profile_of(kring, FIEN)
    assert afdeling.calls("users.profile.get") == []


# --- who reads it ------------------------------------------------------------------------------


def product_and_marketing(standin: StandinSlack) -> None:
    """Ann and Bob work in Product whatever their titles say; Eve, a designer like Ann, works
    in Marketing."""
    define_fields(standin)
    standin.add_user("U0ANN", "ann", title="Designer", fields={AFDELING: "Product"})
    standin.add_user("U0BOB", "bob", title="Backend engineer", fields={AFDELING: "Product"})
    standin.add_user("U0EVE", "eve", title="Designer", fields={AFDELING: "Marketing"})


def test_suggestions_cross_departments_by_the_field(kring: Running, standin: StandinSlack) -> None:
    product_and_marketing(standin)
    ask(kring, "follow #design")
    for user in ("U0BOB", "U0EVE"):
        user_change(kring, standin.user(user))
        say(kring, user, "Sketches for the new app #design", days_ago=1)
    answer = ask(kring, "suggest")
    assert "<@U0EVE> — Designer\n_posts about #design · in another department_" in answer
    assert "<@U0BOB> — Backend engineer\n_posts about #design_" in answer
    assert answer.index("<@U0EVE>") < answer.index("<@U0BOB>")


def test_admin_stats_cross_department_share_uses_the_field(
    kring: Running, standin: StandinSlack
) -> None:
    product_and_marketing(standin)
    add_admins(standin)
    ask(kring, "follow <@U0BOB>")  # a designer following a backend engineer, both in Product
    ask(kring, "follow <@U0EVE>", user_id="U0BOB", user_name="bob")  # Product to Marketing
    this_week = ask(kring, "admin stats", **ADA).splitlines()[4]
    assert "across departments 50% (1 of 2)" in this_week


def test_the_welcome_puts_the_newcomers_own_department_first(
    kring: Running, afdeling: StandinSlack
) -> None:
    user_change(kring, afdeling.user(FIEN))
    afdeling.add_user(
        "U0NEW", "nora", title="Product designer, Design", fields={AFDELING: "Finance"}
    )
    for follower in ("U0ANN", "U0CAT"):  # the most followed, but not in Finance
        ask(kring, "follow <@U0BOB>", user_id=follower, user_name=follower.lower())
    join = event("team_join")  # its user object carries no custom fields, as Slack's often not
    assert join["user"]["profile"]["fields"] == {}
    assert kring.slack.post_event(join).status == 200
    [welcome] = [m for m in afdeling.posted_messages() if m.get("channel") == "U0NEW"]
    text = str(welcome["blocks"])
    assert text.index(f"<@{FIEN}>") < text.index("<@U0BOB>")
    assert stored(kring, "U0NEW").department == "finance"
    assert "U0NEW" in [c.params.get("user") for c in afdeling.calls("users.profile.get")]


@pytest.fixture
def dutch(db_url: str, afdeling: StandinSlack) -> Iterator[Running]:
    afdeling.add_user("U0NL", "nl", locale="nl-NL")
    with running_kring(db_url, afdeling) as running:
        yield running


def test_the_profile_says_afdeling_in_dutch(dutch: Running) -> None:
    assert "Afdeling: Finance" in ask(dutch, f"profile <@{FIEN}>", user_id="U0NL", user_name="nl")
