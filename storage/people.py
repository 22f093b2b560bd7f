"""Cached Slack profiles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import insert_ignore
from storage.discovery import department_of, title_department
from storage.models import Person

# The longest department Kring keeps (the column's size).
MAX_DEPARTMENT = 255


@dataclass(frozen=True)
class Profile:
    """A person's Slack profile as plain values (from users.info or user_change)."""

    user_id: str
    name: str = ""
    real_name: str = ""
    display_name: str = ""
    title: str = ""
    tz: str | None = None
    tz_offset: int = 0
    locale: str | None = None
    is_bot: bool = False
    deleted: bool = False
    is_admin: bool = False
    is_owner: bool = False
    # The value of the workspace's department field ("" when empty or when the workspace has
    # no such field); None when this source does not tell, which keeps the stored one.
    department: str | None = None


def clean_department(value: str) -> str:
    """A department value as shown: whitespace collapsed, cut to the column's size."""
    return " ".join(value.split())[:MAX_DEPARTMENT]


def department_key(field: str | None, title: str | None) -> str:
    """The department people are compared by, casefolded: the department field's value, else
    the one guessed from the title (:func:`storage.discovery.department_of`); "" when unknown."""
    value = clean_department(field or "")
    return value.casefold()[:MAX_DEPARTMENT] if value else department_of(title)


def department_label(person: Person | None) -> str:
    """A person's department as written in Slack (the field's value, else the title's
    department part); "" when unknown."""
    if person is None:
        return ""
    return clean_department(person.department_field or "") or title_department(person.title)


# The lengths of the people table's text columns (storage.models.Person).
NAME_LENGTH = 255
TZ_LENGTH = 64
LOCALE_LENGTH = 16


def upsert_profile(*, session: Session, team_id: str, profile: Profile, now: datetime) -> Person:
    """Store or refresh a person's cached profile.

    A locale missing from the profile (user_change events carry none) keeps the cached one, and
    so does a department field the profile does not tell; the department is then worked out
    again from the field and the (new) title.
    Someone forgotten (`/kring forget-me`) keeps only the marker: of the profile just the
    bot and deactivated flags are kept, which decide where they may appear.
    """
    key = (team_id, profile.user_id)
    person = session.get(Person, key)
    if person is None:
        # Another request or instance may be storing this person at this moment (two people
        # following a newcomer at once, a post naming them): insert-or-skip, then load the
        # row, so the slower one updates it instead of failing on the primary key.
        session.execute(
            insert_ignore(session, Person).values(team_id=team_id, user_id=profile.user_id)
        )
        person = session.get(Person, key)
        if person is None:
            raise RuntimeError(f"the profile row of {profile.user_id} could not be stored")
    if person.forgotten:
        person.department_field = None
        person.department = ""
        person.is_bot = profile.is_bot
        person.deleted = profile.deleted
        person.fetched_at = now
        session.flush()
        return person
    # Slack's profile fields may be longer than the columns (PostgreSQL refuses what SQLite
    # would keep): cut to fit, as these are shown clipped anyway.
    person.name = profile.name[:NAME_LENGTH]
    person.real_name = profile.real_name[:NAME_LENGTH]
    person.display_name = profile.display_name[:NAME_LENGTH]
    person.title = profile.title[:NAME_LENGTH]
    person.tz = profile.tz[:TZ_LENGTH] if profile.tz is not None else None
    person.tz_offset = profile.tz_offset
    if profile.locale is not None:
        person.locale = profile.locale[:LOCALE_LENGTH]
    person.is_bot = profile.is_bot
    person.deleted = profile.deleted
    person.is_admin = profile.is_admin
    person.is_owner = profile.is_owner
    if profile.department is not None:
        person.department_field = clean_department(profile.department)
    person.department = department_key(person.department_field, person.title)
    person.fetched_at = now
    session.flush()
    return person


def get_person(*, session: Session, team_id: str, user_id: str) -> Person | None:
    """A person's cached profile, or None when Kring has never seen them."""
    return session.get(Person, (team_id, user_id))


def find_person(*, session: Session, user_id: str, team_id: str | None = None) -> Person | None:
    """The person with this user id, in ``team_id`` when given (else in whichever workspace
    has one: user ids are unique across Slack)."""
    query = select(Person).where(Person.user_id == user_id)
    if team_id:
        query = query.where(Person.team_id == team_id)
    return session.scalars(query).first()


def get_people(*, session: Session, team_id: str, user_ids: Iterable[str]) -> dict[str, Person]:
    """The cached profiles among ``user_ids``, keyed by user id."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = session.scalars(select(Person).where(Person.team_id == team_id, Person.user_id.in_(ids)))
    return {p.user_id: p for p in rows}


def titles_of(*, session: Session, team_id: str, user_ids: Iterable[str]) -> dict[str, str]:
    """The job titles of the known people among ``user_ids``, keyed by user id."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Person.user_id, Person.title).where(
            Person.team_id == team_id, Person.user_id.in_(ids)
        )
    )
    return {uid: title for uid, title in rows}


def set_language(*, session: Session, team_id: str, user_id: str, language: str | None) -> Person:
    """Store the language someone chose (None: follow their Slack locale again)."""
    person = session.get(Person, (team_id, user_id))
    if person is None:  # their profile is normally stored first; a row exists unless Slack failed
        person = Person(team_id=team_id, user_id=user_id)
        session.add(person)
    person.language = language
    session.flush()
    return person


def ensure_known(*, session: Session, team_id: str, user_ids: Iterable[str]) -> None:
    """Make sure a row exists for each id (profile fetched later), without touching known ones."""
    rows = [{"team_id": team_id, "user_id": uid} for uid in sorted(set(user_ids))]
    if rows:
        session.execute(insert_ignore(session, Person), rows)


def display(person: Person | None, user_id: str) -> str:
    """The name to show for a person: display name, else real name, else handle, else the id."""
    if person is None:
        return user_id
    return person.display_name or person.real_name or person.name or user_id
