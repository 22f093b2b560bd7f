"""The metrics: what each one counts, and the server that exposes them."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.app import build_client
from bot.settings import Settings
from digests.deliver import Outcome, _outcome_label
from standin.slack import StandinSlack
from storage.db import make_engine
from storage.digests import Claim
from telemetry.metrics import (
    REGISTRY,
    observe_request,
    request_type,
)
from telemetry.server import MetricsServer


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"type": "event_callback", "event": {"type": "reaction_added"}}, "reaction_added"),
        ({"command": "/kring", "text": "help"}, "command"),
        ({"type": "block_actions", "actions": []}, "block_actions"),
        ({"type": "event_callback", "event": "not a dict"}, "other"),
        ({"type": "Robert'); DROP TABLE--"}, "other"),
        ({}, "other"),
    ],
)
def test_requests_are_labelled_by_a_bounded_type(body: dict[str, object], kind: str) -> None:
    assert request_type(body) == kind


def test_outcomes_are_counted_by_status() -> None:
    before = {
        name: value(f"kring_events_{name}_total", type="app_mention")
        for name in ("received", "refused", "failed")
    }
    observe_request("app_mention", 200, 0.01)
    observe_request("app_mention", 404, 0.01)
    observe_request("app_mention", 500, 0.01)
    assert value("kring_events_received_total", type="app_mention") == before["received"] + 3
    assert value("kring_events_refused_total", type="app_mention") == before["refused"] + 1
    assert value("kring_events_failed_total", type="app_mention") == before["failed"] + 1


def test_an_unsigned_request_counts_as_unverified_whatever_it_claims_to_be() -> None:
    before = value("kring_events_refused_total", type="unverified")
    observe_request("message", 401, 0.001)
    assert value("kring_events_refused_total", type="unverified") == before + 1


def test_slack_429s_are_counted_and_still_retried(standin: StandinSlack) -> None:
    client = build_client(Settings(slack_bot_token="xoxb-1-metrics", slack_api_url=standin.url))
    before = value("kring_slack_rate_limited_total", method="chat.postMessage")
    standin.fail_next("chat.postMessage", status=429, retry_after=0)
    assert client.chat_postMessage(channel="U0ANN", text="hello")["ok"]
    assert value("kring_slack_rate_limited_total", method="chat.postMessage") == before + 1


def test_database_errors_are_counted_by_driver_error(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'errors.db'}")
    before = value("kring_database_errors_total", error="OperationalError")
    with pytest.raises(OperationalError), engine.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table"))
    engine.dispose()
    assert value("kring_database_errors_total", error="OperationalError") == before + 1


def claim() -> Claim:
    now = datetime(2026, 11, 28, 8, tzinfo=UTC)
    return Claim(1, "T0001", "U0ANN", date(2026, 11, 28), now, now)


@pytest.mark.parametrize(
    ("status", "error", "label"),
    [
        ("sent", None, "sent"),
        ("empty", None, "empty"),
        ("released", None, "released"),
        ("failed", "ratelimited", "rate_limited"),
        ("failed", "TimeoutError", "failed"),
        ("gave_up", "account_inactive", "inactive"),
        ("gave_up", "channel_not_found", "failed"),
    ],
)
def test_digest_outcomes_map_to_their_metric_label(
    status: str, error: str | None, label: str
) -> None:
    assert _outcome_label(Outcome(claim(), status, error=error)) == label


@pytest.fixture
def server() -> Iterator[tuple[MetricsServer, list[bool]]]:
    health = [True]
    metrics = MetricsServer("127.0.0.1", 0, lambda: health[0])
    metrics.start()
    try:
        yield metrics, health
    finally:
        metrics.stop()


def fetch(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode()


def test_the_metrics_server_serves_metrics_health_and_nothing_else(
    server: tuple[MetricsServer, list[bool]],
) -> None:
    metrics, health = server
    base = f"http://127.0.0.1:{metrics.port}"
    status, kind, body = fetch(base + "/metrics")
    assert status == 200 and kind.startswith("text/plain")
    assert "# TYPE kring_events_received_total counter" in body
    assert "process_cpu_seconds_total" in body
    assert fetch(base + "/healthz")[::2] == (200, '{"ok": true}')
    health[0] = False
    assert fetch(base + "/healthz")[::2] == (503, '{"ok": false, "error": "database"}')
    assert fetch(base + "/")[0] == 404
