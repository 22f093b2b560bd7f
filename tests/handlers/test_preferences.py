"""`/kring mute`, `unmute` and `language`, called directly."""

from __future__ import annotations

from collections.abc import Callable

from handlers.calls import Call, Reply
from handlers.preferences import cmd_language, cmd_mute, cmd_unmute
from storage.models import Person
from tests.handlers.conftest import ANN, TEAM, Workspace
from ui.i18n import t


def run(w: Workspace, handler: Callable[[Call], Reply], *args: str) -> str:
    with w.deps.sessions.begin() as session:
        return handler(w.call(session, *args)).text


def test_mute_refuses_yourself_but_mutes_the_rest(workspace: Workspace) -> None:
    answered = run(workspace, cmd_mute, "<@U0ANN>", "#lunch").splitlines()
    assert answered == [t("mute.done", "en", targets="#lunch"), t("mute.self", "en")]
    assert run(workspace, cmd_mute, "#lunch") == t("mute.already", "en", targets="#lunch")


def test_mute_without_targets_shows_what_is_muted(workspace: Workspace) -> None:
    assert run(workspace, cmd_mute) == t("error.nothing_to_mute", "en")
    run(workspace, cmd_mute, "#lunch")
    assert run(workspace, cmd_mute).splitlines()[1] == t("mute.list", "en", targets="#lunch")


def test_unmute_says_what_was_not_muted(workspace: Workspace) -> None:
    run(workspace, cmd_mute, "#lunch")
    assert run(workspace, cmd_unmute, "#lunch", "#x").splitlines() == [
        t("unmute.done", "en", targets="#lunch"),
        t("unmute.not_muted", "en", targets="#x"),
    ]
    assert run(workspace, cmd_unmute) == t("error.nothing_to_unmute", "en")


def test_language_is_chosen_reset_and_refused(workspace: Workspace) -> None:
    assert run(workspace, cmd_language, "NL") == t("language.set", "nl")
    with workspace.deps.sessions() as session:
        person = session.get(Person, (TEAM, ANN))
        assert person is not None and person.language == "nl"
    assert run(workspace, cmd_language, "auto") == t(
        "language.auto", "en", language=t("language.name.en", "en")
    )
    assert run(workspace, cmd_language, "klingon") == t("language.unknown", "en", bad="klingon")
