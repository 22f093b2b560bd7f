"""`@Kring …` in a channel runs the same commands as `/kring`, answered in a thread.

Answers that are about the asker alone (what they follow or muted, their settings, their
suggestions: the commands marked ``personal`` in handlers.registry) go to them only, as an
ephemeral message: the channel sees what it could see anyway.
"""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from handlers import registry
from handlers.calls import Reply, is_word
from handlers.commands import after_answer, answer
from handlers.deps import Deps
from handlers.events import team_of
from storage.events import claim_event
from storage.people import display, get_people
from ui.mrkdwn import mrkdwn_name

BOT_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def command_text(text: str, bot_user_id: str | None) -> str:
    """The command part of a mention: the text without the mentions of Kring itself, and a
    question such as "who knows about #design?" reduced to its command (`who #design`)."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    words = text.strip().rstrip("?!. ").split()
    who = registry.named("who")
    if words and registry.find(words[0]) is who:
        rest = [w for w in words[1:] if not is_word(w, "input.question_words")]
        return " ".join([who.name, *rest])
    return " ".join(words)


def without_pings(value: Any, names: dict[str, str]) -> Any:
    """The reply with every `<@U…>` written as a plain name: an answer posted in a channel must
    not notify the people it lists. A name is someone's own words, made inert."""
    if isinstance(value, str):
        return BOT_MENTION.sub(lambda m: mrkdwn_name(names.get(m.group(1), m.group(1))), value)
    if isinstance(value, list):
        return [without_pings(v, names) for v in value]
    if isinstance(value, dict):
        return {k: without_pings(v, names) for k, v in value.items()}
    return value


def _names(deps: Deps, team_id: str, reply: Reply) -> dict[str, str]:
    ids = set(BOT_MENTION.findall(reply.text))
    ids |= set(BOT_MENTION.findall(json.dumps(reply.blocks or [])))
    with deps.sessions() as session:
        people = get_people(session=session, team_id=team_id, user_ids=ids)
    return {uid: display(people.get(uid), uid) for uid in ids}


def is_personal(command: str) -> bool:
    """Commands whose answer concerns only the asker, so it is not shown to the channel."""
    asked = registry.read(command).command
    return asked is not None and asked.personal


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
    command = command_text(str(event.get("text") or ""), bot_user_id)
    reply = answer(deps, client, team_id=team_id, user_id=str(user_id), text=command)
    thread_ts = str(event.get("thread_ts") or event.get("ts"))
    if is_personal(command):
        client.chat_postEphemeral(
            channel=str(channel),
            user=str(user_id),
            thread_ts=thread_ts,
            text=reply.text,
            blocks=reply.blocks,
        )
    else:
        names = _names(deps, team_id, reply)
        client.chat_postMessage(
            channel=str(channel),
            thread_ts=thread_ts,
            text=without_pings(reply.text, names),
            blocks=without_pings(reply.blocks, names),
        )
    after_answer(deps, client, team_id=team_id, user_id=str(user_id), text=command)


def register(app: App, deps: Deps) -> None:
    @app.event("app_mention")
    def _mention(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        handle_app_mention(deps, body=body, client=client, bot_user_id=context.bot_user_id)
