"""The `kring` command line, run as a real process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from standin.harness import BOT_TOKEN, SIGNING_SECRET
from standin.slack import SlackToApp, StandinSlack

KRING = [sys.executable, "-m", "bot.cli"]
REPO = Path(__file__).resolve().parents[2]


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "KRING_", "DATABASE"))
    }
    env.update({"KRING_ENV_FILE": str(tmp_path / "absent.env"), "PYTHONPATH": str(REPO), **extra})
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_missing_token_ends_with_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [*KRING, "run"],
        env=env_for(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "SLACK_BOT_TOKEN is not set" in done.stderr
    assert "Traceback" not in done.stderr


def test_malformed_port_is_named(tmp_path: Path) -> None:
    env = env_for(tmp_path, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", PORT="http")
    done = subprocess.run([*KRING, "run"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "PORT must be a whole number" in done.stderr


def test_db_upgrade_needs_no_slack_tokens(tmp_path: Path) -> None:
    env = env_for(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'k.db'}")
    done = subprocess.run(
        [*KRING, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "k.db").exists()


def start_kring_run(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """``kring run`` as its own process, with its output captured."""
    return subprocess.Popen(
        [*KRING, "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )


def wait_healthy(url: str, proc: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"kring run exited early: {proc.communicate()[1]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("kring run never became healthy")


def test_kring_run_serves_slack_and_stops_on_sigterm(tmp_path: Path, standin: StandinSlack) -> None:
    port = free_port()
    env = env_for(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=standin.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'kring.db'}",
        PORT=str(port),
        LOG_LEVEL="DEBUG",
    )
    proc = start_kring_run(env, tmp_path)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, proc)
        slack = SlackToApp(url + "/slack/events", SIGNING_SECRET, standin)
        answer = slack.command("follow <@U0BOB|bob>", user_id="U0ANN")
        assert answer.status == 200
        assert "You now follow <@U0BOB>" in json.loads(answer.body)["text"]
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    # DEBUG logs show Slack API calls, never the tokens or the signing secret.
    assert "users.info" in stderr
    assert BOT_TOKEN not in stderr
    assert SIGNING_SECRET not in stderr
