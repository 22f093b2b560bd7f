"""Departments from Slack's profile: the workspace's custom profile field for them.

Slack keeps departments in a custom profile field whose id differs per workspace:
``team.profile.get`` lists the fields with their ids and labels, and each person's value is in
``profile.fields[<id>].value`` of ``users.profile.get`` (or of a ``user_change`` event, or of
``users.info`` where Slack includes it). The field is the one labelled Department, Afdeling or
Team, or the one ``KRING_DEPARTMENT_FIELD`` names (a label or an id). Its id is looked up once a
day per workspace (``team_profile_change``, which would say when it changes, is an RTM event
that the Events API does not deliver). Where the workspace has no such field, or a person left
it empty, the department is guessed from the title (``storage.people.department_key``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger(__name__)

# Labels of the department field when KRING_DEPARTMENT_FIELD does not name one, most telling
# first: a workspace with both a Department and a Team field keeps departments in the first.
DEFAULT_LABELS = ("department", "afdeling", "team")
FIELD_MAX_AGE = timedelta(days=1)
# After Slack could not say (a missing scope, an outage), ask again this much later.
RETRY_AFTER = timedelta(minutes=10)


def _label(text: object) -> str:
    return " ".join(str(text or "").split()).casefold()


def choose_field(fields: Iterable[Any], wanted: str | None = None) -> str | None:
    """The id of the department field among ``team.profile.get``'s field definitions.

    ``wanted`` (KRING_DEPARTMENT_FIELD) is a field id or a label; without it the first field
    labelled Department, Afdeling or Team (in that order of preference) is chosen. Labels
    match whatever their case and spacing. None when no field fits.
    """
    defined = [f for f in fields if isinstance(f, Mapping) and f.get("id")]
    defined.sort(key=lambda f: (_ordering(f), str(f["id"])))
    if wanted and wanted.strip():
        exact = [str(f["id"]) for f in defined if str(f["id"]) == wanted.strip()]
        labelled = [str(f["id"]) for f in defined if _label(f.get("label")) == _label(wanted)]
        return (exact + labelled + [None])[0]
    for label in DEFAULT_LABELS:
        for definition in defined:
            if _label(definition.get("label")) == label:
                return str(definition["id"])
    return None


def _ordering(definition: Mapping[str, Any]) -> int:
    try:
        return int(definition.get("ordering") or 0)
    except (TypeError, ValueError):
        return 0


def field_value(profile: object, field_id: str) -> str | None:
    """The value of field ``field_id`` in a profile object (``{"fields": {id: {"value": …}}}``),
    whitespace collapsed; None when the profile carries no custom fields at all.

    Slack leaves out the fields a person left empty, so a profile with other fields but not
    this one says "empty" (""). One without any (``{}``, ``[]``, null or missing, as events
    and users.info often have them) says nothing.
    """
    fields = profile.get("fields") if isinstance(profile, Mapping) else None
    if not isinstance(fields, Mapping) or not fields:
        return None
    entry = fields.get(field_id)
    value = entry.get("value") if isinstance(entry, Mapping) else entry
    return " ".join(str(value or "").split())


@dataclass(frozen=True)
class _Known:
    field_id: str | None  # None: the workspace has no department field
    checked_at: datetime
    answered: bool  # False: Slack could not say; ask again after RETRY_AFTER


@dataclass
class Departments:
    """The department field of each workspace (cached) and people's values in it.

    Each answer is the department field's value for a person ("" when empty, or when the
    workspace has no department field), or None when Slack could not tell just now: the
    stored value is then kept (see ``storage.people.Profile.department``).
    """

    wanted: str | None = None  # KRING_DEPARTMENT_FIELD
    max_age: timedelta = FIELD_MAX_AGE
    _known: dict[str, _Known] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def field_id(self, client: WebClient, team_id: str, now: datetime) -> tuple[bool, str | None]:
        """(known, field id): whether the workspace's fields could be read, and the id of its
        department field (None when it has none)."""
        with self._lock:
            known = self._known.get(team_id)
        wait = self.max_age if known is None or known.answered else RETRY_AFTER
        if known is not None and now - known.checked_at < wait:
            return known.answered, known.field_id
        # Asked outside the lock: two threads may both ask once a day, which is harmless.
        try:
            answer = client.team_profile_get()
        except (SlackClientError, OSError) as exc:
            kept = self._failed(team_id, now, exc)
            return kept.answered, kept.field_id
        profile = answer.get("profile")
        fields = profile.get("fields") if isinstance(profile, Mapping) else None
        chosen = choose_field(fields if isinstance(fields, list) else [], self.wanted)
        if chosen is None and self.wanted:
            log.warning(
                "KRING_DEPARTMENT_FIELD=%r names no profile field of workspace %s: departments "
                "are guessed from titles",
                self.wanted,
                team_id,
            )
        with self._lock:
            self._known[team_id] = _Known(chosen, now, answered=True)
        return True, chosen

    def _failed(self, team_id: str, now: datetime, exc: Exception) -> _Known:
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else str(exc)
        missing = error == "missing_scope"
        hint = " (reinstall the app: it needs the users.profile:read scope)" if missing else ""
        log.warning("team.profile.get failed for %s: %s%s", team_id, error, hint)
        with self._lock:
            previous = self._known.get(team_id)
            # A field id read earlier stays in use while Slack cannot be asked again.
            if previous is not None and previous.answered:
                kept = _Known(previous.field_id, now, answered=True)
            else:
                kept = _Known(None, now, answered=False)
            self._known[team_id] = kept
        return kept

    def from_event(
        self, client: WebClient, team_id: str, user: Mapping[str, Any], now: datetime
    ) -> str | None:
        """A person's department field from the user object of an event (``user_change``):
        only what the event carries, so no Slack call per event."""
        known, field_id = self.field_id(client, team_id, now)
        if not known:
            return None
        if field_id is None:
            return ""
        return field_value(user.get("profile"), field_id)

    def of_user(
        self, client: WebClient, team_id: str, user: Mapping[str, Any], now: datetime
    ) -> str | None:
        """A person's department field: from ``user`` (a users.info or event user object) when
        it carries custom fields, else asked of ``users.profile.get``."""
        known, field_id = self.field_id(client, team_id, now)
        if not known:
            return None
        if field_id is None:
            return ""
        value = field_value(user.get("profile"), field_id)
        if value is not None:
            return value
        user_id = str(user.get("id") or "")
        try:
            answer = client.users_profile_get(user=user_id)
        except (SlackClientError, OSError) as exc:
            error = exc.response.get("error") if isinstance(exc, SlackApiError) else exc
            log.info("users.profile.get failed for %s: %s", user_id, error)
            return None
        # users.profile.get leaves out the custom fields a person left empty.
        return field_value(answer.get("profile"), field_id) or ""
