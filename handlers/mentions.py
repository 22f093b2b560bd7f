"""`@Kring …` in a channel runs the same commands as `/kring`, answered in a thread."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from handlers.commands import answer
from handlers.deps import Deps
from handlers.events import team_of
from storage.events import claim_event

BOT_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def command_text(text: str, bot_user_id: str | None) -> str:
    """The command part of a mention: the text without the mentions of Kring itself."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    return text.strip()


def handle_app_mention(
    deps: Deps, *, body: dict[str, Any], client: WebClient, bot_user_id: str | None
) -> None:
    """Answer a mention once, even when Slack delivers the event again."""
    event = body.get("event") or {}
    user_id = event.get("user")
    channel = event.get("channel")
    if not user_id or not channel or event.get("bot_id"):
        return
    team_id = team_of(body)
    event_id = str(body.get("event_id") or f"{channel}:{event.get('ts')}")
    with deps.sessions.begin() as session:
        first = claim_event(session=session, team_id=team_id, event_id=event_id, now=deps.clock())
    if not first:
        return
    reply = answer(
        deps,
        client,
        team_id=team_id,
        user_id=str(user_id),
        text=command_text(str(event.get("text") or ""), bot_user_id),
    )
    client.chat_postMessage(
        channel=str(channel),
        thread_ts=str(event.get("thread_ts") or event.get("ts")),
        text=reply.text,
        blocks=reply.blocks,
    )


def register(app: App, deps: Deps) -> None:
    @app.event("app_mention")
    def _mention(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        handle_app_mention(deps, body=body, client=client, bot_user_id=context.bot_user_id)
