"""Settings fail fast with one clear line, and never show secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import (
    CHECK,
    DB_UPGRADE,
    DIGEST_RUN,
    SETTINGS,
    SettingsError,
    load_settings,
    settings_help,
)

REPO = Path(__file__).resolve().parents[2]

BASE = {"SLACK_BOT_TOKEN": "xoxb-1-abc", "SLACK_SIGNING_SECRET": "s3cr3t-signing"}


def test_defaults_are_http_mode_on_sqlite() -> None:
    s = load_settings(BASE)
    assert not s.socket_mode
    assert s.database_url == "sqlite:///kring.db"
    assert s.slack_api_url == "https://slack.com/api/"
    assert (s.port, s.scheduler, s.log_level) == (3000, True, "INFO")


def test_app_token_switches_to_socket_mode() -> None:
    assert load_settings({**BASE, "SLACK_APP_TOKEN": "xapp-1-x"}).socket_mode


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SLACK_SIGNING_SECRET": "x"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({**BASE, "SLACK_BOT_TOKEN": "xoxp-user"}, "SLACK_BOT_TOKEN"),
        ({**BASE, "SLACK_APP_TOKEN": "nope"}, "SLACK_APP_TOKEN"),
        ({**BASE, "PORT": "eighty"}, "PORT"),
        ({**BASE, "PORT": "70000"}, "PORT"),
        ({**BASE, "KRING_SCHEDULER": "maybe"}, "KRING_SCHEDULER"),
        ({**BASE, "DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({**BASE, "SLACK_API_URL": "ftp://x"}, "SLACK_API_URL"),
        ({**BASE, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({**BASE, "LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({**BASE, "METRICS_PORT": "prometheus"}, "METRICS_PORT"),
        ({**BASE, "METRICS_PORT": "3000"}, "METRICS_PORT"),
    ],
)
def test_bad_setting_is_named_in_one_line(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(env)
    assert named in str(err.value)
    assert "\n" not in str(err.value)


def test_postgres_urls_use_psycopg() -> None:
    s = load_settings({**BASE, "DATABASE_URL": "postgres://u:pw@h/db"})
    assert s.database_url == "postgresql+psycopg://u:pw@h/db"


def test_settings_repr_hides_secrets() -> None:
    s = load_settings(
        {**BASE, "DATABASE_URL": "postgresql://u:pw@h/db", "SLACK_APP_TOKEN": "xapp-1-y"}
    )
    shown = repr(s) + str(s)
    for secret in ("xoxb-1-abc", "s3cr3t-signing", "xapp-1-y", ":pw@"):
        assert secret not in shown


def test_settings_are_frozen() -> None:
    s = load_settings(BASE)
    with pytest.raises(AttributeError):
        s.port = 1  # type: ignore[misc]


def test_defaults_for_operators() -> None:
    s = load_settings(BASE)
    assert (s.host, s.metrics_port, s.log_format) == ("0.0.0.0", None, "text")
    s = load_settings({**BASE, "HOST": "127.0.0.1", "METRICS_PORT": "9100", "LOG_FORMAT": "JSON"})
    assert (s.host, s.metrics_port, s.log_format) == ("127.0.0.1", 9100, "json")
    assert load_settings({**BASE, "METRICS_PORT": "off"}).metrics_port is None


def test_socket_mode_needs_no_signing_secret() -> None:
    s = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1-x"})
    assert s.socket_mode and s.slack_signing_secret == ""


def test_each_command_asks_only_for_the_settings_it_uses() -> None:
    # A digest pass needs the bot token and the database, never the signing secret or a port.
    s = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "PORT": "not a port"}, command=DIGEST_RUN)
    assert s.slack_bot_token == "xoxb-1"
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN"):
        load_settings({}, command=DIGEST_RUN)
    # `kring db upgrade` needs no Slack at all.
    assert load_settings({"SLACK_BOT_TOKEN": "nonsense"}, command=DB_UPGRADE).slack_bot_token == ""
    # `kring check` reports a missing signing secret as a failed check, not a settings error.
    assert load_settings({"SLACK_BOT_TOKEN": "xoxb-1"}, command=CHECK).slack_signing_secret == ""


def test_every_setting_is_documented_in_the_readme_and_env_example() -> None:
    readme = (REPO / "README.md").read_text()
    example = (REPO / ".env.example").read_text()
    for setting in SETTINGS:
        assert f"| `{setting.name}` |" in readme, setting.name
        if setting.name != "KRING_ENV_FILE":  # names the file itself
            assert f"{setting.name}=" in example, setting.name


def test_settings_help_names_each_setting_once() -> None:
    shown = settings_help(DIGEST_RUN)
    assert shown.count("SLACK_BOT_TOKEN") == 1
    assert "SLACK_SIGNING_SECRET" not in shown


def test_the_department_field_is_a_label_or_an_id_or_unset() -> None:
    assert load_settings(BASE).department_field is None
    assert load_settings({**BASE, "KRING_DEPARTMENT_FIELD": "  "}).department_field is None
    chosen = load_settings({**BASE, "KRING_DEPARTMENT_FIELD": " Cost centre "})
    assert chosen.department_field == "Cost centre"
