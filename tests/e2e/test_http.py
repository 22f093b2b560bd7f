"""The HTTP front: signatures, url_verification, health, unknown paths, and what strangers
can't do to it: get a traceback, grow the log, write a line into it, or leak a command's
secrets into it."""

from __future__ import annotations

import json
import logging
import socket
import time
import urllib.request
from urllib.parse import urlencode, urlsplit

import pytest

from standin.harness import SIGNING_SECRET, Running
from telemetry.metrics import REGISTRY
from tests.payloads import event


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_url_verification_echoes_the_challenge(kring: Running) -> None:
    answer = kring.slack.url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    assert answer.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in answer.text


def test_bad_signature_is_refused(kring: Running) -> None:
    body = json.dumps({"type": "event_callback", "event": event("message")}).encode()
    answer = kring.slack.post_raw(
        body,
        "application/json",
        headers={"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"},
        sign=False,
    )
    assert answer.status == 401


def test_stale_timestamp_is_refused(kring: Running) -> None:
    body = json.dumps({"type": "event_callback", "event": event("message")}).encode()
    answer = kring.slack.post_raw(body, "application/json", timestamp=int(time.time()) - 600)
    assert answer.status == 401


def test_unsigned_request_is_refused(kring: Running) -> None:
    answer = kring.slack.post_raw(b"{}", "application/json", sign=False)
    assert answer.status == 401


def test_an_unsigned_request_is_counted_as_refused_unverified(kring: Running) -> None:
    def refused() -> float:
        found = REGISTRY.get_sample_value("kring_events_refused_total", {"type": "unverified"})
        return found or 0.0

    before = refused()
    body = json.dumps({"type": "event_callback", "event": event("message")}).encode()
    assert kring.slack.post_raw(body, "application/json", sign=False).status == 401
    assert refused() == before + 1


def test_healthz_answers_when_the_database_does(kring: Running) -> None:
    status, body = get(kring.url + "/healthz")
    assert status == 200
    assert json.loads(body) == {"ok": True}


def test_healthz_is_503_when_the_database_is_gone(kring: Running) -> None:
    from sqlalchemy import create_engine

    from bot.web import make_wsgi

    broken = create_engine("sqlite:////nonexistent-directory/kring.db")
    wsgi = make_wsgi(kring.kring.app, broken, signing_secret=SIGNING_SECRET)
    seen: list[str] = []
    body = b"".join(
        wsgi(
            {"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"},
            lambda status, headers, exc_info=None: seen.append(status),  # type: ignore[arg-type]
        )
    )
    assert seen == ["503 Service Unavailable"]
    assert json.loads(body)["ok"] is False


def test_unknown_path_is_404(kring: Running) -> None:
    status, _ = get(kring.url + "/nope")
    assert status == 404


def send_headers_only(url: str, headers: str) -> bytes:
    """Send a request's head and none of its body; return what the server answers."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as conn:
        conn.sendall(headers.encode() + b"\r\n")
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
        return answer


def test_an_oversized_body_is_refused_before_it_is_sent(kring: Running) -> None:
    answer = send_headers_only(
        kring.url,
        "POST /slack/events HTTP/1.1\r\nHost: kring\r\nContent-Type: application/json\r\n"
        "Content-Length: 2000000\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 413 ")


JUNK = {
    "malformed json": (b'{"type": "event_callback", "event": {', "application/json", {}),
    "form with junk payload": (
        b"payload=%7Bnot-json&token=x",
        "application/x-www-form-urlencoded",
        {},
    ),
    "not utf-8": (b"\xff\xfe{\x00}", "application/json", {}),
    "text timestamp": (b"{}", "application/json", {"X-Slack-Request-Timestamp": "soon"}),
    "superscript digits": (
        b"{}",
        "application/json",
        {"X-Slack-Request-Timestamp": "\u00b2\u00b3"},
    ),
    "latin-1 signature": (b"{}", "application/json", {"X-Slack-Signature": "v0=\u00e9\u00e9"}),
    "empty": (b"", "application/json", {}),
}


@pytest.mark.parametrize("name", sorted(JUNK))
def test_unsigned_junk_of_any_shape_gets_401_and_no_traceback(
    kring: Running, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    body, content_type, forged = JUNK[name]
    headers = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"}
    headers.update(forged)
    with caplog.at_level(logging.INFO):
        answer = kring.slack.post_raw(body, content_type, headers=headers, sign=False)
    assert answer.status == 401
    assert answer.json() == {"ok": False, "error": "invalid_request"}
    assert "Traceback" not in caplog.text
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_a_signed_body_that_cannot_be_parsed_gets_400_and_no_traceback(
    kring: Running, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        answer = kring.slack.post_raw(b'{"type": "event_callback", "event": {', "application/json")
    assert answer.status == 400
    assert "Traceback" not in caplog.text
    assert "refused request: signed body that could not be parsed" in caplog.text


def test_ten_unsigned_large_posts_barely_grow_the_log(
    kring: Running, caplog: pytest.LogCaptureFixture
) -> None:
    body = b'{"type": "event_callback", "junk": "' + b"x" * 900_000 + b'"}'
    with caplog.at_level(logging.DEBUG):
        before = len(caplog.text)
        for _ in range(10):
            assert kring.slack.post_raw(body, "application/json", sign=False).status == 401
        grown = len(caplog.text) - before
    assert grown < 3_000
    assert "xxxxxxxx" not in caplog.text
    assert f"refused request: unsigned, {len(body)} bytes" in caplog.text


def test_a_newline_in_a_refused_body_cannot_forge_a_log_line(
    kring: Running, caplog: pytest.LogCaptureFixture
) -> None:
    forged = "INFO kring.admin: U0EVE was made a workspace admin"
    body = f'{{"type": "event_callback"}}\n{forged}\n'.encode()
    with caplog.at_level(logging.DEBUG):
        answer = kring.slack.post_raw(
            body,
            "application/json",
            headers={
                "X-Slack-Request-Timestamp": str(int(time.time())),
                "X-Slack-Signature": "v0=1",
            },
            sign=False,
        )
    assert answer.status == 401
    assert "made a workspace admin" not in caplog.text
    assert all("\n" not in record.getMessage() for record in caplog.records)


def test_a_stale_but_genuine_command_leaves_no_secret_in_the_log(
    kring: Running, caplog: pytest.LogCaptureFixture
) -> None:
    """A real command replayed (or delayed) past five minutes: refused, and what it carried
    (its response_url, which can post as Kring, and the verification token) is not logged."""
    response_url = kring.standin.new_response_url()
    form = {
        "token": "kring-verification-token",
        "team_id": "T0001",
        "channel_id": "C0GENERAL",
        "user_id": "U0ANN",
        "command": "/kring",
        "text": "following",
        "response_url": response_url,
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    }
    with caplog.at_level(logging.DEBUG):
        answer = kring.slack.post_raw(
            urlencode(form).encode(),
            "application/x-www-form-urlencoded",
            timestamp=int(time.time()) - 600,
        )
    assert answer.status == 401
    assert "refused request: stale timestamp" in caplog.text
    for secret in (response_url, urlencode({"u": response_url})[2:], "kring-verification-token"):
        assert secret not in caplog.text
    assert kring.standin.response_url_posts() == []
