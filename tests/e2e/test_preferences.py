"""`/kring mute`, `/kring unmute`, `/kring language`."""

from __future__ import annotations

from standin.harness import Running


def ask(kring: Running, text: str, user_id: str = "U0ANN") -> str:
    answer = kring.slack.command(text, user_id=user_id)
    assert answer.status == 200
    return str(answer.json()["text"])


def test_mute_and_unmute_people_and_tags(kring: Running) -> None:
    assert "Muted <@U0BOB> and #lunch" in ask(kring, "mute <@U0BOB|bob> #Lunch")
    assert "already muted #lunch" in ask(kring, "mute #lunch")
    assert "#lunch" in ask(kring, "mute")
    assert "can't mute yourself" in ask(kring, "mute <@U0ANN>")
    assert "Unmuted #lunch" in ask(kring, "unmute #lunch")
    assert "hadn't muted #lunch" in ask(kring, "unmute #lunch")


def test_language_can_be_chosen_and_reset(kring: Running) -> None:
    assert "English" in ask(kring, "language")
    assert "Nederlands" in ask(kring, "language nl")
    assert "Je volgt nu #design" in ask(kring, "follow #design")
    assert "Kring praat Nederlands" in ask(kring, "taal")
    assert "Kring now speaks English" in ask(kring, "language en")
    assert "follows your Slack language (English)" in ask(kring, "language auto")
    assert "`klingon`" in ask(kring, "language klingon")


def test_dutch_locale_gets_dutch_answers(kring: Running) -> None:
    kring.standin.add_user("U0NL", "eva", real_name="Eva de Boer", locale="nl-NL")
    assert "Je volgt nu #release" in ask(kring, "follow #release", user_id="U0NL")
    assert "Opdrachten" in ask(kring, "help", user_id="U0NL")
