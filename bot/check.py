"""`kring check`, and the probes every command runs before it starts anything.

Each probe either passes or raises :class:`Failure`, whose message is one line naming what
failed and what to do about it. ``kring check`` runs them all and prints one ``ok``/``FAIL``
line per check; the other commands run the ones they need and stop at the first failure.
"""

from __future__ import annotations

import errno
import http.client
import logging
import socket
import urllib.error
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from bot.settings import Settings, redact_url

MANIFEST = "manifest.yml"
# Slack's errors for a token that is wrong, revoked or belongs to an uninstalled app.
REFUSED_TOKEN = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "not_allowed_token_type",
        "invalid_token",
    }
)


class Failure(Exception):
    """Something Kring depends on is unreachable, refuses or is not ready: one line a person
    can act on."""


# -- the manifest ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Manifest:
    path: Path
    bot_scopes: frozenset[str]
    socket_mode: bool


def find_manifest(explicit: str | None = None) -> Path | None:
    """``explicit``, else manifest.yml in the working directory, else the one next to Kring's
    source (a checkout or an editable install)."""
    if explicit:
        return Path(explicit)
    for candidate in (Path.cwd() / MANIFEST, Path(__file__).resolve().parents[1] / MANIFEST):
        if candidate.is_file():
            return candidate
    return None


def load_manifest(path: Path | None) -> Manifest:
    """The bot scopes and the Socket Mode switch of a Slack app manifest."""
    if path is None:
        raise Failure(f"no {MANIFEST} found here or next to Kring: pass --manifest PATH")
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise Failure(f"cannot read {path}: {exc.strerror}: pass --manifest PATH") from None
    except yaml.YAMLError as exc:
        raise Failure(f"{path} is not valid YAML ({_first_line(exc)})") from None
    try:
        scopes = data["oauth_config"]["scopes"]["bot"]
        socket_mode = bool((data.get("settings") or {}).get("socket_mode_enabled", False))
    except (KeyError, TypeError, AttributeError):
        raise Failure(
            f"{path} has no oauth_config.scopes.bot: is it a Slack app manifest?"
        ) from None
    return Manifest(path, frozenset(str(s) for s in scopes or ()), socket_mode)


def manifest_expects_socket_mode() -> bool:
    """True when the manifest Kring ships (or the one here) turns Socket Mode on."""
    try:
        return load_manifest(find_manifest()).socket_mode
    except Failure:
        return False


# -- probes ----------------------------------------------------------------------------------


def open_database(url: str, *, create: bool) -> Engine:
    """An engine whose database answered; with ``create`` False a missing SQLite file is a
    failure rather than a new empty database (a mistyped DATABASE_URL, most likely)."""
    from storage.db import make_engine, probe, sqlite_path

    path = sqlite_path(url)
    if path is not None and not create and not path.exists():
        raise Failure(
            f"there is no database at {path}: check DATABASE_URL, or create it with "
            "`kring db upgrade`"
        )
    if path is not None and not path.parent.is_dir():
        raise Failure(
            f"cannot create the database {path}: the directory {path.parent} does not exist "
            "(check DATABASE_URL)"
        )
    engine = make_engine(url)
    try:
        probe(engine)
    except Exception as exc:
        engine.dispose()
        raise Failure(database_failure(exc, url)) from None
    return engine


@contextmanager
def _sdk_quiet() -> Iterator[None]:
    """slack_sdk logs each failed attempt and retry; a probe's failure is told in one line."""
    sdk = logging.getLogger("slack_sdk")
    before = sdk.level
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        sdk.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        sdk.setLevel(before)


def require_bot_token(client: WebClient, settings: Settings) -> Any:
    """auth.test with the bot token; returns Slack's answer (its headers list the scopes)."""
    try:
        with _sdk_quiet():
            return client.auth_test()
    except Exception as exc:
        raise Failure(slack_failure(exc, settings, "SLACK_BOT_TOKEN")) from None


def require_app_token(client: WebClient, settings: Settings) -> None:
    """apps.connections.open with the app-level token: what Socket Mode does first."""
    assert settings.slack_app_token is not None
    try:
        with _sdk_quiet():
            client.apps_connections_open(app_token=settings.slack_app_token)
    except Exception as exc:
        raise Failure(slack_failure(exc, settings, "SLACK_APP_TOKEN")) from None


