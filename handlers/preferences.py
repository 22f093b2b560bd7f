"""`/kring mute`, `/kring unmute` and `/kring language`."""

from __future__ import annotations

from handlers.calls import Call, Reply, show, too_many_targets
from handlers.targets import resolve_targets
from storage.follows import Target
from storage.mutes import mute, muted, unmute
from storage.people import get_person, set_language
from ui.i18n import LANGUAGES, join, language_for, t
from ui.mrkdwn import mrkdwn_code


def _listing(call: Call, targets: list[Target]) -> str:
    return join([show(x) for x in targets], call.asker.lang)


def cmd_mute(call: Call) -> Reply:
    if not call.args:
        current = muted(
            session=call.session, team_id=call.asker.team_id, user_id=call.asker.user_id
        )
        text = call.t("error.nothing_to_mute")
        if current:
            text += "\n" + call.t("mute.list", targets=_listing(call, current))
        return Reply(text)
    if (refusal := too_many_targets(call)) is not None:
        return refusal
    # Muting a deactivated person or a bot is harmless, so people are not checked with Slack.
    resolved = resolve_targets(call, call.args, checking_people=False)
    problems = list(resolved.problems)
    targets = [x for x in resolved.targets if x != Target("person", call.asker.user_id)]
    if len(targets) < len(resolved.targets):
        problems.append(call.t("mute.self"))
    new, already = mute(
        session=call.session,
        team_id=call.asker.team_id,
        user_id=call.asker.user_id,
        targets=targets,
        now=call.deps.clock(),
    )
    lines = [call.t("mute.done", targets=_listing(call, new))] if new else []
    if already:
        lines.append(call.t("mute.already", targets=_listing(call, already)))
    return Reply("\n".join(lines + problems))


def cmd_unmute(call: Call) -> Reply:
    if not call.args:
        return Reply(call.t("error.nothing_to_unmute"))
    if (refusal := too_many_targets(call)) is not None:
        return refusal
    resolved = resolve_targets(call, call.args, checking_people=False)
    gone, absent = unmute(
        session=call.session,
        team_id=call.asker.team_id,
        user_id=call.asker.user_id,
        targets=resolved.targets,
    )
    lines = [call.t("unmute.done", targets=_listing(call, gone))] if gone else []
    if absent:
        lines.append(call.t("unmute.not_muted", targets=_listing(call, absent)))
    return Reply("\n".join(lines + resolved.problems))


def cmd_language(call: Call) -> Reply:
    team_id, user_id = call.asker.team_id, call.asker.user_id
    if not call.args:
        person = get_person(session=call.session, team_id=team_id, user_id=user_id)
        lang = call.asker.lang
        how = "language.how.chosen" if person and person.language else "language.how.auto"
        return Reply(
            call.t("language.current", language=t(f"language.name.{lang}", lang), how=call.t(how))
        )
    choice = call.args[0].lower()
    if choice in LANGUAGES:
        set_language(session=call.session, team_id=team_id, user_id=user_id, language=choice)
        return Reply(t("language.set", choice))
    if choice == "auto":
        person = set_language(session=call.session, team_id=team_id, user_id=user_id, language=None)
        lang = language_for(person.locale)
        return Reply(t("language.auto", lang, language=t(f"language.name.{lang}", lang)))
    return Reply(call.t("language.unknown", bad=mrkdwn_code(choice, 20)))
