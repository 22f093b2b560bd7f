"""Daily maintenance: retention and the channel audit, from the scheduler or `kring maintenance run`.

The audit asks Slack (``conversations.info``) about every channel that holds posts: a channel
Slack no longer shows Kring (``channel_not_found``), that became private, or that Kring is no
longer a member of is closed like on the events that say so (``storage.channels``). It covers
what Kring may never hear as an event: a bot without private-channel scopes is not told of a
conversion to private, and events can be lost.

Slack is asked one channel at a time outside any transaction; the WebClient's retry handlers
wait out rate limits (Retry-After). When Slack still says no, or cannot be reached, the channel
is left as it is: it is only closed on Slack's word, never for want of an answer.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from handlers.payloads import audit_verdict
from storage.channels import (
    NOT_FOUND,
    cached_names,
    channels_with_posts,
    close_channel,
    remember_channel,
)
from storage.retention import Purged, purge

log = logging.getLogger(__name__)

# Errors after which asking about the next channel is pointless this time round.
STOP_ERRORS = frozenset(
    {
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "ratelimited",
    }
)


@dataclass(frozen=True)
class AuditReport:
    """What the channel audit did."""

    checked: int = 0  # channels Slack answered for
    closed: int = 0  # of them, gone from Kring's public view
    posts: int = 0  # posts deleted with them
    unchecked: int = 0  # channels Slack could not answer for (tried again next time)
    error: str | None = None  # why the audit could not run at all


@dataclass(frozen=True)
class MaintenanceReport:
    purged: Purged
    audit: AuditReport = field(default_factory=AuditReport)


def audit_channels(
    *,
    sessions: sessionmaker[Session],
    client: WebClient,
    now: datetime,
    stop: threading.Event | None = None,
) -> AuditReport:
    """Ask Slack about each channel of this workspace that holds posts; close the gone ones.

    The names of those that stay are cached on the way (when new or renamed), so a channel
    Kring was in before it cached names can be followed as `#name` by the next day."""
    try:
        team_id = str(client.auth_test()["team_id"])
    except (SlackApiError, OSError, KeyError) as exc:
        # Without the token's team there is no telling which channels it may ask about.
        log.warning("channel audit skipped: auth.test failed (%s)", _error(exc))
        return AuditReport(error=f"auth.test failed ({_error(exc)})")
    with sessions.begin() as session:
        channel_ids = channels_with_posts(session=session, team_id=team_id)
        names = cached_names(session=session, team_id=team_id, channel_ids=channel_ids)
    checked = closed = posts = 0
    for done, channel_id in enumerate(channel_ids):
        reason: str | None
        if stop is not None and stop.is_set():
            return AuditReport(checked, closed, posts, len(channel_ids) - done)
        try:
            channel = client.conversations_info(channel=channel_id).get("channel")
        except SlackApiError as exc:
            error = _error(exc)
            if error != "channel_not_found":
                log.warning("channel audit: conversations.info %s failed: %s", channel_id, error)
                if error in STOP_ERRORS:
                    return AuditReport(checked, closed, posts, len(channel_ids) - done)
                continue
            reason = NOT_FOUND
        except OSError as exc:  # Slack unreachable, after the client's own retries
            log.warning("channel audit: conversations.info %s failed: %s", channel_id, _error(exc))
            return AuditReport(checked, closed, posts, len(channel_ids) - done)
        else:
            if not isinstance(channel, dict):
                continue
            reason = audit_verdict(channel)
            name = channel.get("name")
            if reason is None and isinstance(name, str) and name and names.get(channel_id) != name:
                with sessions.begin() as session:
                    remember_channel(
                        session=session, team_id=team_id, channel_id=channel_id, name=name, now=now
                    )
        checked += 1
        if reason is None:
            continue
        with sessions.begin() as session:
            deleted = close_channel(
                session=session, team_id=team_id, channel_id=channel_id, reason=reason, now=now
            )
        log.info("channel audit: %s closed (%s), %d posts deleted", channel_id, reason, deleted)
        closed += 1
        posts += deleted
    return AuditReport(checked, closed, posts, len(channel_ids) - checked)


def run_maintenance(
    *,
    sessions: sessionmaker[Session],
    client: WebClient,
    retention_days: int,
    now: datetime,
    stop: threading.Event | None = None,
) -> MaintenanceReport:
    """Retention (posts older than ``retention_days`` and what hangs on them), then the audit."""
    with sessions.begin() as session:
        purged = purge(session=session, before=now - timedelta(days=retention_days), now=now)
    log.info(
        "retention: %d posts older than %d days deleted, %d cached permalinks",
        purged.posts,
        retention_days,
        purged.permalinks,
    )
    audit = audit_channels(sessions=sessions, client=client, now=now, stop=stop)
    log.info(
        "channel audit: %d channels checked, %d closed (%d posts deleted), %d unchecked",
        audit.checked,
        audit.closed,
        audit.posts,
        audit.unchecked,
    )
    return MaintenanceReport(purged=purged, audit=audit)


def _error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or "error")
    return type(exc).__name__
