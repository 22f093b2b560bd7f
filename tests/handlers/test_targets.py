"""Reading what people type after a command: people, tags and channel links."""

from __future__ import annotations

from handlers.targets import resolve_targets, shorten, tokens
from storage.follows import Target
from tests.handlers.conftest import Workspace
from ui.i18n import t


def test_tokens_keep_slack_references_whole() -> None:
    assert tokens("follow <@U1|ann bakker>, #x  <#C1|design>") == [
        "follow",
        "<@U1|ann bakker>",
        "#x",
        "<#C1|design>",
    ]


def test_shorten_keeps_long_words_readable_in_code_spans() -> None:
    assert shorten("a`b") == "a'b"
    assert shorten("x" * 50) == "x" * 39 + "…"


def test_people_tags_and_channels_become_targets(shared_workspace: Workspace) -> None:
    with shared_workspace.deps.sessions.begin() as session:
        call = shared_workspace.call(session)
        resolved = resolve_targets(
            call, ["<@U0BOB|bob>", "#Release", "<#C0DESIGN>", "<#C0SECRET>"], checking_people=True
        )
    assert resolved.targets == [
        Target("tag", "release"),
        Target("tag", "design"),
        Target("person", "U0BOB"),
    ]
    assert resolved.problems == [t("target.channel_unknown", "en")]


def test_each_refused_word_gets_its_own_sentence(shared_workspace: Workspace) -> None:
    with shared_workspace.deps.sessions.begin() as session:
        call = shared_workspace.call(session)
        words = ["release", "@someone", "#!!!", "<@U0DEPLOY>", "<@U0GONE>", "<@U0NOBODY>"]
        resolved = resolve_targets(call, words, checking_people=True)
    assert resolved.targets == []
    assert resolved.problems == [
        t("target.not_understood", "en", token="release"),
        t("target.unknown_name", "en", token="@someone"),
        t("target.bad_tag", "en", token="#!!!"),
        t("target.bot", "en", user="<@U0DEPLOY>"),
        t("target.deactivated", "en", user="<@U0GONE>"),
        t("target.unknown_user", "en", user="<@U0NOBODY>"),
    ]


def test_people_are_not_checked_when_it_does_not_matter(shared_workspace: Workspace) -> None:
    with shared_workspace.deps.sessions.begin() as session:
        call = shared_workspace.call(session)
        resolved = resolve_targets(call, ["<@U0NOBODY>"], checking_people=False)
    assert resolved.targets == [Target("person", "U0NOBODY")]
