"""Tokens and secrets never reach the logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

from bot.logs import QUIET_AT_INFO, RedactingFilter, configure


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """configure() sets up the root logger for a process; put back what pytest had."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    quiet = {name: logging.getLogger(name).level for name in QUIET_AT_INFO}
    bolt_filters = logging.getLogger("kring.bolt").filters[:]
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, was in quiet.items():
        logging.getLogger(name).setLevel(was)
    logging.getLogger("kring.bolt").filters[:] = bolt_filters


def test_tokens_and_secrets_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("kring.test.redact")
    caplog.handler.addFilter(RedactingFilter(["my-signing-secret"]))
    with caplog.at_level(logging.DEBUG):
        logger.debug("headers %s", {"Authorization": "Bearer xoxb-123-456-abcDEF"})
        logger.info("secret is my-signing-secret and app token xapp-1-A1-2-b3")
        try:
            raise RuntimeError("failed with xoxb-999-888-zzz")
        except RuntimeError:
            logger.exception("boom")
    text = caplog.text
    for leaked in (
        "xoxb-123-456-abcDEF",
        "my-signing-secret",
        "xapp-1-A1-2-b3",
        "xoxb-999-888-zzz",
    ):
        assert leaked not in text
    assert "xoxb-***" in text


def emit(capsys: pytest.CaptureFixture[str], fmt: str) -> list[str]:
    """Log a forged line, a secret and a traceback through Kring's own set-up; stderr lines."""
    configure("INFO", secrets=["signing-secret-xyz"], fmt=fmt)
    logger = logging.getLogger("kring.test.format")
    logger.info(
        "channel renamed to %s",
        "ops\n2026-01-01 00:00:00,000 ERROR kring: forged line\r",
    )
    logger.warning("secret signing-secret-xyz and token xoxb-1-2-abc")
    try:
        raise RuntimeError("failed with xoxb-9-9-zzz")
    except RuntimeError:
        logger.exception("boom")
    return capsys.readouterr().err.splitlines()


def test_text_logs_keep_user_values_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    lines = emit(capsys, "text")
    renamed = [line for line in lines if "channel renamed" in line]
    assert len(renamed) == 1
    assert renamed[0].endswith("ops\\n2026-01-01 00:00:00,000 ERROR kring: forged line\\r")
    assert not any(line.startswith("2026-01-01") for line in lines)
    text = "\n".join(lines)
    for leaked in ("signing-secret-xyz", "xoxb-1-2-abc", "xoxb-9-9-zzz"):
        assert leaked not in text


def test_json_logs_are_one_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    records = [json.loads(line) for line in emit(capsys, "json")]
    assert len(records) == 3
    assert records[0]["message"].endswith("forged line\r")
    assert (records[0]["level"], records[0]["logger"]) == ("INFO", "kring.test.format")
    assert "RuntimeError" in records[2]["exc_info"]
    text = json.dumps(records)
    for leaked in ("signing-secret-xyz", "xoxb-1-2-abc", "xoxb-9-9-zzz"):
        assert leaked not in text


def test_bolts_token_warning_is_dropped_and_others_kept(capsys: pytest.CaptureFixture[str]) -> None:
    configure("INFO")
    bolt = logging.getLogger("kring.bolt")
    bolt.warning(warning_client_prioritized_and_token_skipped())
    bolt.warning("a warning worth reading")
    err = capsys.readouterr().err
    assert "will be unused" not in err
    assert "a warning worth reading" in err


def test_start_up_narration_is_quiet_at_info_and_back_at_debug() -> None:
    configure("INFO")
    assert not logging.getLogger("alembic.runtime.plugins").isEnabledFor(logging.INFO)
    configure("DEBUG")
    assert logging.getLogger("alembic.runtime.plugins").isEnabledFor(logging.DEBUG)
