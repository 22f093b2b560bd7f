"""Every `/kring` subcommand, declared once.

One :class:`Command` per subcommand holds everything about it: the words people type for it,
its handler, its usage and help lines, whether its answer is private, whether it is slow,
what it still does after answering and how its answer is drawn again after a button click.
Everything else is derived from :data:`COMMANDS`: `/kring help`, the dispatcher
(handlers.commands), what a mention answers privately (handlers.mentions) and button redraws
(handlers.actions). The README ("Adding a /kring subcommand") shows how to add one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from slack_sdk import WebClient

from handlers.admin import chart_after_stats, cmd_admin
from handlers.calls import Call, Reply, Subcommand, is_word, typed_words
from handlers.deps import Deps
from handlers.digest_commands import cmd_digest, digest_now
from handlers.discovery import followers, profile, search, suggest, trending, who
from handlers.follows import cmd_follow, cmd_following, cmd_unfollow
from handlers.payloads import clean_text
from handlers.preferences import cmd_language, cmd_mute, cmd_unmute
from handlers.privacy import cmd_export, cmd_forget_me, cmd_opt_in, cmd_opt_out, send_export
from handlers.targets import tokens
from ui.blocks import parse_block_id
from ui.i18n import t


class SlowWork(Protocol):
    """Work that may outlast Slack's 3 seconds; returns the sentence to answer with."""

    def __call__(
        self, deps: Deps, client: WebClient, *, team_id: str, user_id: str, lang: str
    ) -> str: ...


class AfterAnswer(Protocol):
    """What a command still does once its answer is out; ``args`` as typed after its name."""

    def __call__(
        self, deps: Deps, client: WebClient, *, team_id: str, user_id: str, args: Sequence[str]
    ) -> None: ...


# Draws a command's answer again for the argument its block ids carry (ui.blocks.block_id).
Redraw = Callable[[Call, str], Reply]


@dataclass(frozen=True)
class Slow:
    """A command whose work may outlast Slack's 3 seconds. Slack is answered at once with the
    sentence ``started``; ``work`` runs afterwards and its answer goes through response_url.

    ``word`` is the catalog key of the one argument that makes the command slow (`digest
    *now*`); without it, the command is slow when given no arguments at all (`export`).
    """

    started: str
    work: SlowWork
    word: str | None = None

    def applies(self, args: Sequence[str]) -> bool:
        if self.word is None:
            return not args
        return len(args) == 1 and is_word(args[0], self.word)


@dataclass(frozen=True)
class Command:
    """One subcommand. Every text is a catalog key (ui.i18n), so it exists in each language."""

    # The English name: always understood, shown in help texts, and the view name in the block
    # ids of its answer.
    name: str
    # The words people may type for it (``input.command.<name>``), in every language.
    names: str
    handler: Subcommand
    # What `/kring <name> help` answers.
    usage: str
    # Its line in `/kring help`; related commands (mute and unmute) share one.
    help: str
    # About the asker alone: asked through @Kring in a channel, only the asker sees the answer.
    personal: bool = False
    slow: Slow | None = None
    after: AfterAnswer | None = None
    redraw: Redraw | None = None

    def words(self) -> frozenset[str]:
        """Everything people may type for this command, in any language."""
        return typed_words(self.names) | {self.name}


def cmd_help(call: Call) -> Reply:
    return Reply(help_text(call.asker.lang))


