"""The `kring` command line, run as a real process."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import settings
from standin.harness import BOT_TOKEN, SIGNING_SECRET
from standin.slack import SlackToApp, StandinSlack
from tests.databases import SKIP_PG, pg_base_url

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


# -- help, version, mistyped commands ----------------------------------------------------------


def kring(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """One ``kring`` command as its own process, in ``tmp_path``, with only ``env`` set."""
    return subprocess.run(
        [*KRING, *args],
        env=env_for(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=90,
        cwd=tmp_path,
    )


def one_line(done: subprocess.CompletedProcess[str], code: int) -> str:
    """The single stderr line of a command that failed with ``code``."""
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("kring")
    return lines[0]


def test_bare_kring_prints_help_and_knows_its_version(tmp_path: Path) -> None:
    bare = kring(tmp_path)
    assert bare.returncode == 0, bare.stderr
    for command in ("run", "check", "db", "digest", "demo", "KRING_ENV_FILE"):
        assert command in bare.stdout
    version = kring(tmp_path, "--version")
    assert version.returncode == 0
    assert re.fullmatch(r"kring \d+\.\d+\.\d+\S*", version.stdout.strip())


def test_a_group_without_its_command_prints_the_group_help(tmp_path: Path) -> None:
    done = kring(tmp_path, "digest")
    assert done.returncode == 0
    assert "preview" in done.stdout and "run" in done.stdout


def test_backfill_days_out_of_range_is_one_line_with_exit_2(tmp_path: Path) -> None:
    line = one_line(kring(tmp_path, "backfill", "--days", "0", **SLACK_ENV), 2)
    assert "--days must be between 1 and 36500, got 0" in line


@pytest.mark.parametrize("argv", [["rnu"], ["digest", "sned"], ["digest", "preview"]])
def test_a_mistyped_command_is_one_line_with_exit_2(tmp_path: Path, argv: list[str]) -> None:
    line = one_line(kring(tmp_path, *argv), 2)
    assert "--help" in line


def test_each_commands_help_lists_the_settings_it_reads_and_only_those(tmp_path: Path) -> None:
    for argv, command in [
        (["run"], settings.RUN),
        (["digest", "run"], settings.DIGEST_RUN),
        (["check"], settings.CHECK),
        (["backfill"], settings.BACKFILL),
    ]:
        shown = kring(tmp_path, *argv, "--help").stdout
        for setting in settings.SETTINGS:
            assert (setting.name in shown) == (command in setting.commands), (argv, setting)
    digest_help = kring(tmp_path, "digest", "run", "--help").stdout
    assert "--per-second" in digest_help and "--team" in digest_help


# -- one line for everything that can fail -----------------------------------------------------


def closed_port() -> int:
    """A port nothing listens on (free a moment ago)."""
    return free_port()


SLACK_ENV = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
EVERY_DATABASE_COMMAND = [
    ["run"],
    ["digest", "run"],
    ["digest", "preview", "U0ANN"],
    ["db", "upgrade"],
    ["maintenance", "run"],
    ["backfill"],
]


@pytest.mark.parametrize("argv", EVERY_DATABASE_COMMAND)
def test_an_unreachable_database_is_one_line_for_every_command(
    tmp_path: Path, argv: list[str]
) -> None:
    url = f"postgresql+psycopg://kring:pw-not-shown@127.0.0.1:{closed_port()}/kring"
    line = one_line(kring(tmp_path, *argv, DATABASE_URL=url, PORT=str(free_port()), **SLACK_ENV), 1)
    assert "cannot use the database" in line and "Connection refused" in line
    assert "DATABASE_URL" in line
    assert "pw-not-shown" not in line


def test_a_database_that_refuses_kring_is_one_line(tmp_path: Path) -> None:
    base = pg_base_url()
    if base is None:
        pytest.skip(SKIP_PG)
    absent = base.rsplit("/", 1)[0] + "/kring_no_such_database"
    line = one_line(kring(tmp_path, "db", "upgrade", DATABASE_URL=absent), 1)
    assert "kring_no_such_database" in line and "does not exist" in line


@pytest.mark.parametrize(
    "argv",
    [["digest", "run"], ["digest", "preview", "U0ANN"], ["maintenance", "run"], ["backfill"]],
)
def test_a_mistyped_sqlite_path_is_not_created_but_named(tmp_path: Path, argv: list[str]) -> None:
    missing = tmp_path / "typo.db"
    line = one_line(kring(tmp_path, *argv, DATABASE_URL=f"sqlite:///{missing}", **SLACK_ENV), 1)
    assert f"there is no database at {missing}" in line
    assert not missing.exists()


@pytest.mark.parametrize("argv", [["run"], ["digest", "run"]])
def test_unreachable_slack_is_one_line(tmp_path: Path, argv: list[str]) -> None:
    upgraded(tmp_path)
    line = one_line(
        kring(
            tmp_path,
            *argv,
            SLACK_API_URL=f"http://127.0.0.1:{closed_port()}/api/",
            DATABASE_URL=f"sqlite:///{tmp_path / 'kring.db'}",
            PORT=str(free_port()),
            **SLACK_ENV,
        ),
        1,
    )
    assert "cannot reach Slack" in line and "SLACK_API_URL" in line


@pytest.mark.parametrize("argv", [["run"], ["digest", "run"]])
def test_a_token_slack_refuses_is_one_line(
    tmp_path: Path, standin: StandinSlack, argv: list[str]
) -> None:
    upgraded(tmp_path)
    standin.fail_next("auth.test", error="invalid_auth")
    line = one_line(
        kring(
            tmp_path,
            *argv,
            SLACK_API_URL=standin.url,
            DATABASE_URL=f"sqlite:///{tmp_path / 'kring.db'}",
            PORT=str(free_port()),
            **SLACK_ENV,
        ),
        1,
    )
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in line
    assert BOT_TOKEN not in line


@pytest.mark.parametrize("setting", ["PORT", "METRICS_PORT"])
def test_a_port_in_use_is_one_line_before_anything_starts(
    tmp_path: Path, standin: StandinSlack, setting: str
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        ports = {"PORT": str(free_port()), "METRICS_PORT": str(free_port()), setting: str(port)}
        done = kring(
            tmp_path,
            "run",
            SLACK_API_URL=standin.url,
            DATABASE_URL=f"sqlite:///{tmp_path / 'kring.db'}",
            HOST="127.0.0.1",
            **ports,
            **SLACK_ENV,
        )
    line = one_line(done, 1)
    assert f"port {port} on 127.0.0.1 is already in use ({setting})" in line
    # Nothing was started: not even the database was created, nor Slack asked.
    assert not (tmp_path / "kring.db").exists()
    assert standin.calls("auth.test") == []


def test_digest_run_asks_for_no_signing_secret(tmp_path: Path, standin: StandinSlack) -> None:
    upgraded(tmp_path)
    done = kring(
        tmp_path,
        "digest",
        "run",
        "--per-second",
        "0",
        "--team",
        "T0001",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=standin.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'kring.db'}",
    )
    assert done.returncode == 0, done.stderr
    assert "digest pass at" in done.stdout and "0 due" in done.stdout


def upgraded(tmp_path: Path) -> None:
    """An up-to-date SQLite database at tmp_path/kring.db."""
    done = kring(tmp_path, "db", "upgrade", DATABASE_URL=f"sqlite:///{tmp_path / 'kring.db'}")
    assert done.returncode == 0, done.stderr


# -- metrics and JSON logs ---------------------------------------------------------------------


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def sample(metrics: str, name: str, **labels: str) -> float:
    """One sample's value from a Prometheus text exposition (0 when absent)."""
    for family in text_string_to_metric_families(metrics):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return float(s.value)
    return 0.0


