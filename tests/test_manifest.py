"""The Slack app manifest is valid and asks for no more than Kring needs."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST_PATH = REPO_ROOT / "manifest.yml"
DEFAULT_SCHEMA_PATH = REPO_ROOT.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"
SCHEMA_ENV_VAR = "KRING_MANIFEST_SCHEMA"

# Every bot event Kring subscribes to, and the bot scope Slack requires to deliver it.
# None means the event needs no scope.
EVENT_SCOPES: dict[str, str | None] = {
    "app_mention": "app_mentions:read",
    "message.channels": "channels:history",
    "reaction_added": "reactions:read",
    "reaction_removed": "reactions:read",
    "user_change": "users:read",
    "team_join": "users:read",
    "channel_rename": "channels:read",
    "channel_archive": "channels:read",
    "channel_unarchive": "channels:read",
    "channel_deleted": "channels:read",
    "channel_left": "channels:read",
    "channel_id_changed": "channels:read",
    "member_joined_channel": "channels:read",
    "member_left_channel": "channels:read",
    "app_home_opened": None,
}

# The least set of bot scopes for what Kring does; anything else must be justified here first.
EXPECTED_BOT_SCOPES = {
    "app_mentions:read",
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "reactions:read",
    "users:read",
    "users.profile:read",
    "files:write",
    "im:write",
}

# Kring only ever looks at public channels.
PRIVATE_SCOPE_PATTERN = re.compile(r"^(groups:.*|im:history|im:read|mpim:.*)$")
PRIVATE_MESSAGE_EVENTS = {"message.groups", "message.im", "message.mpim", "message.app_home"}


def _schema_path() -> Path:
    override = os.environ.get(SCHEMA_ENV_VAR, "").strip()
    return Path(override) if override else DEFAULT_SCHEMA_PATH


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    with MANIFEST_PATH.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict), f"{MANIFEST_PATH} must hold a YAML mapping"
    return data


def _bot_scopes(manifest: dict[str, Any]) -> list[str]:
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert isinstance(scopes, list)
    return [str(scope) for scope in scopes]


def _bot_events(manifest: dict[str, Any]) -> list[str]:
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert isinstance(events, list)
    return [str(event) for event in events]


def _kring_command(manifest: dict[str, Any]) -> dict[str, Any]:
    commands = manifest["features"]["slash_commands"]
    matches = [c for c in commands if c.get("command") == "/kring"]
    assert len(matches) == 1, "manifest must declare exactly one /kring slash command"
    command = matches[0]
    assert isinstance(command, dict)
    return command


def test_manifest_matches_slack_schema(manifest: dict[str, Any]) -> None:
    schema_path = _schema_path()
    if not schema_path.is_file():
        pytest.skip(
            f"Slack manifest schema not found at {schema_path} "
            f"(set {SCHEMA_ENV_VAR} to the path of manifest.schema.1.0.0.json)"
        )
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    validator = validator_cls(schema, format_checker=validator_cls.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors
    )


def test_background_color_is_a_hex_colour(manifest: dict[str, Any]) -> None:
    # The schema spells this constraint "regex", which JSON Schema ignores, so check it here.
    colour = manifest["display_information"]["background_color"]
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", colour), colour


def test_manifest_requests_no_private_conversation_scopes(manifest: dict[str, Any]) -> None:
    oauth_scopes = manifest["oauth_config"]["scopes"]
    for kind in ("bot", "bot_optional", "user", "user_optional"):
        private = [s for s in oauth_scopes.get(kind, []) if PRIVATE_SCOPE_PATTERN.match(s)]
        assert not private, f"{kind} scopes must not reach private conversations: {private}"


def test_manifest_requests_only_the_least_bot_scopes(manifest: dict[str, Any]) -> None:
    scopes = _bot_scopes(manifest)
    assert len(scopes) == len(set(scopes)), f"duplicate bot scopes: {scopes}"
    assert set(scopes) == EXPECTED_BOT_SCOPES
    assert "users:read.email" not in scopes
    assert not manifest["oauth_config"]["scopes"].get("user"), "Kring needs no user scopes"


def test_kring_command_escapes_mentions(manifest: dict[str, Any]) -> None:
    command = _kring_command(manifest)
    # Escaped, Slack sends @person as <@U123|person> and #channel as <#C123|name>: stable ids.
    assert command.get("should_escape") is True
    assert command.get("description")
    assert command.get("usage_hint")


def test_manifest_subscribes_to_public_channel_messages_only(manifest: dict[str, Any]) -> None:
    events = _bot_events(manifest)
    message_events = {e for e in events if e == "message" or e.startswith("message.")}
    assert message_events == {"message.channels"}
    assert not PRIVATE_MESSAGE_EVENTS & set(events)
    assert not manifest["settings"]["event_subscriptions"].get("user_events")


def test_every_bot_event_has_its_required_scope(manifest: dict[str, Any]) -> None:
    events = _bot_events(manifest)
    scopes = set(_bot_scopes(manifest))
    unknown = sorted(set(events) - EVENT_SCOPES.keys())
    assert not unknown, f"add these events to EVENT_SCOPES with their scope: {unknown}"
    missing = {
        event: scope
        for event in events
        if (scope := EVENT_SCOPES[event]) is not None and scope not in scopes
    }
    assert not missing, f"bot events without their required scope: {missing}"


def test_manifest_subscribes_to_every_event_kring_handles(manifest: dict[str, Any]) -> None:
    assert set(_bot_events(manifest)) == EVENT_SCOPES.keys()


def test_manifest_features_and_settings(manifest: dict[str, Any]) -> None:
    assert manifest["_metadata"] == {"major_version": 1, "minor_version": 1}
    app_home = manifest["features"]["app_home"]
    assert app_home["home_tab_enabled"] is True
    assert app_home["messages_tab_enabled"] is True
    # Kring reads no DMs (no message.im), so people are not invited to type into it.
    assert app_home["messages_tab_read_only_enabled"] is True
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False