COMMANDS: tuple[Command, ...] = (
    Command(
        "follow",
        names="input.command.follow",
        handler=cmd_follow,
        usage="usage.follow",
        help="help.follow",
        personal=True,
    ),
    Command(
        "unfollow",
        names="input.command.unfollow",
        handler=cmd_unfollow,
        usage="usage.unfollow",
        help="help.unfollow",
        personal=True,
    ),
    Command(
        "following",
        names="input.command.following",
        handler=cmd_following,
        usage="usage.following",
        help="help.following",
        personal=True,
    ),
    Command(
        "digest",
        names="input.command.digest",
        handler=cmd_digest,
        usage="usage.digest",
        help="help.digest",
        personal=True,
        slow=Slow(started="digest.now.started", work=digest_now, word="input.digest.now"),
    ),
    Command(
        "who",
        names="input.command.who",
        handler=who.cmd_who,
        usage="usage.who",
        help="help.who",
        redraw=who.redraw,
    ),
    Command(
        "search",
        names="input.command.search",
        handler=search.cmd_search,
        usage="usage.search",
        help="help.search",
        redraw=search.redraw,
    ),
    Command(
        "trending",
        names="input.command.trending",
        handler=trending.cmd_trending,
        usage="usage.trending",
        help="help.trending",
        redraw=trending.redraw,
    ),
    Command(
        "profile",
        names="input.command.profile",
        handler=profile.cmd_profile,
        usage="usage.profile",
        help="help.profile",
        redraw=profile.redraw,
    ),
    Command(
        "suggest",
        names="input.command.suggest",
        handler=suggest.cmd_suggest,
        usage="usage.suggest",
        help="help.suggest",
        personal=True,
        redraw=suggest.redraw,
    ),
    Command(
        "followers",
        names="input.command.followers",
        handler=followers.cmd_followers,
        usage="usage.followers",
        help="help.followers",
        personal=True,
        redraw=followers.redraw,
    ),
    Command(
        "mute",
        names="input.command.mute",
        handler=cmd_mute,
        usage="usage.mute",
        help="help.mute",
        personal=True,
    ),
    Command(
        "unmute",
        names="input.command.unmute",
        handler=cmd_unmute,
        usage="usage.unmute",
        help="help.mute",
        personal=True,
    ),
    Command(
        "language",
        names="input.command.language",
        handler=cmd_language,
        usage="usage.language",
        help="help.language",
        personal=True,
    ),
    Command(
        "opt-out",
        names="input.command.opt_out",
        handler=cmd_opt_out,
        usage="usage.opt_out",
        help="help.privacy",
        personal=True,
    ),
    Command(
        "opt-in",
        names="input.command.opt_in",
        handler=cmd_opt_in,
        usage="usage.opt_in",
        help="help.privacy",
        personal=True,
    ),
    Command(
        "export",
        names="input.command.export",
        handler=cmd_export,
        usage="usage.export",
        help="help.privacy",
        personal=True,
        slow=Slow(started="privacy.export.started", work=send_export),
    ),
    Command(
        "forget-me",
        names="input.command.forget_me",
        handler=cmd_forget_me,
        usage="usage.forget_me",
        help="help.privacy",
        personal=True,
    ),
    Command(
        "admin",
        names="input.command.admin",
        handler=cmd_admin,
        usage="usage.admin",
        help="help.admin",
        personal=True,
        after=chart_after_stats,
    ),
    Command(
        "help",
        names="input.command.help",
        handler=cmd_help,
        usage="usage.help",
        help="help.help",
    ),
)


# --- derived --------------------------------------------------------------------------------


@cache
def _by_word() -> dict[str, Command]:
    table: dict[str, Command] = {}
    for command in COMMANDS:
        for word in command.words():
            if table.setdefault(word, command) is not command:
                raise ValueError(f"{word!r} names both {table[word].name} and {command.name}")
    return table


def find(word: str) -> Command | None:
    """The command ``word`` names, in any language (`volg` and `follow` alike)."""
    return _by_word().get(word.casefold())


def named(name: str) -> Command:
    """The command with the English name ``name``."""
    return next(command for command in COMMANDS if command.name == name)


@dataclass(frozen=True)
class Asked:
    """A command text read against the registry."""

    word: str  # the first word, as typed ("" for an empty text)
    command: Command | None  # None when the first word names no command
    args: list[str]

    @property
    def wants_usage(self) -> bool:
        """`/kring follow help`, `/kring volg hulp`, `/kring follow ?`: explain the command."""
        if self.command is None or self.command.name == "help" or not self.args:
            return False
        return self.args[0] == "?" or find(self.args[0]) is named("help")

    @property
    def slow(self) -> Slow | None:
        """The slow part of the command, when these arguments make it slow."""
        if self.command is None or self.command.slow is None or self.wants_usage:
            return None
        return self.command.slow if self.command.slow.applies(self.args) else None


def read(text: str) -> Asked:
    """What ``text`` (everything after `/kring` or `@Kring`) asks for."""
    words = tokens(clean_text(text).strip())
    if not words:
        return Asked("", None, [])
    return Asked(words[0], find(words[0]), words[1:])


def help_keys() -> list[str]:
    """The lines of `/kring help`, in the order of :data:`COMMANDS`, each once."""
    return list(dict.fromkeys(command.help for command in COMMANDS))


def help_text(lang: str) -> str:
    lines = [t("help.intro", lang), "", t("help.commands", lang)]
    lines += [f"• {t(key, lang)}" for key in help_keys()]
    lines += ["", t("help.mention", lang)]
    return "\n".join(lines)


def view_of(block_id: str) -> tuple[str, str] | None:
    """The (view, argument) an answer's block was drawn for, when that view can be redrawn."""
    found = parse_block_id(block_id)
    if found is None:
        return None
    command = next((c for c in COMMANDS if c.name == found[0]), None)
    return found if command is not None and command.redraw is not None else None


def rerender(view: str, arg: str, call: Call) -> Reply:
    """The answer of ``view`` for ``arg`` (from :func:`view_of`) drawn again, as the command
    would draw it now; ``call.args`` is not used. Raises ValueError for an unknown view."""
    command = next((c for c in COMMANDS if c.name == view), None)
    if command is None or command.redraw is None:
        raise ValueError(f"unknown view {view!r}")
    return command.redraw(call, arg)
