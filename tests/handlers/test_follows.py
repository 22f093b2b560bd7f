"""`/kring follow`, `unfollow` and `following`, called directly."""

from __future__ import annotations

from collections.abc import Callable

from handlers.calls import Call, Reply
from handlers.follows import cmd_follow, cmd_following, cmd_unfollow
from tests.handlers.conftest import Workspace
from ui.i18n import t


def run(w: Workspace, handler: Callable[[Call], Reply], *args: str, lang: str = "en") -> str:
    with w.deps.sessions.begin() as session:
        return handler(w.call(session, *args, lang=lang)).text


def test_follow_says_what_is_new_what_was_already_followed_and_what_was_refused(
    workspace: Workspace,
) -> None:
    assert run(workspace, cmd_follow, "#release") == t("follow.done", "en", targets="#release")
    answered = run(workspace, cmd_follow, "#release", "<@U0BOB>", "<@U0ANN>").splitlines()
    assert answered == [
        t("follow.done", "en", targets="<@U0BOB>"),
        t("follow.already", "en", targets="#release"),
        t("target.self", "en"),
    ]


def test_following_lists_people_and_tags(workspace: Workspace) -> None:
    assert run(workspace, cmd_following) == t("following.none", "en")
    run(workspace, cmd_follow, "#release", "<@U0BOB>")
    listing = run(workspace, cmd_following, lang="nl").splitlines()
    assert listing == [
        t("following.people", "nl", count=1, people="<@U0BOB>"),
        t("following.tags", "nl", count=1, tags="#release"),
    ]


def test_unfollow_says_what_was_not_followed(workspace: Workspace) -> None:
    run(workspace, cmd_follow, "#release")
    assert run(workspace, cmd_unfollow, "#release", "#design").splitlines() == [
        t("unfollow.done", "en", targets="#release"),
        t("unfollow.not_following", "en", targets="#design"),
    ]


def test_without_targets_each_explains_itself(workspace: Workspace) -> None:
    assert run(workspace, cmd_follow) == t("error.nothing_to_follow", "en")
    assert run(workspace, cmd_unfollow) == t("error.nothing_to_unfollow", "en")
