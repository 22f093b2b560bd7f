"""Kring's Prometheus metrics (the official prometheus_client), in a registry of their own.

Recording a metric is one line where the thing happens; :mod:`telemetry.server` exposes the
registry at ``/metrics`` on METRICS_PORT. The registry is Kring's own rather than the client's
global default, so tests and benchmarks that build several Kring apps in one process never
collide, and what ``/metrics`` shows is exactly what is defined here (plus the usual process
figures).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

EVENTS_RECEIVED = Counter(
    "kring_events_received",
    "Requests from Slack (events, commands, interactivity), by type",
    ["type"],
    registry=REGISTRY,
)
EVENTS_RECORDED = Counter(
    "kring_events_recorded",
    "Events whose change (a post, an edit, a deletion, a reaction, a profile) was written",
    ["type"],
    registry=REGISTRY,
)
EVENTS_REFUSED = Counter(
    "kring_events_refused",
    "Requests turned away: a bad or missing Slack signature, or nothing handles them (4xx)",
    ["type"],
    registry=REGISTRY,
)
EVENTS_FAILED = Counter(
    "kring_events_failed",
    "Requests whose handling failed (5xx); Slack retries events",
    ["type"],
    registry=REGISTRY,
)
ACK_SECONDS = Histogram(
    "kring_ack_seconds",
    "Time from a Slack request's arrival to its acknowledgement (Slack waits 3 s at most)",
    ["type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
    registry=REGISTRY,
)
DIGESTS = Counter(
    "kring_digests",
    "Digests by outcome: sent, empty, failed, rate_limited, inactive, released",
    ["outcome"],
    registry=REGISTRY,
)
DIGEST_PASS_SECONDS = Histogram(
    "kring_digest_pass_seconds",
    "How long one digest pass took, from finding who is due to the last outcome recorded",
    buckets=(0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0),
    registry=REGISTRY,
)
SLACK_RATE_LIMITED = Counter(
    "kring_slack_rate_limited",
    "Slack Web API answers of 429 Too Many Requests, by method (each is retried after the "
    "Retry-After Slack asks for)",
    ["method"],
    registry=REGISTRY,
)
DATABASE_ERRORS = Counter(
    "kring_database_errors",
    "Database statements that raised, by the driver's error class",
    ["error"],
    registry=REGISTRY,
)

# Signed requests name their own type; anything else (an unsigned body is anyone's words) is
# kept to a fixed vocabulary so that a stranger cannot mint label values.
_TYPE = re.compile(r"[a-z][a-z0-9_.]{0,39}")
UNVERIFIED = "unverified"


def request_type(body: Mapping[str, Any]) -> str:
    """The metric label for a Slack request body: the event type (``message``,
    ``reaction_added``), ``command`` for slash commands, or the interactivity payload's type
    (``block_actions``); ``other`` for anything unrecognisable."""
    kind: Any
    if body.get("command"):
        kind = "command"
    elif body.get("type") == "event_callback":
        event = body.get("event")
        kind = event.get("type") if isinstance(event, Mapping) else None
    else:
        kind = body.get("type")
    return kind if isinstance(kind, str) and _TYPE.fullmatch(kind) else "other"


def observe_request(kind: str, status: int, seconds: float) -> None:
    """One Slack request answered with ``status`` after ``seconds``."""
    if status == 401:
        kind = UNVERIFIED
    EVENTS_RECEIVED.labels(kind).inc()
    ACK_SECONDS.labels(kind).observe(seconds)
    if status >= 500:
        EVENTS_FAILED.labels(kind).inc()
    elif status >= 400:
        EVENTS_REFUSED.labels(kind).inc()
