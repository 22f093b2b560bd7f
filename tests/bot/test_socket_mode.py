"""`kring run` in Socket Mode, as a real process: the same listeners, over Slack's WebSocket.

Slack's side is stood in twice: the Web API stand-in answers ``apps.connections.open`` with the
address of a WebSocket server kept here, which plays Slack's end of the connection. It sends
envelopes (``hello``, a slash command, an event) as Slack documents them and collects the
app's acknowledgements: https://api.slack.com/apis/socket-mode
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.server import Server, ServerConnection, serve

from standin.harness import BOT_TOKEN, SIGNING_SECRET
from standin.slack import StandinSlack
from tests.bot.test_cli import (
    KRING,
    env_for,
    free_port,
    get,
    sample,
    start_kring_run,
    wait_healthy,
)

APP_TOKEN = "xapp-1-A0001-1-socketmodetesttoken"


class SocketModeSlack:
    """Slack's end of Socket Mode on 127.0.0.1: one app connection at a time."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._connection: ServerConnection | None = None
        self._acks: dict[str, dict[str, Any]] = {}
        self.server: Server = serve(self._serve, "127.0.0.1", 0)
        self.port = int(self.server.socket.getsockname()[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link/?ticket=kring-test"

    def _serve(self, connection: ServerConnection) -> None:
        connection.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "standin", "approximate_connection_time": 18060},
                    "connection_info": {"app_id": "A0001"},
                }
            )
        )
        with self._lock:
            self._connection = connection
            self._lock.notify_all()
        for message in connection:
            answer = json.loads(message)
            with self._lock:
                self._acks[str(answer.get("envelope_id"))] = answer
                self._lock.notify_all()

    def wait_connected(self, timeout: float = 30) -> None:
        with self._lock:
            if not self._lock.wait_for(lambda: self._connection is not None, timeout):
                raise AssertionError("the app never opened its Socket Mode connection")

    def send(self, kind: str, payload: dict[str, Any], *, response: bool = False) -> str:
        """Hand the app one envelope; returns its id."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": response,
            "retry_attempt": 0,
            "retry_reason": "",
        }
        with self._lock:
            connection = self._connection
        assert connection is not None
        connection.send(json.dumps(envelope))
        return envelope_id

    def ack(self, envelope_id: str, timeout: float = 10) -> dict[str, Any]:
        """The app's acknowledgement of an envelope (within Slack's 3 seconds, in practice)."""
        with self._lock:
            if not self._lock.wait_for(lambda: envelope_id in self._acks, timeout):
                raise AssertionError(f"no acknowledgement for envelope {envelope_id}")
            return self._acks[envelope_id]

    def close(self) -> None:
        self.server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def socket_slack() -> Iterator[SocketModeSlack]:
    slack = SocketModeSlack()
    try:
        yield slack
    finally:
        slack.close()


def command(text: str, user_id: str = "U0ANN") -> dict[str, Any]:
    return {
        "token": "kring-verification-token",
        "team_id": "T0001",
        "team_domain": "kring-test",
        "channel_id": "C0GENERAL",
        "channel_name": "general",
        "user_id": user_id,
        "user_name": "ann",
        "command": "/kring",
        "text": text,
        "api_app_id": "A0001",
        "is_enterprise_install": "false",
        "response_url": "https://hooks.slack.com/commands/T0001/1/standin",
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    }


def message_event(text: str, ts: str, user_id: str = "U0BOB") -> dict[str, Any]:
    return {
        "token": "kring-verification-token",
        "team_id": "T0001",
        "api_app_id": "A0001",
        "type": "event_callback",
        "event_id": "Ev" + uuid.uuid4().hex[:12].upper(),
        "event_time": int(float(ts)),
        "event": {
            "type": "message",
            "channel": "C0GENERAL",
            "channel_type": "channel",
            "user": user_id,
            "text": text,
            "ts": ts,
            "event_ts": ts,
        },
    }


def stored_posts(db: Path) -> list[tuple[str, str]]:
    """(text, tags) of every recorded post, read straight from the database file."""
    with sqlite3.connect(db) as conn:
        return list(
            conn.execute(
                "SELECT p.text, group_concat(t.tag) FROM posts p"
                " LEFT JOIN post_tags t ON t.post_id = p.id GROUP BY p.id ORDER BY p.id"
            )
        )


def socket_mode_env(tmp_path: Path, standin: StandinSlack, **extra: str) -> dict[str, str]:
    """`kring run` in Socket Mode against the stand-in, on a database in ``tmp_path``."""
    return env_for(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=standin.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'kring.db'}",
        KRING_SCHEDULER="off",
        **extra,
    )


def test_socket_mode_answers_commands_and_records_events(
    tmp_path: Path, standin: StandinSlack, socket_slack: SocketModeSlack
) -> None:
    standin.stub("apps.connections.open", {"url": socket_slack.url})
    db = tmp_path / "kring.db"
    env = socket_mode_env(tmp_path, standin, LOG_LEVEL="DEBUG")
    proc = start_kring_run(env, tmp_path)
    try:
        socket_slack.wait_connected()
        # A slash command is answered in the acknowledgement itself.
        helped = socket_slack.ack(
            socket_slack.send("slash_commands", command("help"), response=True)
        )
        assert "/kring follow" in json.dumps(helped["payload"])
        followed = socket_slack.ack(
            socket_slack.send(
                "slash_commands", command("follow <@U0BOB|bob> #launch"), response=True
            )
        )
        assert "You now follow" in json.dumps(followed["payload"])
        # An event is acknowledged once it is stored; Slack's retry of it stores nothing more.
        event = message_event("Shipping the new #Launch checklist today", "1764320000.000100")
        socket_slack.ack(socket_slack.send("events_api", event))
        socket_slack.ack(socket_slack.send("events_api", event))
        assert stored_posts(db) == [("Shipping the new #Launch checklist today", "launch")]
        assert len(standin.calls("apps.connections.open")) == 1
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=5)
    assert proc.returncode == 0, stderr
    assert "Socket Mode: connecting to Slack" in stderr
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET):
        assert secret not in stderr


def test_an_app_token_slack_refuses_ends_with_one_clear_line(
    tmp_path: Path, standin: StandinSlack
) -> None:
    standin.fail_next("apps.connections.open", error="invalid_auth")
    env = socket_mode_env(tmp_path, standin)
    done = subprocess.run([*KRING, "run"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("kring: could not open a Socket Mode connection")
    assert "'invalid_auth'" in last and "SLACK_APP_TOKEN" in last
    assert "Traceback" not in done.stderr
    assert APP_TOKEN not in done.stderr


def test_socket_mode_serves_health_and_metrics_on_the_metrics_port(
    tmp_path: Path, standin: StandinSlack, socket_slack: SocketModeSlack
) -> None:
    standin.stub("apps.connections.open", {"url": socket_slack.url})
    metrics_port = free_port()
    env = socket_mode_env(tmp_path, standin, METRICS_PORT=str(metrics_port), HOST="127.0.0.1")
    proc = start_kring_run(env, tmp_path)
    try:
        socket_slack.wait_connected()
        socket_slack.ack(socket_slack.send("slash_commands", command("help"), response=True))
        base = f"http://127.0.0.1:{metrics_port}"
        wait_healthy(base, proc)
        status, metrics = get(base + "/metrics")
        assert status == 200
        assert sample(metrics, "kring_events_received_total", type="command") == 1
        assert sample(metrics, "kring_ack_seconds_count", type="command") == 1
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=5)
    assert proc.returncode == 0, stderr
    # Socket Mode is what the manifest asks for: no warning about the mode.
    assert "WARNING" not in stderr
