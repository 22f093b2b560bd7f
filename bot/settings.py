"""Kring's configuration: read once from the environment into one frozen object."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///kring.db"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line a person can act on."""


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str
    slack_signing_secret: str
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    port: int = 3000
    log_level: str = "INFO"
    scheduler: bool = True
    retention_days: int = 365
    department_field: str | None = None  # a custom profile field's label or id

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    def __repr__(self) -> str:
        # Secrets must never reach logs, even through an accidental repr().
        return (
            f"Settings(socket_mode={self.socket_mode}, slack_api_url={self.slack_api_url!r}, "
            f"database_url={redact_url(self.database_url)!r}, port={self.port}, "
            f"log_level={self.log_level!r}, scheduler={self.scheduler})"
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


def load_settings(env: Mapping[str, str]) -> Settings:
    """Build the settings from an environment mapping, or raise SettingsError naming the fault."""
    bot_token = _required(
        env,
        "SLACK_BOT_TOKEN",
        "copy the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page "
        "into .env",
    )
    if not bot_token.startswith("xoxb-"):
        raise SettingsError(
            "SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-' "
            "(OAuth & Permissions → Bot User OAuth Token)"
        )
    signing_secret = _required(
        env,
        "SLACK_SIGNING_SECRET",
        "copy the Signing Secret from your Slack app's Basic Information page into .env",
    )
    app_token = env.get("SLACK_APP_TOKEN", "").strip() or None
    if app_token is not None and not app_token.startswith("xapp-"):
        raise SettingsError(
            "SLACK_APP_TOKEN must be an app-level token starting with 'xapp-' "
            "(Basic Information → App-Level Tokens, scope connections:write), or left empty "
            "for HTTP mode"
        )
    api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_SLACK_API_URL
    if not api_url.startswith(("http://", "https://")):
        raise SettingsError(f"SLACK_API_URL must be an http(s) URL, got {api_url!r}")
    if not api_url.endswith("/"):
        api_url += "/"
    database_url = database_url_from(env)
    log_level = (env.get("LOG_LEVEL", "").strip() or "INFO").upper()
    if log_level not in logging.getLevelNamesMapping():
        raise SettingsError(
            f"LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, got {log_level!r}"
        )
    scheduler_raw = (env.get("KRING_SCHEDULER", "").strip() or "on").lower()
    if scheduler_raw not in ("on", "off"):
        raise SettingsError(f"KRING_SCHEDULER must be 'on' or 'off', got {scheduler_raw!r}")
    return Settings(
        slack_bot_token=bot_token,
        slack_signing_secret=signing_secret,
        slack_app_token=app_token,
        slack_api_url=api_url,
        database_url=database_url,
        port=_int(env, "PORT", 3000, 1, 65535),
        log_level=log_level,
        scheduler=scheduler_raw == "on",
        retention_days=_int(env, "KRING_RETENTION_DAYS", 365, 1, 36500),
        department_field=env.get("KRING_DEPARTMENT_FIELD", "").strip() or None,
    )
