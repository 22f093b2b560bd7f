"""`/kring opt-out`, `opt-in`, `export` and `forget-me`: people's control over their data."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.calls import Call, Reply
from handlers.deps import Deps
from storage.people import get_people
from storage.privacy import export, forget, set_opted_out
from ui.i18n import language_for, t
from ui.mrkdwn import mrkdwn_name

log = logging.getLogger(__name__)

FORGET_ACTION = "kring_forget_confirm"
FORGET_VALUE = "forget"


# --- opt-out / opt-in --------------------------------------------------------------------------
def cmd_opt_out(call: Call) -> Reply:
    return _opt(call, True, changed="privacy.opted_out", unchanged="privacy.already_opted_out")


def cmd_opt_in(call: Call) -> Reply:
    return _opt(call, False, changed="privacy.opted_in", unchanged="privacy.not_opted_out")


def _opt(call: Call, opted_out: bool, *, changed: str, unchanged: str) -> Reply:
    done = set_opted_out(
        session=call.session,
        team_id=call.asker.team_id,
        user_id=call.asker.user_id,
        opted_out=opted_out,
        now=call.deps.clock(),
    )
    return Reply(call.t(changed if done else unchanged))


# --- export ------------------------------------------------------------------------------------
def cmd_export(call: Call) -> Reply:
    # Plain `/kring export` is slow work (send_export, see handlers.registry) and never gets
    # here; anything after it is a mistake.
    return Reply(call.t("usage.export"))


def send_export(deps: Deps, client: WebClient, *, team_id: str, user_id: str, lang: str) -> str:
    """Upload everything Kring holds about the person to their DM; the sentence to answer with."""
    with deps.sessions.begin() as session:
        data = export(session=session, team_id=team_id, user_id=user_id)
    content = json.dumps(data, ensure_ascii=False, indent=2)
    try:
        opened = client.conversations_open(users=user_id)
        channel = str((opened.get("channel") or {}).get("id") or "")
        client.files_upload_v2(
            channel=channel,
            content=content,
            filename=f"kring-export-{user_id}.json",
            title=t("privacy.export.title", lang),
            initial_comment=t("privacy.export.comment", lang),
        )
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "?")
        log.warning("export upload failed for %s: %s", user_id, error)
        return t("privacy.export.failed", lang, error=mrkdwn_name(error))
    return t("privacy.export.sent", lang)


# --- forget-me ---------------------------------------------------------------------------------
def forget_blocks(lang: str) -> list[dict[str, Any]]:
    """The explanation and the danger button, with Slack's own "are you sure?" dialog."""

    def plain(key: str) -> dict[str, Any]:
        return {"type": "plain_text", "text": t(key, lang)}

    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": t("privacy.forget.explain", lang)}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": FORGET_ACTION,
                    "value": FORGET_VALUE,
                    "style": "danger",
                    "text": plain("privacy.forget.button"),
                    "confirm": {
                        "title": plain("privacy.forget.confirm_title"),
                        "text": plain("privacy.forget.confirm_text"),
                        "confirm": plain("privacy.forget.confirm_yes"),
                        "deny": plain("privacy.forget.confirm_no"),
                        "style": "danger",
                    },
                }
            ],
        },
    ]


def cmd_forget_me(call: Call) -> Reply:
    return Reply(call.t("privacy.forget.explain"), blocks=forget_blocks(call.asker.lang))


def _who(body: dict[str, Any]) -> tuple[str, str]:
    user = body.get("user") or {}
    team = body.get("team") or {}
    return str(team.get("id") or user.get("team_id") or ""), str(user.get("id") or "")


def _lang(deps: Deps, team_id: str, user_id: str) -> str:
    with deps.sessions() as session:
        person = get_people(session=session, team_id=team_id, user_ids=[user_id]).get(user_id)
        return language_for(person.locale, person.language) if person else "en"


def handle_forget_confirm(
    deps: Deps, *, body: dict[str, Any], action: dict[str, Any], respond: Respond
) -> None:
    """The confirmed Forget me button: delete everything, then say what went."""
    team_id, user_id = _who(body)
    if not team_id or not user_id or action.get("value") != FORGET_VALUE:
        return
    lang = _lang(deps, team_id, user_id)  # read first: forgetting clears the language choice
    try:
        with deps.sessions.begin() as session:
            gone = forget(session=session, team_id=team_id, user_id=user_id, now=deps.clock())
    except Exception:
        log.exception("forget failed")
        respond(text=t("error.internal", lang), response_type="ephemeral", replace_original=False)
        return
    respond(
        replace_original=True,
        text=t(
            "privacy.forget.done",
            lang,
            posts=gone.posts,
            reactions=gone.reactions,
            mentions=gone.mentions,
            follows=gone.follows,
            followers=gone.followers,
            mutes=gone.mutes,
            deliveries=gone.digest_deliveries,
        ),
    )


def register(app: App, deps: Deps) -> None:
    def _ack(ack: Ack) -> None:
        ack()

    def _forget(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        handle_forget_confirm(deps, body=body, action=action, respond=respond)

    # Acknowledged at once; the deletes run after it, so a big history never hits Slack's 3 s.
    app.action(FORGET_ACTION)(ack=_ack, lazy=[_forget])
