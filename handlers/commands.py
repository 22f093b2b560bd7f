"""The `/kring` slash command: read the text against the registry, answer it.

The subcommands themselves and everything about them are in handlers.registry; this module
only dispatches. A mention of @Kring (handlers.mentions) is answered through :func:`answer` too.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers import lookups, registry
from handlers.calls import Asker, Call, Reply
from handlers.deps import Deps
from handlers.payloads import clean_text
from handlers.targets import shorten
from storage.people import get_people
from ui.i18n import language_for, t

log = logging.getLogger(__name__)

MAX_TEXT = 2000


def run_command(deps: Deps, client: WebClient, *, team_id: str, user_id: str, text: str) -> Reply:
    """Answer one command text for one person; the whole command is one transaction."""
    asked = registry.read(text)
    with deps.sessions.begin() as session:
        # The asker's own profile gives their language and the time zone of their digest.
        person = lookups.people(
            session=session,
            client=client,
            team_id=team_id,
            user_ids=[user_id],
            now=deps.clock(),
            departments=deps.departments,
        ).get(user_id)
        asker = Asker(
            team_id, user_id, language_for(person.locale, person.language) if person else "en"
        )
        length = len(clean_text(text).strip())
        if length > MAX_TEXT:
            return Reply(t("error.too_long", asker.lang, length=length, limit=MAX_TEXT))
        if not asked.word:
            return Reply(registry.help_text(asker.lang))
        if asked.command is None:
            unknown = t("error.unknown_command", asker.lang, command=shorten(asked.word))
            return Reply(unknown + "\n\n" + registry.help_text(asker.lang))
        if asked.wants_usage:
            return Reply(t(asked.command.usage, asker.lang))
        call = Call(deps=deps, client=client, session=session, asker=asker, args=asked.args)
        return asked.command.handler(call)


def answer(deps: Deps, client: WebClient, *, team_id: str, user_id: str, text: str) -> Reply:
    """The reply to any command text; a failure becomes a friendly apology, never silence."""
    try:
        slow = registry.read(text).slow
        if slow is not None:
            # Runs outside run_command's transaction: it opens its own per step.
            lang = asker_language(deps, team_id, user_id)
            return Reply(slow.work(deps, client, team_id=team_id, user_id=user_id, lang=lang))
        return run_command(deps, client, team_id=team_id, user_id=user_id, text=text)
    except Exception:
        log.exception("command failed")
        return Reply(t("error.internal", asker_language(deps, team_id, user_id)))


def after_answer(deps: Deps, client: WebClient, *, team_id: str, user_id: str, text: str) -> None:
    """What the command still does once its answer is out (`admin stats` sends its chart).

    Runs after Slack's acknowledgement (the slash command's lazy listener, or after the reply
    to a mention), so an upload can take its time. Never raises.
    """
    asked = registry.read(text)
    if asked.command is None or asked.command.after is None or asked.wants_usage:
        return
    try:
        asked.command.after(deps, client, team_id=team_id, user_id=user_id, args=asked.args)
    except Exception:
        log.exception("%s: the work after the answer failed", asked.command.name)


def asker_language(deps: Deps, team_id: str, user_id: str) -> str:
    """The asker's language from the cached profile; English when even that cannot be read."""
    try:
        with deps.sessions() as session:
            people = get_people(session=session, team_id=team_id, user_ids=[user_id])
    except Exception:
        return "en"
    person = people.get(user_id)
    return language_for(person.locale, person.language) if person else "en"


def _ids(body: dict[str, Any]) -> tuple[str, str, str]:
    """(team id, user id, text) of a slash command payload."""
    return (
        str(body.get("team_id") or ""),
        str(body.get("user_id") or ""),
        str(body.get("text") or ""),
    )


def handle_kring_command(deps: Deps, *, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """The `/kring` slash command: the answer is the (ephemeral) acknowledgement itself; slow
    work is only announced here and answered by :func:`finish_slow_command`."""
    team_id, user_id, text = _ids(body)
    slow = registry.read(text).slow
    if slow is not None:
        lang = asker_language(deps, team_id, user_id)
        ack(text=t(slow.started, lang), response_type="ephemeral")
        return
    reply = answer(deps, client, team_id=team_id, user_id=user_id, text=text)
    ack(text=reply.text, blocks=reply.blocks, response_type="ephemeral")


def finish_slow_command(
    deps: Deps, *, body: dict[str, Any], client: WebClient, respond: Respond
) -> None:
    """The second half of every command, after Slack's acknowledgement: what it still does
    after answering, and slow work, answered through response_url."""
    team_id, user_id, text = _ids(body)
    after_answer(deps, client, team_id=team_id, user_id=user_id, text=text)
    if registry.read(text).slow is None:
        return
    reply = answer(deps, client, team_id=team_id, user_id=user_id, text=text)
    respond(text=reply.text, response_type="ephemeral", replace_original=False)


def register(app: App, deps: Deps) -> None:
    def _ack(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        handle_kring_command(deps, ack=ack, body=body, client=client)

    def _later(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        finish_slow_command(deps, body=body, client=client, respond=respond)

    app.command("/kring")(ack=_ack, lazy=[_later])
