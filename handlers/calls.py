"""What every command handler gets and gives back: plain values, no Bolt objects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from handlers.deps import Deps
from storage.follows import Target
from ui.i18n import t


@dataclass(frozen=True)
class Asker:
    """Who asked, in which workspace, and the language to answer in."""

    team_id: str
    user_id: str
    lang: str = "en"


@dataclass
class Reply:
    """An answer: mrkdwn text, optionally with Block Kit blocks."""

    text: str
    blocks: list[dict[str, Any]] | None = None


@dataclass
class Call:
    """One command being answered: everything a subcommand needs, as plain values."""

    deps: Deps
    client: WebClient
    session: Session
    asker: Asker
    args: list[str] = field(default_factory=list)

    def t(self, key: str, /, **values: object) -> str:
        return t(key, self.asker.lang, **values)


Subcommand = Callable[[Call], Reply]


def show(target: Target) -> str:
    """How a target reads in Slack: a live mention for people, #tag for tags."""
    return f"<@{target.value}>" if target.kind == "person" else f"#{target.value}"
