"""What every subcommand gets: the asker's language, targets as shown, typed words."""

from __future__ import annotations

from handlers.calls import MAX_TARGETS, is_word, show, too_many_targets, typed_words
from storage.follows import Target
from tests.handlers.conftest import Workspace
from ui.i18n import t


def test_targets_show_as_a_live_mention_or_a_tag() -> None:
    assert show(Target("person", "U1")) == "<@U1>"
    assert show(Target("tag", "design")) == "#design"


def test_typed_words_of_every_language_count(shared_workspace: Workspace) -> None:
    assert typed_words("input.digest.now") == {"now", "nu"}
    assert is_word("NU", "input.digest.now") and is_word("Now", "input.digest.now")
    assert not is_word("later", "input.digest.now")


def test_more_targets_than_the_limit_are_refused(shared_workspace: Workspace) -> None:
    with shared_workspace.deps.sessions() as session:
        many = shared_workspace.call(session, *(f"#t{n}" for n in range(MAX_TARGETS + 1)))
        enough = shared_workspace.call(session, *(f"#t{n}" for n in range(MAX_TARGETS)))
        refusal = too_many_targets(many)
        assert refusal is not None
        assert refusal.text == t("error.too_many_targets", "en", limit=MAX_TARGETS)
        assert too_many_targets(enough) is None


def test_a_call_speaks_the_askers_language(shared_workspace: Workspace) -> None:
    with shared_workspace.deps.sessions() as session:
        call = shared_workspace.call(session, lang="nl")
        assert call.t("follow.done", targets="#x") == t("follow.done", "nl", targets="#x")
