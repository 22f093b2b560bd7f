"""End-to-end fixtures: the stand-in Slack and Kring running against it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from standin.harness import Running, running_kring
from standin.slack import StandinSlack


@pytest.fixture
def kring(db_url: str, standin: StandinSlack) -> Iterator[Running]:
    with running_kring(db_url, standin) as running:
        yield running
