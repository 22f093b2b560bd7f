"""What every command handler gets and gives back: plain values, no Bolt objects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from handlers.deps import Deps
from storage.follows import Target
from ui.blocks import Reply as Reply
from ui.i18n import LANGUAGES, t, words
from ui.mrkdwn import channel, mention, tag


@dataclass(frozen=True)
class Asker:
    """Who asked, in which workspace, and the language to answer in."""

    team_id: str
    user_id: str
    lang: str = "en"


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
    """How a target reads in Slack: a live mention for people, a channel link for channels,
    #tag for tags."""
    if target.kind == "channel":
        return channel(target.value)
    return mention(target.value) if target.kind == "person" else tag(target.value)


# Most people and tags one command takes: a bound on the work, far beyond what anyone types.
MAX_TARGETS = 25


def too_many_targets(call: Call) -> Reply | None:
    """The refusal for more than MAX_TARGETS arguments, or None."""
    if len(call.args) > MAX_TARGETS:
        return Reply(call.t("error.too_many_targets", limit=MAX_TARGETS))
    return None


def typed_words(key: str) -> frozenset[str]:
    """The words people may type for catalog entry ``key`` (``input.…``), in every language:
    anyone may type any of them, whatever language Kring speaks to them."""
    return frozenset(word for lang in LANGUAGES for word in words(key, lang))


def is_word(typed: str, key: str) -> bool:
    """Whether ``typed`` is one of the words of ``key`` (see :func:`typed_words`)."""
    return typed.casefold() in typed_words(key)
