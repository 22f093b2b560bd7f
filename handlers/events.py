"""Event listeners: record posts, edits, deletions, reactions and profiles from Slack events.

Each listener writes before it returns; the app runs with process_before_response, so Slack only
sees a 200 once the write committed, and a failed write answers 500 so that Slack retries.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from handlers import lookups
from handlers.deps import Deps
from handlers.payloads import (
    JOINED_PRIVATE,
    JOINED_PUBLIC,
    closes_channel,
    is_public_channel_event,
    post_from_message,
    profile_from_user,
    reopens_channel,
    slack_id,
)
from handlers.welcome import send_welcome
from storage.channels import (
    DELETED,
    LEFT,
    PRIVATE,
    close_channel,
    move_channel,
    remember_channel,
    reopen_channel,
)
from storage.people import upsert_profile
from storage.posts import delete_post, edit_post, record_posts, set_reaction
from telemetry.metrics import EVENTS_RECORDED

log = logging.getLogger(__name__)


def team_of(body: dict[str, Any]) -> str:
    return str(body.get("team_id") or body.get("event", {}).get("team") or "")


def handle_message(deps: Deps, *, body: dict[str, Any], client: WebClient) -> None:
    """A `message` event of any subtype from a channel Kring is in."""
    event = body.get("event") or {}
    if handle_visibility_message(deps, body=body):
        return
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
    post = post_from_message(
        team_id,
        channel_id,
        message,
        lookups.names_lookup(
            sessions=deps.sessions, client=client, team_id=team_id, clock=deps.clock
        ),
    )
    if post is None:
        return
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


def handle_user_change(deps: Deps, *, body: dict[str, Any], client: WebClient) -> None:
    """`user_change`: refresh the cached profile (`team_join` also welcomes, see welcome.py),
    with the department field when the event carries it."""
    user = (body.get("event") or {}).get("user")
    if not isinstance(user, dict) or not user.get("id"):
        return
    team_id, now = team_of(body), deps.clock()
    profile = profile_from_user(user)
    if not (profile.is_bot or profile.deleted):
        department = deps.departments.from_event(client, team_id, user, now)
        profile = replace(profile, department=department)
    with deps.sessions.begin() as session:
        upsert_profile(session=session, team_id=team_id, profile=profile, now=now)
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


def close(deps: Deps, *, body: dict[str, Any], channel_id: str | None, reason: str) -> None:
    """The channel left Kring's public view: its posts go, and posts from it stay out."""
    if channel_id is None:
        return
    team_id = team_of(body)
    with deps.sessions.begin() as session:
        posts = close_channel(
            session=session,
            team_id=team_id,
            channel_id=channel_id,
            reason=reason,
            now=deps.clock(),
        )
    log.info("channel %s/%s closed (%s): %d posts deleted", team_id, channel_id, reason, posts)


def reopen(deps: Deps, *, body: dict[str, Any], channel_id: str | None) -> None:
    """Kring is in the channel and it is public: record it (again) from now on."""
    if channel_id is None:
        return
    team_id = team_of(body)
    with deps.sessions.begin() as session:
        reopened = reopen_channel(session=session, team_id=team_id, channel_id=channel_id)
    if reopened:
        log.info("channel %s/%s is public and Kring is in it again: recording", team_id, channel_id)


def handle_visibility_message(deps: Deps, *, body: dict[str, Any]) -> bool:
    """A `message` event that says its channel stopped (or started) being public; True when it
    was one, and so needs nothing else.

    After `channel_convert_to_private` Slack describes the channel's messages with channel
    type `group`: any of them (a deletion, say) closes it too, so nothing Kring holds from it
    outlives a conversion it did not hear of.
    """
    event = body.get("event") or {}
    channel_id = slack_id(event.get("channel"))
    if closes_channel(event):
        close(deps, body=body, channel_id=channel_id, reason=PRIVATE)
        return True
    if reopens_channel(event):
        reopen(deps, body=body, channel_id=channel_id)
        return True
    return False


