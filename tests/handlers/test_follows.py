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


def topic(name: str, lang: str = "en") -> str:
    return t("follow.topic", lang, tag=f"#{name}")


def test_a_channel_kring_is_in_is_followed_with_its_tag(workspace: Workspace) -> None:
    # Kring has not seen #design's name yet: a plain #design is the tag, as ever.
    assert run(workspace, cmd_follow, "#design") == t("follow.done", "en", targets="#design")
    # Picked from Slack's list, it is the channel too (and its name is cached from then on).
    assert run(workspace, cmd_follow, "<#C0DESIGN|design>") == t(
        "follow.done", "en", targets=topic("design")
    )
    assert run(workspace, cmd_follow, "#design") == t(
        "follow.already", "en", targets=topic("design")
    )
    assert run(workspace, cmd_following, lang="nl").splitlines() == [
        t("following.no_people", "nl"),
        t("following.tags", "nl", count=1, tags=topic("design", "nl")),
    ]
    assert run(workspace, cmd_unfollow, "#design") == t(
        "unfollow.done", "en", targets=topic("design")
    )
    assert run(workspace, cmd_following) == t("following.none", "en")
    # Once the name is known, a plain #design finds the channel.
    assert run(workspace, cmd_follow, "#design") == t("follow.done", "en", targets=topic("design"))


def test_private_and_foreign_channels_stay_tags(workspace: Workspace) -> None:
    workspace.standin.add_channel("C0ELSEWHERE", "elsewhere", is_member=False)
    answer = run(workspace, cmd_follow, "<#C0SECRET|secret>", "<#C0ELSEWHERE|elsewhere>")
    assert answer == t("follow.done", "en", targets="#elsewhere and #secret")
    assert run(workspace, cmd_follow, "#elsewhere") == t(
        "follow.already", "en", targets="#elsewhere"
    )


def test_a_renamed_channel_stays_followed_under_its_new_name(workspace: Workspace) -> None:
    from storage.channels import remember_channel

    run(workspace, cmd_follow, "<#C0DESIGN>")
    with workspace.deps.sessions.begin() as session:
        remember_channel(
            session=session,
            team_id="T0001",
            channel_id="C0DESIGN",
            name="ux",
            now=workspace.deps.clock(),
        )
    channel = t("follow.channel", "en", channel="#ux")
    assert run(workspace, cmd_following).splitlines()[1] == t(
        "following.tags", "en", count=2, tags=f"#design, {channel}"
    )
    # The tag #ux was never followed: only the channel is said to be undone.
    assert run(workspace, cmd_unfollow, "#ux") == t("unfollow.done", "en", targets=channel)
    assert run(workspace, cmd_unfollow, "#ux") == t(
        "unfollow.not_following", "en", targets=t("follow.topic", "en", tag="#ux")
    )
