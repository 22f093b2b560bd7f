"""Buttons in digests and answers (`block_actions`): confirm ephemerally, never post again."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.i18n import language_for, t
from handlers import lookups
from handlers.calls import show
from handlers.deps import Deps
from handlers.digest_commands import digest_reply
from handlers.home import from_home, publish_home
from storage.digests import get_settings, save_settings
from storage.follows import Target, follow
from storage.people import get_people
from storage.text import normalize_tag

log = logging.getLogger(__name__)


def parse_target(value: str) -> Target | None:
    """A button value `person:U123` or `tag:release` as a follow target."""
    kind, _, raw = value.partition(":")
    if kind == "person" and raw[:1] in ("U", "W") and raw.isalnum():
        return Target("person", raw)
    if kind == "tag" and (tag := normalize_tag(raw)):
        return Target("tag", tag)
    return None


def _who(body: dict[str, Any]) -> tuple[str, str]:
    user = body.get("user") or {}
    team = body.get("team") or {}
    return str(team.get("id") or user.get("team_id") or ""), str(user.get("id") or "")


def _lang(deps: Deps, team_id: str, user_id: str) -> str:
    with deps.sessions() as session:
        person = get_people(session=session, team_id=team_id, user_ids=[user_id]).get(user_id)
        return language_for(person.locale, person.language) if person else "en"


def _confirm(respond: Respond, text: str) -> None:
    # Ephemeral, and not replacing the digest: the DM stays as it was, nothing new is posted.
    respond(text=text, response_type="ephemeral", replace_original=False)


def handle_follow_button(
    deps: Deps, *, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
) -> None:
    """One click on Follow next to a person or tag (in a message or on the Home tab)."""
    team_id, user_id = _who(body)
    lang = _lang(deps, team_id, user_id)

    def reply(text: str) -> None:
        # A click on the Home tab has no response_url: the republished Home is the answer.
        if from_home(body):
            publish_home(deps, client, team_id=team_id, user_id=user_id)
        else:
            _confirm(respond, text)

    target = parse_target(str(action.get("value") or ""))
    if target is None or (target.kind == "person" and target.value == user_id):
        reply(t("target.self" if target else "error.internal", lang))
        return
    now = deps.clock()
    gone = False
    new: list[Target] = []
    with deps.sessions.begin() as session:
        if target.kind == "person":
            person = lookups.people(
                session=session, client=client, team_id=team_id, user_ids=[target.value], now=now
            ).get(target.value)
            gone = person is None or person.deleted
        if not gone:
            new, _ = follow(
                session=session, team_id=team_id, follower_id=user_id, targets=[target], now=now
            )
    # Replied after the transaction: publishing the Home reads in a session of its own.
    if gone:
        reply(t("target.deactivated", lang, user=show(target)))
        return
    key = "action.followed" if new else "action.already"
    reply(t(key, lang, target=show(target)))


def handle_digest_settings_button(
    deps: Deps, *, body: dict[str, Any], client: WebClient, respond: Respond
) -> None:
    """Show the digest settings (same as `/kring digest`)."""
    team_id, user_id = _who(body)
    lang = _lang(deps, team_id, user_id)
    with deps.sessions.begin() as session:
        text = digest_reply(
            deps, client, session, team_id=team_id, user_id=user_id, lang=lang, args=[]
        )
    _confirm(respond, text + "\n" + t("usage.digest", lang))


def handle_digest_off_button(deps: Deps, *, body: dict[str, Any], respond: Respond) -> None:
    """Pause digests from the digest itself."""
    team_id, user_id = _who(body)
    lang = _lang(deps, team_id, user_id)
    with deps.sessions.begin() as session:
        current = get_settings(session=session, team_id=team_id, user_id=user_id)
        save_settings(
            session=session,
            team_id=team_id,
            user_id=user_id,
            settings=replace(current, frequency="off"),
            now=deps.clock(),
        )
    _confirm(respond, t("action.digest_off", lang))


def register(app: App, deps: Deps) -> None:
    @app.action("kring_follow")
    def _follow(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        handle_follow_button(deps, body=body, action=action, client=client, respond=respond)

    @app.action("kring_digest_settings")
    def _settings(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        handle_digest_settings_button(deps, body=body, client=client, respond=respond)

    @app.action("kring_digest_off")
    def _off(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        handle_digest_off_button(deps, body=body, respond=respond)