def handle_member_joined(
    deps: Deps, *, body: dict[str, Any], bot_user_id: str | None, client: WebClient
) -> None:
    """`member_joined_channel`: only Kring's own joins matter. Invited to a public channel, it
    records it (again) and imports its recent history in the background; invited to a private
    one, it keeps it closed."""
    event = body.get("event") or {}
    if not bot_user_id or event.get("user") != bot_user_id:
        return
    channel_id = slack_id(event.get("channel"))
    if event.get("channel_type") == JOINED_PUBLIC:
        reopen(deps, body=body, channel_id=channel_id)
        if channel_id is not None:
            # Its name, so that `/kring follow #name` finds the channel.
            with deps.sessions.begin() as session:
                lookups.channel_names(
                    session=session,
                    client=client,
                    team_id=team_of(body),
                    channel_ids=[channel_id],
                    now=deps.clock(),
                )
            deps.backfills.start(
                sessions=deps.sessions,
                client=client,
                clock=deps.clock,
                team_id=team_of(body),
                channel_id=channel_id,
            )
    elif event.get("channel_type") == JOINED_PRIVATE:
        close(deps, body=body, channel_id=channel_id, reason=PRIVATE)


def handle_member_left(deps: Deps, *, body: dict[str, Any], bot_user_id: str | None) -> None:
    """`member_left_channel` of Kring itself: removed, like `channel_left`."""
    event = body.get("event") or {}
    if bot_user_id and event.get("user") == bot_user_id:
        close(deps, body=body, channel_id=slack_id(event.get("channel")), reason=LEFT)


def handle_channel_gone(deps: Deps, *, body: dict[str, Any], reason: str) -> None:
    """`channel_left` (Kring was removed) or `channel_deleted`."""
    event = body.get("event") or {}
    close(deps, body=body, channel_id=slack_id(event.get("channel")), reason=reason)


def handle_channel_archive(*, body: dict[str, Any], archived: bool) -> None:
    """`channel_archive` / `channel_unarchive`: an archived public channel stays readable in
    Slack, so its posts stay; nothing to change either way."""
    channel_id = slack_id((body.get("event") or {}).get("channel"))
    log.info(
        "channel %s/%s %s", team_of(body), channel_id, "archived" if archived else "unarchived"
    )


def handle_channel_id_changed(deps: Deps, *, body: dict[str, Any]) -> None:
    """`channel_id_changed`: what Kring holds about the channel moves to its new id."""
    event = body.get("event") or {}
    old_id, new_id = slack_id(event.get("old_channel_id")), slack_id(event.get("new_channel_id"))
    if old_id is None or new_id is None:
        return
    with deps.sessions.begin() as session:
        move_channel(session=session, team_id=team_of(body), old_id=old_id, new_id=new_id)


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
    def _user_change(body: dict[str, Any], client: WebClient) -> None:
        handle_user_change(deps, body=body, client=client)

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

    register_channel_lifecycle(app, deps)


def register_channel_lifecycle(app: App, deps: Deps) -> None:
    """Listeners for channels leaving (or coming back into) Kring's public view."""

    @app.event("member_joined_channel")
    def _member_joined(body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        handle_member_joined(deps, body=body, bot_user_id=context.bot_user_id, client=client)

    @app.event("member_left_channel")
    def _member_left(body: dict[str, Any], context: BoltContext) -> None:
        handle_member_left(deps, body=body, bot_user_id=context.bot_user_id)

    @app.event("channel_left")
    def _channel_left(body: dict[str, Any]) -> None:
        handle_channel_gone(deps, body=body, reason=LEFT)

    @app.event("channel_deleted")
    def _channel_deleted(body: dict[str, Any]) -> None:
        handle_channel_gone(deps, body=body, reason=DELETED)

    @app.event("channel_archive")
    def _channel_archive(body: dict[str, Any]) -> None:
        handle_channel_archive(body=body, archived=True)

    @app.event("channel_unarchive")
    def _channel_unarchive(body: dict[str, Any]) -> None:
        handle_channel_archive(body=body, archived=False)

    @app.event("channel_id_changed")
    def _channel_id_changed(body: dict[str, Any]) -> None:
        handle_channel_id_changed(deps, body=body)