def test_http_mode_serves_metrics_on_its_own_port_and_logs_json(
    tmp_path: Path, standin: StandinSlack
) -> None:
    port, metrics_port = free_port(), free_port()
    env = env_for(
        tmp_path,
        SLACK_API_URL=standin.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'kring.db'}",
        HOST="127.0.0.1",
        PORT=str(port),
        METRICS_PORT=str(metrics_port),
        LOG_FORMAT="json",
        KRING_SCHEDULER="off",
        **SLACK_ENV,
    )
    proc = start_kring_run(env, tmp_path)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, proc)
        slack = SlackToApp(url + "/slack/events", SIGNING_SECRET, standin)
        assert slack.command("follow <@U0BOB|bob>", user_id="U0ANN").status == 200
        forged = slack.post_raw(
            b"command=/kring&text=help", "application/x-www-form-urlencoded", sign=False
        )
        assert forged.status == 401
        status, metrics = get(f"http://127.0.0.1:{metrics_port}/metrics")
        assert status == 200
        assert sample(metrics, "kring_events_received_total", type="command") == 1
        assert sample(metrics, "kring_ack_seconds_count", type="command") == 1
        assert sample(metrics, "kring_events_refused_total", type="unverified") == 1
        assert sample(metrics, "kring_events_failed_total", type="command") == 0
        assert get(f"http://127.0.0.1:{metrics_port}/healthz") == (200, '{"ok": true}')
        # Nothing internal on the public events port.
        assert get(url + "/metrics")[0] == 404
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=5)
    assert proc.returncode == 0, stderr
    records = [json.loads(line) for line in stderr.splitlines()]
    assert records and all({"time", "level", "logger", "message"} <= r.keys() for r in records)
    messages = [r["message"] for r in records]
    # The manifest turns Socket Mode on: starting in HTTP mode says so once, as a warning.
    warnings = [r for r in records if r["level"] == "WARNING" and r["logger"] != "kring.refusals"]
    assert len(warnings) == 1 and "manifest.yml turns Socket Mode on" in warnings[0]["message"]
    # The forged command is one line of its own, with the reason and size but not the body.
    refusals = [r["message"] for r in records if r["logger"] == "kring.refusals"]
    assert refusals == ["refused request: unsigned, 24 bytes"]
    # Third-party start-up narration stays quiet at INFO.
    assert not any(r["logger"].startswith("alembic") for r in records)
    assert not any("will be unused" in m for m in messages)
    assert BOT_TOKEN not in stderr and SIGNING_SECRET not in stderr