def require_free_port(host: str, port: int, setting: str) -> None:
    """Fail now if ``host:port`` cannot be listened on (taken, privileged or not an address
    of this machine), before anything has started."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # The servers set SO_REUSEADDR too: a port left in TIME_WAIT is free for them.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
            sock.listen(1)
        except OSError as exc:
            raise Failure(port_failure(exc, host, port, setting)) from None


# -- one line for each way things fail -------------------------------------------------------


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0].strip() if lines else type(exc).__name__


def database_failure(exc: BaseException, url: str) -> str:
    where = redact_url(url)
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        reason = _first_line(exc.orig)
    else:
        reason = _first_line(exc)
    return (
        f"cannot use the database at {where}: {reason}. Check DATABASE_URL and that the "
        "database is running and lets Kring in"
    )


def slack_failure(exc: BaseException, settings: Settings, token_name: str) -> str:
    if isinstance(exc, SlackApiError):
        error = str(exc.response.get("error") or "an error")
        if error in REFUSED_TOKEN:
            if token_name == "SLACK_APP_TOKEN":
                fix = (
                    "generate an app-level token with the connections:write scope (Basic "
                    "Information → App-Level Tokens) and copy it (xapp-…) into .env"
                )
            else:
                fix = (
                    "copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions "
                    "into .env, and reinstall the app to the workspace if it was removed"
                )
            return f"Slack refused {token_name} ({error}): {fix}"
        if error == "missing_scope":
            needed = exc.response.get("needed") or "a scope"
            return (
                f"Slack refused: the app lacks {needed}: add it (manifest.yml lists them all) "
                "and reinstall the app"
            )
        return f"Slack answered {error!r}: see https://api.slack.com/methods for what it means"
    reason = _first_line(getattr(exc, "reason", None) or exc)
    if isinstance(exc, urllib.error.HTTPError):
        reason = f"HTTP {exc.code}"
    if isinstance(exc, OSError | urllib.error.URLError | http.client.HTTPException):
        return (
            f"cannot reach Slack at {settings.slack_api_url}: {reason}. Check the network "
            "connection (and SLACK_API_URL, if you set it)"
        )
    return f"calling Slack at {settings.slack_api_url} failed: {type(exc).__name__}: {reason}"


def port_failure(exc: OSError, host: str, port: int, setting: str) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use ({setting}): stop what is using it, "
            f"or set {setting} to a free port"
        )
    if exc.errno == errno.EACCES:
        return (
            f"not allowed to listen on port {port} ({setting}): ports below 1024 need "
            f"privileges; set {setting} to 1024 or above"
        )
    return (
        f"cannot listen on {host}:{port}: {exc.strerror or _first_line(exc)}. Check HOST and "
        f"{setting}"
    )


def describe(exc: BaseException, settings: Settings | None) -> str:
    """One line for a failure no probe foresaw, by what kind of thing failed."""
    if isinstance(exc, Failure):
        return str(exc)
    if isinstance(exc, SQLAlchemyError):
        return database_failure(exc, settings.database_url if settings else "DATABASE_URL")
    if settings is not None and isinstance(
        exc, SlackApiError | urllib.error.URLError | http.client.HTTPException | ConnectionError
    ):
        return slack_failure(exc, settings, "SLACK_BOT_TOKEN")
    return f"{type(exc).__name__}: {_first_line(exc)} (LOG_LEVEL=DEBUG shows where it happened)"


# -- kring check -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    name: str
    ok: bool
    text: str
    skipped: bool = False

    def __str__(self) -> str:
        from bot.logs import one_line

        mark = "skip" if self.skipped else "ok  " if self.ok else "FAIL"
        return f"{mark}  {self.name}: {one_line(self.text)}"


def _probe(name: str, probe: Callable[[], str]) -> Line:
    try:
        return Line(name, True, probe())
    except Failure as exc:
        return Line(name, False, str(exc))


def granted_scopes(headers: Mapping[str, Any]) -> frozenset[str] | None:
    """The scopes Slack lists in the ``x-oauth-scopes`` header of a Web API answer."""
    for name, value in headers.items():
        if name.lower() == "x-oauth-scopes":
            raw = value[0] if isinstance(value, list) else value
            return frozenset(s.strip() for s in str(raw).split(",") if s.strip())
    return None


def check_database(url: str) -> str:
    from storage.db import schema_revisions

    engine = open_database(url, create=False)
    try:
        current, heads = schema_revisions(engine)
    except Exception as exc:
        raise Failure(database_failure(exc, url)) from None
    finally:
        engine.dispose()
    where = redact_url(url)
    if not current:
        raise Failure(f"{where} has no Kring schema yet: run `kring db upgrade`")
    if current != heads:
        raise Failure(
            f"{where} is at revision {', '.join(sorted(current))}, Kring needs "
            f"{', '.join(sorted(heads))}: run `kring db upgrade`"
        )
    return f"{where} answers, schema up to date ({', '.join(sorted(heads))})"


def check_scopes(answer: Any, manifest: Manifest) -> str:
    granted = granted_scopes(answer.headers if answer is not None else {})
    if granted is None:
        raise Failure("Slack did not list the granted scopes (no x-oauth-scopes header)")
    missing = sorted(manifest.bot_scopes - granted)
    if missing:
        raise Failure(
            f"the bot token lacks {', '.join(missing)} that {manifest.path.name} asks for: add "
            "them under OAuth & Permissions (or update the app from the manifest) and reinstall"
        )
    extra = sorted(granted - manifest.bot_scopes)
    also = f"; also granted: {', '.join(extra)}" if extra else ""
    return f"all {len(manifest.bot_scopes)} scopes {manifest.path.name} asks for{also}"


def check_mode(client: WebClient, settings: Settings, manifest: Manifest) -> str:
    name = manifest.path.name
    if manifest.socket_mode and not settings.socket_mode:
        raise Failure(
            f"{name} turns Socket Mode on but SLACK_APP_TOKEN is empty, so Kring would wait "
            "for HTTP requests that never come: generate an app-level token with "
            "connections:write (Basic Information → App-Level Tokens) and set "
            "SLACK_APP_TOKEN, or turn Socket Mode off in the app and in the manifest"
        )
    if not manifest.socket_mode and settings.socket_mode:
        raise Failure(
            f"SLACK_APP_TOKEN is set but {name} turns Socket Mode off, so Slack posts to your "
            "request URL while Kring listens on a WebSocket: empty SLACK_APP_TOKEN for HTTP "
            "mode, or turn Socket Mode on"
        )
    if settings.socket_mode:
        require_app_token(client, settings)
        return "Socket Mode, as the manifest says; SLACK_APP_TOKEN opens a connection"
    if not settings.slack_signing_secret:
        raise Failure(
            "HTTP mode needs SLACK_SIGNING_SECRET to verify Slack's requests: copy the Signing "
            "Secret from your Slack app's Basic Information page into .env"
        )
    return (
        "HTTP mode, as the manifest says: Slack must reach /slack/events on PORT; the "
        "signing secret is set"
    )


def run_checks(settings: Settings, client: WebClient, manifest_path: Path | None) -> list[Line]:
    """Every check, in order; a check that depends on a failed one is skipped, not repeated."""
    lines = [_probe("database", lambda: check_database(settings.database_url))]
    answer: Any = None

    def bot_token() -> str:
        nonlocal answer
        answer = require_bot_token(client, settings)
        return (
            f"@{answer.get('user')} in {answer.get('team')} ({answer.get('team_id')}), "
            f"via {settings.slack_api_url}"
        )

    lines.append(_probe("bot token", bot_token))
    manifest: Manifest | None = None

    def read_manifest() -> str:
        nonlocal manifest
        manifest = load_manifest(manifest_path)
        return str(manifest.path)

    lines.append(_probe("manifest", read_manifest))
    if manifest is None or answer is None:
        needs = "the manifest" if manifest is None else "a working bot token"
        lines.append(Line("scopes", False, f"not checked: needs {needs}", skipped=True))
    else:
        known: Manifest = manifest
        lines.append(_probe("scopes", lambda: check_scopes(answer, known)))
    if manifest is None:
        lines.append(Line("mode", False, "not checked: needs the manifest", skipped=True))
    else:
        known_manifest: Manifest = manifest
        lines.append(_probe("mode", lambda: check_mode(client, settings, known_manifest)))
    return lines


def report(lines: Sequence[Line]) -> str:
    failed = sum(not line.ok and not line.skipped for line in lines)
    summary = "all checks passed" if not failed else f"{failed} of {len(lines)} checks failed"
    return "\n".join([*map(str, lines), summary])
