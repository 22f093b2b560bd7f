"""The stand-in Slack, kept importable under its old name.

It moved to :mod:`bot.standin` so that the shipped ``kring demo`` can use it too; tests and
benchmarks may import it from either place.
"""

from __future__ import annotations

from bot.standin import Call, Response, SlackToApp, StandinSlack, UploadedFile, sign

__all__ = [
    "Call",
    "Response",
    "SlackToApp",
    "StandinSlack",
    "UploadedFile",
    "sign",
]
