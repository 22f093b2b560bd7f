"""Settings fail fast with one clear line, and never show secrets."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings

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


def test_the_department_field_is_a_label_or_an_id_or_unset() -> None:
    assert load_settings(BASE).department_field is None
    assert load_settings({**BASE, "KRING_DEPARTMENT_FIELD": "  "}).department_field is None
    chosen = load_settings({**BASE, "KRING_DEPARTMENT_FIELD": " Cost centre "})
    assert chosen.department_field == "Cost centre"
