"""Metrics where Slack meets Kring: every request Bolt answers, every 429 the Web API sends."""

from __future__ import annotations

import time
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryHandler, RetryState

from telemetry import metrics


class MeteredApp(App):
    """A Bolt app that counts each request by type and outcome and times its acknowledgement.

    Kring's listeners run before Slack hears the answer (process_before_response), in HTTP and
    Socket Mode alike, so the time ``dispatch`` takes is the time to the acknowledgement.
    """

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        started = time.perf_counter()
        response = super().dispatch(req)
        metrics.observe_request(
            metrics.request_type(req.body), response.status, time.perf_counter() - started
        )
        return response


class RateLimitCounter(RetryHandler):
    """Counts Slack's 429 answers by method and never retries itself: it goes first in the
    client's retry handlers, and slack_sdk's RateLimitErrorRetryHandler after it waits and
    retries."""

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code == 429:
            metrics.SLACK_RATE_LIMITED.labels(_method(request.url)).inc()
        return False

    def _can_retry(self, **_: Any) -> bool:  # the base class's hook; can_retry decides alone
        return False


def _method(url: str) -> str:
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return name if name.replace(".", "").isalnum() and len(name) <= 60 else "other"
