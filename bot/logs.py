"""Logging set-up: tokens and secrets never reach a log line, and one record is one line.

``LOG_FORMAT=text`` writes ``time level logger: message``; ``json`` writes one JSON object per
line (python-json-logger). Either way Slack tokens and the given secrets are redacted, and line
breaks inside a message (user-controlled values such as a Slack error or a channel name) are
escaped so that nobody can forge a log line.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterable
from typing import Any

from pythonjsonlogger.json import JsonFormatter

TOKEN_PATTERN = re.compile(r"\b(xox[abposre]|xapp)-[A-Za-z0-9-]+")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(levelname)s %(name)s %(message)s"
JSON_NAMES = {"levelname": "level", "name": "logger"}

# Third-party loggers that narrate every start at INFO; their warnings still show.
QUIET_AT_INFO = ("alembic.runtime.plugins", "alembic.runtime.migration", "apscheduler")


class RedactingFilter(logging.Filter):
    """Replaces Slack tokens and the given secrets in a record's final message."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def redact(self, text: str) -> str:
        text = TOKEN_PATTERN.sub(lambda m: m.group(1) + "-***", text)
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def one_line(text: str) -> str:
    """``text`` with its line breaks written as ``\\n`` (and a backslash as ``\\\\``)."""
    if not any(ch in text for ch in "\\\n\r"):
        return text
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


class TextFormatter(logging.Formatter):
    """The plain format; the message is redacted and kept on its line (tracebacks follow it)."""

    def __init__(self, redactor: RedactingFilter) -> None:
        super().__init__(TEXT_FORMAT)
        self.redactor = redactor

    def formatMessage(self, record: logging.LogRecord) -> str:
        safe = copy.copy(record)
        safe.message = one_line(self.redactor.redact(record.message))
        return super().formatMessage(safe)

    def formatException(self, ei: Any) -> str:
        return self.redactor.redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return self.redactor.redact(super().formatStack(stack_info))


class JsonLineFormatter(JsonFormatter):
    """One JSON object per record: level, logger, message, time (ISO 8601, UTC), and exc_info
    and extras when there are; every string value redacted. JSON escapes line breaks itself."""

    def __init__(self, redactor: RedactingFilter) -> None:
        super().__init__(
            JSON_FIELDS, rename_fields=JSON_NAMES, timestamp="time", json_ensure_ascii=False
        )
        self.redactor = redactor

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {key: self._clean(value) for key, value in log_data.items()}

    def _clean(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.redactor.redact(value)
        if isinstance(value, dict):
            return {k: self._clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._clean(v) for v in value]
        return value


class _DropMessage(logging.Filter):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != self.message


def _quiet_bolt_token_warning() -> None:
    """Bolt warns "As you gave `client` as well, `token` will be unused" whenever
    SLACK_BOT_TOKEN is in the environment, because it reads that variable itself; Kring hands
    Bolt its own client made from the same token, so the warning only misleads."""
    from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

    bolt = logging.getLogger("kring.bolt")
    if not any(isinstance(f, _DropMessage) for f in bolt.filters):
        bolt.addFilter(_DropMessage(warning_client_prioritized_and_token_skipped()))


def configure(level: str, secrets: Iterable[str] = (), *, fmt: str = "text") -> None:
    """Log to stderr at ``level`` in ``fmt`` (text or json), with secrets redacted."""
    redactor = RedactingFilter(secrets)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLineFormatter(redactor) if fmt == "json" else TextFormatter(redactor))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    quiet = logging.getLevelNamesMapping().get(level.upper(), logging.INFO) >= logging.INFO
    for name in QUIET_AT_INFO:
        logging.getLogger(name).setLevel(logging.WARNING if quiet else logging.NOTSET)
    _quiet_bolt_token_warning()
