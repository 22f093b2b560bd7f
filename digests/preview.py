"""`kring digest preview`: a person's digest as it would be sent now, without sending it."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from digests.build import Request, build_digests, with_permalinks
from digests.render import render, render_text
from digests.schedule import window_start
from storage.db import read_only
from storage.digests import cached_permalinks, get_settings, last_covered
from storage.people import find_person
from storage.visibility import kept_since
from ui.i18n import language_for


def preview(
    *,
    sessions: sessionmaker[Session],
    user_id: str,
    team_id: str | None,
    now: datetime,
    as_json: bool = False,
    retention_days: int | None = None,
) -> str | None:
    """The digest as text (or Block Kit JSON); None when the person is unknown.

    Reads only: nothing is claimed, sent or cached, and no Slack call is made.
    """
    with read_only(sessions)() as session:
        person = find_person(session=session, user_id=user_id, team_id=team_id)
        if person is None:
            return None
        team = person.team_id
        settings = get_settings(session=session, team_id=team, user_id=user_id)
        last = last_covered(session=session, keys=[(team, user_id)]).get((team, user_id))
        request = Request(
            user_id=user_id,
            since=window_start(now, last, settings.frequency),
            until=now,
            lang=language_for(person.locale),
            weekly=settings.frequency == "weekly",
        )
        digest = build_digests(
            session=session,
            team_id=team,
            requests=[request],
            now=now,
            kept_since=kept_since(now, retention_days),
        )[user_id]
        links = cached_permalinks(
            session=session, team_id=team, messages=[(i.channel_id, i.ts) for i in digest.items]
        )
    digest = with_permalinks(digest, links)
    if as_json:
        text, blocks = render(digest)
        return json.dumps({"text": text, "blocks": blocks}, indent=2, ensure_ascii=False)
    return render_text(digest)
