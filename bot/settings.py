"""Kring's configuration: read once from the environment into one frozen object.

:data:`SETTINGS` is the one list of every setting, which commands use it and what it does;
``kring <command> --help``, the README table and ``.env.example`` follow it (a test holds them
to it). Each command asks only for the settings it uses: ``kring digest run`` never demands the
signing secret it has no use for.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///kring.db"
DEFAULT_HOST = "0.0.0.0"
LOG_FORMATS = ("text", "json")

# The commands, as `kring` spells them.
RUN = "run"
CHECK = "check"
DIGEST_RUN = "digest run"
DIGEST_PREVIEW = "digest preview"
DB_UPGRADE = "db upgrade"
MAINTENANCE = "maintenance run"
BACKFILL = "backfill"
DEMO = "demo"
COMMANDS = (RUN, CHECK, DIGEST_RUN, DIGEST_PREVIEW, DB_UPGRADE, MAINTENANCE, BACKFILL, DEMO)


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line a person can act on."""


@dataclass(frozen=True)
class Setting:
    """One environment variable: its default as shown to people, what it does, who reads it."""

    name: str
    default: str
    help: str
    commands: frozenset[str]


_EVERY = frozenset(COMMANDS)
_SLACK = frozenset({RUN, CHECK, DIGEST_RUN, MAINTENANCE, BACKFILL})
_DATABASE = frozenset({RUN, CHECK, DIGEST_RUN, DIGEST_PREVIEW, DB_UPGRADE, MAINTENANCE, BACKFILL})

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SLACK_BOT_TOKEN",
        "required",
        "the Bot User OAuth Token, xoxb-… (OAuth & Permissions)",
        _SLACK,
    ),
    Setting(
        "SLACK_SIGNING_SECRET",
        "required in HTTP mode",
        "verifies that requests come from Slack (Basic Information → Signing Secret)",
        frozenset({RUN, CHECK}),
    ),
    Setting(
        "SLACK_APP_TOKEN",
        "empty",
        "app-level token, xapp-…, scope connections:write: when set, Kring runs in Socket Mode "
        "(manifest.yml turns Socket Mode on); empty means HTTP mode",
        frozenset({RUN, CHECK}),
    ),
    Setting(
        "SLACK_API_URL",
        DEFAULT_SLACK_API_URL,
        "another Web API base (GovSlack, a local stand-in)",
        _SLACK,
    ),
    Setting(
        "DATABASE_URL",
        DEFAULT_DATABASE_URL,
        "an SQLite file, or postgresql+psycopg://user:pw@host/db",
        _DATABASE,
    ),
    Setting(
        "HOST",
        DEFAULT_HOST,
        "the address Kring's HTTP servers listen on (events in HTTP mode, and metrics)",
        frozenset({RUN}),
    ),
    Setting(
        "PORT",
        "3000",
        "HTTP mode's port for /slack/events and /healthz",
        frozenset({RUN}),
    ),
    Setting(
        "METRICS_PORT",
        "off",
        "a port of its own for Prometheus /metrics and /healthz, in both modes",
        frozenset({RUN}),
    ),
    Setting("LOG_LEVEL", "INFO", "DEBUG, INFO, WARNING or ERROR", _EVERY),
    Setting("LOG_FORMAT", "text", "text, or json for one JSON object per line", _EVERY),
    Setting(
        "KRING_SCHEDULER",
        "on",
        "off runs no digest or maintenance scheduler in this process (web-only replicas)",
        frozenset({RUN}),
    ),
    Setting(
        "KRING_RETENTION_DAYS", "365", "how many days posts are kept", frozenset({RUN, MAINTENANCE})
    ),
    Setting(
        "KRING_BACKFILL_DAYS",
        "90",
        "how many days of a public channel's history Kring imports when it joins it, and "
        "`kring backfill` imports",
        frozenset({RUN, BACKFILL}),
    ),
    Setting(
        "KRING_DEPARTMENT_FIELD",
        "empty",
        "the custom profile field (label or id) holding departments; empty: the one labelled "
        "Department, Afdeling or Team, else departments are guessed from titles",
        frozenset({RUN}),
    ),
    Setting(
        "KRING_ENV_FILE",
        ".env",
        "the file the other settings are read from; the environment wins over it",
        _EVERY,
    ),
)


def settings_help(command: str, width: int = 88) -> str:
    """The settings ``command`` reads, one per entry, for its ``--help``."""
    import textwrap

    used = [s for s in SETTINGS if command in s.commands]
    column = max(len(s.name) for s in used) + 4
    lines = ["settings (environment variables, or lines in the KRING_ENV_FILE, default .env):"]
    for s in used:
        default = (
            f"({s.default})" if s.default.startswith("required") else f"(default: {s.default})"
        )
        lines += textwrap.wrap(
            f"{s.help} {default}",
            width,
            initial_indent=f"  {s.name:<{column - 2}}",
            subsequent_indent=" " * column,
        )
    return "\n".join(lines)


def uses(command: str, name: str) -> bool:
    return any(s.name == name and command in s.commands for s in SETTINGS)


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    host: str = DEFAULT_HOST
    port: int = 3000
    metrics_port: int | None = None
    log_level: str = "INFO"
    log_format: str = "text"
    scheduler: bool = True
    retention_days: int = 365
    department_field: str | None = None  # a custom profile field's label or id
    backfill_days: int = 90

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def secrets(self) -> list[str]:
        """What logs must never show."""
        return [s for s in (self.slack_bot_token, self.slack_signing_secret) if s] + (
            [self.slack_app_token] if self.slack_app_token else []
        )

    def __repr__(self) -> str:
        # Secrets must never reach logs, even through an accidental repr().
        return (
            f"Settings(socket_mode={self.socket_mode}, slack_api_url={self.slack_api_url!r}, "
            f"database_url={redact_url(self.database_url)!r}, host={self.host!r}, "
            f"port={self.port}, metrics_port={self.metrics_port}, "
            f"log_level={self.log_level!r}, log_format={self.log_format!r}, "
            f"scheduler={self.scheduler})"
        )

    __str__ = __repr__


