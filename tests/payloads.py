"""Slack payloads kept as data files in tests/fixtures, loaded with overrides."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).with_name("fixtures")


@cache
def _load(kind: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / kind / f"{name}.json").read_text())
    return data


def event(name: str, **overrides: Any) -> dict[str, Any]:
    """A copy of the event fixture ``name`` with top-level fields replaced."""
    data = copy.deepcopy(_load("events", name))
    data.update(overrides)
    return data
