"""Tokens and secrets never reach the logs."""

from __future__ import annotations

import logging

import pytest

from bot.logs import RedactingFilter


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