def redact_url(url: str) -> str:
    """Hide a password in a database URL (``postgresql://user:secret@host`` → ``user:***``)."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user, colon, _ = creds.partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}@{host}"


def _required(env: Mapping[str, str], name: str, hint: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"{name} is not set: {hint}")
    return value


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (env.get(name, "").strip() or default).lower()
    if value not in choices:
        raise SettingsError(f"{name} must be {' or '.join(choices)}, got {value!r}")
    return value


def database_url_from(env: Mapping[str, str]) -> str:
    """The database URL alone (for `kring db upgrade`, which needs no Slack tokens)."""
    database_url = env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    if not database_url.startswith(("sqlite://", "postgresql+psycopg://")):
        raise SettingsError(
            "DATABASE_URL must be sqlite:///path/to/kring.db or postgresql+psycopg://user@host/db,"
            f" got {redact_url(database_url)!r}"
        )
    return database_url


def _bot_token(env: Mapping[str, str]) -> str:
    token = _required(
        env,
        "SLACK_BOT_TOKEN",
        "copy the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page "
        "into .env",
    )
    if not token.startswith("xoxb-"):
        raise SettingsError(
            "SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-' "
            "(OAuth & Permissions → Bot User OAuth Token)"
        )
    return token


def _app_token(env: Mapping[str, str]) -> str | None:
    token = env.get("SLACK_APP_TOKEN", "").strip() or None
    if token is not None and not token.startswith("xapp-"):
        raise SettingsError(
            "SLACK_APP_TOKEN must be an app-level token starting with 'xapp-' "
            "(Basic Information → App-Level Tokens, scope connections:write), or left empty "
            "for HTTP mode"
        )
    return token


def _api_url(env: Mapping[str, str]) -> str:
    api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_SLACK_API_URL
    if not api_url.startswith(("http://", "https://")):
        raise SettingsError(f"SLACK_API_URL must be an http(s) URL, got {api_url!r}")
    return api_url if api_url.endswith("/") else api_url + "/"


def _log_level(env: Mapping[str, str]) -> str:
    log_level = (env.get("LOG_LEVEL", "").strip() or "INFO").upper()
    if log_level not in logging.getLevelNamesMapping():
        raise SettingsError(
            f"LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, got {log_level!r}"
        )
    return log_level


def _metrics_port(env: Mapping[str, str]) -> int | None:
    raw = env.get("METRICS_PORT", "").strip().lower()
    if raw in ("", "off"):
        return None
    return _int(env, "METRICS_PORT", 0, 1, 65535)


def load_settings(env: Mapping[str, str], *, command: str = RUN) -> Settings:
    """The settings ``command`` uses, from an environment mapping, or SettingsError naming the
    fault. Settings the command does not use keep their defaults and are not looked at."""

    def used(name: str) -> bool:
        return uses(command, name)

    bot_token = _bot_token(env) if used("SLACK_BOT_TOKEN") else ""
    app_token = _app_token(env) if used("SLACK_APP_TOKEN") else None
    signing_secret = env.get("SLACK_SIGNING_SECRET", "").strip()
    if command == RUN and app_token is None and not signing_secret:
        # Socket Mode needs no signing secret: Slack's requests arrive over Kring's own
        # authenticated connection. (`kring check` reports a missing one as a failed check.)
        raise SettingsError(
            "SLACK_SIGNING_SECRET is not set: HTTP mode needs it to verify Slack's requests; "
            "copy the Signing Secret from your Slack app's Basic Information page into .env "
            "(or set SLACK_APP_TOKEN for Socket Mode)"
        )
    port = _int(env, "PORT", 3000, 1, 65535) if used("PORT") else 3000
    metrics_port = _metrics_port(env) if used("METRICS_PORT") else None
    if metrics_port is not None and metrics_port == port and app_token is None:
        raise SettingsError(
            f"METRICS_PORT must differ from PORT ({port}): metrics stay off the events server"
        )
    return Settings(
        slack_bot_token=bot_token,
        slack_signing_secret=signing_secret if used("SLACK_SIGNING_SECRET") else "",
        slack_app_token=app_token,
        slack_api_url=_api_url(env) if used("SLACK_API_URL") else DEFAULT_SLACK_API_URL,
        database_url=database_url_from(env) if used("DATABASE_URL") else DEFAULT_DATABASE_URL,
        host=(env.get("HOST", "").strip() or DEFAULT_HOST) if used("HOST") else DEFAULT_HOST,
        port=port,
        metrics_port=metrics_port,
        log_level=_log_level(env),
        log_format=_choice(env, "LOG_FORMAT", "text", LOG_FORMATS),
        scheduler=_choice(env, "KRING_SCHEDULER", "on", ("on", "off")) == "on"
        if used("KRING_SCHEDULER")
        else True,
        retention_days=_int(env, "KRING_RETENTION_DAYS", 365, 1, 36500)
        if used("KRING_RETENTION_DAYS")
        else 365,
        backfill_days=_int(env, "KRING_BACKFILL_DAYS", 90, 1, 36500)
        if used("KRING_BACKFILL_DAYS")
        else 90,
        department_field=(env.get("KRING_DEPARTMENT_FIELD", "").strip() or None)
        if used("KRING_DEPARTMENT_FIELD")
        else None,
    )
