"""The HTTP front: signatures, url_verification, health, unknown paths."""

from __future__ import annotations

import json
import time
import urllib.request

from standin.harness import Running
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


def test_healthz_answers_when_the_database_does(kring: Running) -> None:
    status, body = get(kring.url + "/healthz")
    assert status == 200
    assert json.loads(body) == {"ok": True}


def test_healthz_is_503_when_the_database_is_gone(kring: Running) -> None:
    from sqlalchemy import create_engine

    from bot.web import make_wsgi

    broken = create_engine("sqlite:////nonexistent-directory/kring.db")
    wsgi = make_wsgi(kring.kring.app, broken)
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
