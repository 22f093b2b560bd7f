"""Buttons in digests, answers, the welcome DM and the Home tab (`block_actions`)."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from digests.render import PAUSE_ACTION, SETTINGS_ACTION
from handlers import lookups, registry
from handlers.buttons import toggled
from handlers.calls import Asker, Call, Reply, show
from handlers.deps import Deps
from handlers.digest_commands import digest_reply
from handlers.home import from_home, publish_home
from storage.digests import get_settings, save_settings
from storage.follows import Target, follow, unfollow
from storage.mutes import mute, unmute
from storage.text import normalize_tag
from ui.blocks import (
    FOLLOW_ACTION,
    MAX_BUTTON_VALUE,
    MUTE_ACTION,
    PAGE_ACTION,
    UNFOLLOW_ACTION,
    UNMUTE_ACTION,
)
from ui.i18n import language_for, t

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


def _lang(deps: Deps, client: WebClient, team_id: str, user_id: str) -> str:
    """The clicker's language; their profile (and so their digest's time zone) is fetched from
    Slack when Kring has none yet, as for a command."""
    with deps.sessions.begin() as session:
        person = lookups.people(
            session=session, client=client, team_id=team_id, user_ids=[user_id], now=deps.clock()
        ).get(user_id)
        return language_for(person.locale, person.language) if person else "en"


def _confirm(respond: Respond, text: str) -> None:
    # Ephemeral, and not replacing the digest: the DM stays as it was, nothing new is posted.
    respond(text=text, response_type="ephemeral", replace_original=False)


# action id → the sentence when it changed something, and when it did not
DONE_KEYS = {
    FOLLOW_ACTION: ("action.followed", "action.already"),
    UNFOLLOW_ACTION: ("action.unfollowed", "unfollow.not_following"),
    MUTE_ACTION: ("action.muted", "mute.already"),
    UNMUTE_ACTION: ("action.unmuted", "unmute.not_muted"),
}


def _apply(
    deps: Deps, client: WebClient, team_id: str, user_id: str, action_id: str, target: Target
) -> tuple[bool, str | None]:
    """Carry out one Follow/Unfollow/Mute/Unmute click. Returns (changed, why not: the catalog
    key of the refusal when the target cannot be followed, else None)."""
    now = deps.clock()
    with deps.sessions.begin() as session:
        if action_id == FOLLOW_ACTION:
            if target.kind == "person":
                person = lookups.people(
                    session=session,
                    client=client,
                    team_id=team_id,
                    user_ids=[target.value],
                    now=now,
                ).get(target.value)
                if person is None or person.deleted:
                    return False, "target.deactivated"
            followed = follow(
                session=session, team_id=team_id, follower_id=user_id, targets=[target], now=now
            )
            return bool(followed.new), "follow.refused" if followed.refused else None
        if action_id == UNFOLLOW_ACTION:
            gone, _ = unfollow(
                session=session, team_id=team_id, follower_id=user_id, targets=[target]
            )
            return bool(gone), None
        if action_id == MUTE_ACTION:
            new, _ = mute(
                session=session, team_id=team_id, user_id=user_id, targets=[target], now=now
            )
            return bool(new), None
        gone, _ = unmute(session=session, team_id=team_id, user_id=user_id, targets=[target])
        return bool(gone), None


def _redraw_answer(
    deps: Deps, client: WebClient, body: dict[str, Any], action: dict[str, Any], lang: str
) -> Reply | None:
    """An ephemeral answer (who, trending, profile…) drawn again after a click, or None.

    Its block ids tell which command drew it and for what (see handlers.registry, ``redraw``).
    """
    found = registry.view_of(str(action.get("block_id") or ""))
    if found is None:
        return None
    team_id, user_id = _who(body)
    with deps.sessions.begin() as session:
        call = Call(deps=deps, client=client, session=session, asker=Asker(team_id, user_id, lang))
        return registry.rerender(found[0], found[1], call)


def handle_relation_button(
    deps: Deps, *, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
) -> None:
    """Follow, Unfollow, Mute or Unmute clicked next to a person or tag.

    The clicked message changes in place rather than a new one being posted: the Home tab is
    published again, a DM from Kring gets the opposite button, an ephemeral answer is drawn
    again. A message in a channel is shared with others, so there only the clicker is told.
    """
    team_id, user_id = _who(body)
    lang = _lang(deps, client, team_id, user_id)
    action_id = str(action.get("action_id") or "")
    value = str(action.get("value") or "")
    target = parse_target(value)
    if target is None or (target.kind == "person" and target.value == user_id):
        if not from_home(body):
            _confirm(respond, t("target.self" if target else "error.internal", lang))
        return
    changed, refusal = _apply(deps, client, team_id, user_id, action_id, target)
    gone = refusal is not None
    done, unchanged = DONE_KEYS[action_id]
    if refusal is not None:
        sentence = t(refusal, lang, user=show(target), targets=show(target))
    else:
        sentence = t(
            done if changed else unchanged, lang, target=show(target), targets=show(target)
        )
    # Answered after the transaction: publishing the Home reads in a session of its own.
    if from_home(body):
        publish_home(deps, client, team_id=team_id, user_id=user_id)
        return
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
    if container.get("is_ephemeral"):
        redrawn = _redraw_answer(deps, client, body, action, lang)
        if redrawn is not None:
            respond(text=redrawn.text, blocks=redrawn.blocks, replace_original=True)
            return
    elif channel.startswith("D") and message.get("blocks") and not gone:
        client.chat_update(
            channel=channel,
            ts=str(message.get("ts") or container.get("message_ts")),
            text=str(message.get("text") or ""),
            blocks=toggled(list(message["blocks"]), action_id, value, lang),
        )
        return
    _confirm(respond, sentence)


def handle_page_button(
    deps: Deps, *, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
) -> None:
    """More clicked under an answer with pages: the page its value names, drawn by the view its
    block id names.

    An ephemeral answer is replaced by the page; an answer posted in a channel (asked by
    mentioning Kring) is shared, so the clicker alone gets the page, as a message of its own.
    """
    team_id, user_id = _who(body)
    lang = _lang(deps, client, team_id, user_id)
    found = registry.view_of(str(action.get("block_id") or ""))
    # The value comes back from Slack as Kring wrote it, but a forged one is no bigger.
    value = str(action.get("value") or "")[:MAX_BUTTON_VALUE]
    if found is None or not value:
        _confirm(respond, t("error.internal", lang))
        return
    with deps.sessions.begin() as session:
        call = Call(deps=deps, client=client, session=session, asker=Asker(team_id, user_id, lang))
        page = registry.rerender(found[0], value, call)
    if (body.get("container") or {}).get("is_ephemeral"):
        respond(text=page.text, blocks=page.blocks, replace_original=True)
    else:
        respond(
            text=page.text,
            blocks=page.blocks,
            response_type="ephemeral",
            replace_original=False,
        )


def handle_digest_settings_button(
    deps: Deps, *, body: dict[str, Any], client: WebClient, respond: Respond
) -> None:
    """Show the digest settings (same as `/kring digest`)."""
    team_id, user_id = _who(body)
    lang = _lang(deps, client, team_id, user_id)
    with deps.sessions.begin() as session:
        text = digest_reply(
            deps, client, session, team_id=team_id, user_id=user_id, lang=lang, args=[]
        )
    _confirm(respond, text + "\n" + t("usage.digest", lang))


def handle_digest_off_button(
    deps: Deps, *, body: dict[str, Any], client: WebClient, respond: Respond
) -> None:
    """Pause digests from the digest itself."""
    team_id, user_id = _who(body)
    lang = _lang(deps, client, team_id, user_id)
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
    def _relation(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        handle_relation_button(deps, body=body, action=action, client=client, respond=respond)

    for action_id in DONE_KEYS:
        app.action(action_id)(_relation)

    @app.action(PAGE_ACTION)
    def _page(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        handle_page_button(deps, body=body, action=action, client=client, respond=respond)

    @app.action(SETTINGS_ACTION)
    def _settings(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        handle_digest_settings_button(deps, body=body, client=client, respond=respond)

    @app.action(PAUSE_ACTION)
    def _off(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        handle_digest_off_button(deps, body=body, client=client, respond=respond)
