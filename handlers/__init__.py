"""Bolt listeners. Each module exposes ``register(app, deps)``."""

from __future__ import annotations

from slack_bolt import App

from handlers import actions, commands, events, home, mentions, privacy
from handlers.deps import Deps


def register_all(app: App, deps: Deps) -> None:
    """Attach every listener to the Bolt app.

    Bolt tries listeners in the order they were added, running each one's matchers, until one
    matches: the busiest kind of request (a channel message) goes first.
    """
    for module in (events, commands, mentions, actions, home, privacy):
        module.register(app, deps)
