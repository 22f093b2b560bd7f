"""`kring check`: one ok/FAIL line per check, against the stand-in Slack, as a real process."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.check import Failure, find_manifest, granted_scopes, load_manifest
from standin.harness import BOT_TOKEN, SIGNING_SECRET
from standin.slack import BOT_SCOPES, StandinSlack
from tests.bot.test_cli import kring, upgraded

APP_TOKEN = "xapp-1-A0001-1-checktesttoken"
REPO_MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


def check(tmp_path: Path, standin: StandinSlack, *args: str, **env: str) -> tuple[int, list[str]]:
    done = kring(
        tmp_path,
        "check",
        *args,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=standin.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'kring.db'}",
        **env,
    )
    assert "Traceback" not in done.stderr
    return done.returncode, done.stdout.strip().splitlines()


def line(lines: list[str], name: str) -> str:
    """The line of check ``name``: ``MARK  name: text`` with a four-letter mark."""
    found = [entry for entry in lines if entry[6:].split(":", 1)[0] == name]
    assert len(found) == 1, lines
    return found[0]


def test_a_ready_socket_mode_install_passes_every_check(
    tmp_path: Path, standin: StandinSlack
) -> None:
    upgraded(tmp_path)
    standin.stub("apps.connections.open", {"url": "wss://standin.invalid/link"})
    code, lines = check(tmp_path, standin, SLACK_APP_TOKEN=APP_TOKEN)
    assert code == 0, lines
    for name in ("database", "bot token", "manifest", "scopes", "mode"):
        assert line(lines, name).startswith("ok"), lines
    assert "Kring Test (T0001)" in line(lines, "bot token")
    assert "all 10 scopes" in line(lines, "scopes")
    assert lines[-1] == "all checks passed"
    assert APP_TOKEN not in "\n".join(lines)


def test_each_problem_is_named_with_its_fix(tmp_path: Path, standin: StandinSlack) -> None:
    standin.scopes = [s for s in BOT_SCOPES if s not in ("files:write", "im:write")]
    # No database yet, a scope short, and HTTP mode although the manifest says Socket Mode.
    (tmp_path / "kring.db").touch()
    code, lines = check(tmp_path, standin)
    assert code == 1
    assert line(lines, "database").startswith("FAIL")
    assert "kring db upgrade" in line(lines, "database")
    scopes = line(lines, "scopes")
    assert scopes.startswith("FAIL") and "files:write, im:write" in scopes
    assert "reinstall" in scopes
    mode = line(lines, "mode")
    assert mode.startswith("FAIL") and "SLACK_APP_TOKEN is empty" in mode
    assert line(lines, "bot token").startswith("ok")
    assert lines[-1] == "3 of 5 checks failed"


def test_a_refused_token_fails_and_what_depends_on_it_is_skipped(
    tmp_path: Path, standin: StandinSlack
) -> None:
    upgraded(tmp_path)
    standin.fail_next("auth.test", error="invalid_auth")
    code, lines = check(tmp_path, standin)
    assert code == 1
    token = line(lines, "bot token")
    assert token.startswith("FAIL") and "invalid_auth" in token and "xoxb-" in token
    assert line(lines, "scopes").startswith("skip")


def test_http_mode_passes_against_a_manifest_without_socket_mode(
    tmp_path: Path, standin: StandinSlack
) -> None:
    upgraded(tmp_path)
    manifest = yaml.safe_load(REPO_MANIFEST.read_text())
    manifest["settings"]["socket_mode_enabled"] = False
    http_manifest = tmp_path / "http-manifest.yml"
    http_manifest.write_text(yaml.safe_dump(manifest))
    code, lines = check(tmp_path, standin, "--manifest", str(http_manifest))
    assert code == 0, lines
    assert "HTTP mode" in line(lines, "mode")
    # The same manifest with an app token set is the opposite mistake.
    code, lines = check(
        tmp_path, standin, "--manifest", str(http_manifest), SLACK_APP_TOKEN=APP_TOKEN
    )
    assert code == 1
    assert "turns Socket Mode off" in line(lines, "mode")


def test_the_stand_in_grants_what_the_manifest_asks_for() -> None:
    assert load_manifest(REPO_MANIFEST).bot_scopes == frozenset(BOT_SCOPES)
    assert load_manifest(REPO_MANIFEST).socket_mode


def test_granted_scopes_come_from_the_header_whatever_its_case() -> None:
    assert granted_scopes({"X-OAuth-Scopes": "chat:write, commands"}) == {"chat:write", "commands"}
    assert granted_scopes({"x-oauth-scopes": ["chat:write"]}) == {"chat:write"}
    assert granted_scopes({"content-type": "application/json"}) is None


def test_a_missing_or_foreign_manifest_is_a_failure_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(Failure, match="--manifest"):
        load_manifest(None)
    with pytest.raises(Failure, match="cannot read"):
        load_manifest(tmp_path / "absent.yml")
    other = tmp_path / "other.yml"
    other.write_text("name: not a slack manifest\n")
    with pytest.raises(Failure, match="oauth_config.scopes.bot"):
        load_manifest(other)
    assert find_manifest(str(other)) == other
