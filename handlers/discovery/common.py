"""What the discovery answers share: the asker's follows, fresh-enough profiles, Follow buttons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from handlers import lookups
from handlers.calls import Call
from storage.follows import Target, following
from storage.models import Person
from ui import blocks
from ui.blocks import FOLLOW_ACTION, Button

# Lists show up to 30 people; their titles need not be fresher than this, because user_change
# events keep cached profiles current, and 30 users.info calls would not fit in 3 seconds.
LIST_PROFILE_MAX_AGE = timedelta(days=7)

answer = blocks.answer


def follows(call: Call) -> set[Target]:
    """Everyone and every tag the asker follows."""
    return set(
        following(session=call.session, team_id=call.asker.team_id, follower_id=call.asker.user_id)
    )


def people(
    call: Call, user_ids: Sequence[str], max_age: timedelta = LIST_PROFILE_MAX_AGE
) -> dict[str, Person]:
    """Profiles of ``user_ids``, asked of Slack only when the cached one is older than
    ``max_age``."""
    return lookups.people(
        session=call.session,
        client=call.client,
        team_id=call.asker.team_id,
        user_ids=user_ids,
        now=call.deps.clock(),
        max_age=max_age,
        departments=call.deps.departments,
    )


def active(found: dict[str, Person], user_id: str) -> bool:
    """Whether to show someone: only known leavers and bots are left out."""
    # Someone Slack could not describe just now is still shown.
    person = found.get(user_id)
    return person is None or not (person.deleted or person.is_bot)


def title_of(person: Person | None) -> str:
    return person.title if person is not None else ""


def follow_button(call: Call, target: Target, followed: set[Target], key: str) -> Button | None:
    """Follow, unless it is the asker or already followed (lists then show nothing)."""
    if target in followed or (target.kind == "person" and target.value == call.asker.user_id):
        return None
    return Button(FOLLOW_ACTION, call.t(key), f"{target.kind}:{target.value}")
