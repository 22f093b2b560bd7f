"""Event listeners: record posts, edits, deletions, reactions and profiles from Slack events.

Each listener writes before it returns; the app runs with process_before_response, so Slack only
sees a 200 once the write committed, and a failed write answers 500 so that Slack retries.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from handlers import lookups
from handlers.deps import Deps
from handlers.payloads import (
    is_human_message,
    is_public_channel_event,
    new_post,
    profile_from_user,
)
from handlers.welcome import send_welcome
from storage.channels import remember_channel
from storage.people import upsert_profile
from storage.posts import delete_post, edit_post, record_posts, set_reaction
from telemetry.metrics import EVENTS_RECORDED

log = logging.getLogger(__name__)


def team_of(body: dict[str, Any]) -> str:
    return str(body.get("team_id") or body.get("event", {}).get("team") or "")


def handle_message(deps: Deps, *, body: dict[str, Any], client: WebClient) -> None:
    """A `message` event of any subtype from a channel Kring is in."""
    event = body.get("event") or {}
    if not is_public_channel_event(event):
        return
    team_id = team_of(body)
    channel_id = str(event.get("channel") or "")
    subtype = event.get("subtype")
    if subtype == "message_deleted":
        with deps.sessions.begin() as session:
            delete_post(
                session=session,
                team_id=team_id,
                channel_id=channel_id,
                ts=str(event.get("deleted_ts") or ""),
                now=deps.clock(),
            )
        EVENTS_RECORDED.labels("message").inc()
        return
    message = event.get("message") if subtype == "message_changed" else event
    if not isinstance(message, dict) or not message.get("ts"):
        return
    if message.get("subtype") == "tombstone":
        # A thread parent deleted while replies remain: Slack keeps a placeholder.
        with deps.sessions.begin() as session:
            delete_post(
                session=session,
                team_id=team_id,
                channel_id=channel_id,
                ts=str(message["ts"]),
                now=deps.clock(),
            )
        EVENTS_RECORDED.labels("message").inc()
        return
    if not is_human_message(message):
        return

    def names(channel_ids: list[str]) -> dict[str, str]:
        # Only `<#C…>` links without a name need this (rare), so it gets its own session.
        with deps.sessions.begin() as session:
            return lookups.channel_names(
                session=session,
                client=client,
                team_id=team_id,
                channel_ids=channel_ids,
                now=deps.clock(),
            )

    post = new_post(team_id, channel_id, message, names)
    if subtype == "message_changed":
        with deps.sessions.begin() as session:
            edit_post(session=session, post=post)
    elif deps.writer is not None:
        deps.writer.store(post)
    else:
        with deps.sessions.begin() as session:
            record_posts(session=session, posts=[post])
    EVENTS_RECORDED.labels("message").inc()


def handle_reaction(deps: Deps, *, body: dict[str, Any], present: bool) -> None:
    """`reaction_added` / `reaction_removed` on a message Kring recorded."""
    event = body.get("event") or {}
    item = event.get("item") or {}
    if item.get("type") != "message" or not event.get("user") or not event.get("reaction"):
        return
    with deps.sessions.begin() as session:
        set_reaction(
            session=session,
            team_id=team_of(body),
            channel_id=str(item.get("channel") or ""),
            ts=str(item.get("ts") or ""),
            user_id=str(event["user"]),
            name=str(event["reaction"])[:100],
            present=present,
        )
    EVENTS_RECORDED.labels("reaction_added" if present else "reaction_removed").inc()


def handle_user_change(deps: Deps, *, body: dict[str, Any]) -> None:
    """`user_change`: refresh the cached profile (`team_join` also welcomes, see welcome.py)."""
    user = (body.get("event") or {}).get("user")
    if not isinstance(user, dict) or not user.get("id"):
        return
    with deps.sessions.begin() as session:
        upsert_profile(
            session=session,
            team_id=team_of(body),
            profile=profile_from_user(user),
            now=deps.clock(),
        )
    EVENTS_RECORDED.labels("user_change").inc()


def handle_channel_rename(deps: Deps, *, body: dict[str, Any]) -> None:
    """`channel_rename`: keep the cached name (used for `<#C…>` tags) current."""
    channel = (body.get("event") or {}).get("channel") or {}
    if not channel.get("id") or not channel.get("name"):
        return
    with deps.sessions.begin() as session:
        remember_channel(
            session=session,
            team_id=team_of(body),
            channel_id=str(channel["id"]),
            name=str(channel["name"]),
            now=deps.clock(),
        )
    EVENTS_RECORDED.labels("channel_rename").inc()


def ignore(**_: Any) -> None:
    """Events Kring subscribes to but does nothing with yet still get a 200."""


def register(app: App, deps: Deps) -> None:
    @app.event("message")
    def _message(body: dict[str, Any], client: WebClient) -> None:
        handle_message(deps, body=body, client=client)

    @app.event("reaction_added")
    def _reaction_added(body: dict[str, Any]) -> None:
        handle_reaction(deps, body=body, present=True)

    @app.event("reaction_removed")
    def _reaction_removed(body: dict[str, Any]) -> None:
        handle_reaction(deps, body=body, present=False)

    @app.event("user_change")
    def _user_change(body: dict[str, Any]) -> None:
        handle_user_change(deps, body=body)

    @app.event("team_join")
    def _team_join(body: dict[str, Any], client: WebClient) -> None:
        send_welcome(
            deps,
            client,
            team_id=team_of(body),
            user=(body.get("event") or {}).get("user") or {},
            event_id=str(body.get("event_id") or ""),
        )

    @app.event("channel_rename")
    def _channel_rename(body: dict[str, Any]) -> None:
        handle_channel_rename(deps, body=body)

    for name in ("member_joined_channel",):
        app.event(name)(ignore)
