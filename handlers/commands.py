"""The `/kring` command and its subcommands (also reached by mentioning @Kring)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers import lookups
from handlers.admin import ADMIN_SUBCOMMANDS, after_answer
from handlers.calls import Asker, Call, Reply, Subcommand, show
from handlers.deps import Deps
from handlers.digest_commands import digest_now, digest_reply, is_digest_now
from handlers.discovery import DISCOVERY_ALIASES, DISCOVERY_SUBCOMMANDS
from handlers.payloads import clean_text
from handlers.preferences import PREFERENCE_SUBCOMMANDS
from handlers.privacy import PRIVACY_SUBCOMMANDS, is_export, send_export
from handlers.targets import resolve_targets, shorten, tokens
from storage.follows import MAX_FOLLOWS, Target, follow, following, unfollow
from storage.people import get_people
from ui.i18n import join, language_for, t

log = logging.getLogger(__name__)

MAX_TEXT = 2000
MAX_TARGETS = 25
# Characters for each list of `/kring following` (people, tags): with both, the answer stays
# under 3,000, what one block of text may hold, whatever someone follows.
LIST_BUDGET = 1_400


# --- help ------------------------------------------------------------------------------------
HELP_KEYS = (
    "help.follow",
    "help.unfollow",
    "help.following",
    "help.digest",
    "help.who",
    "help.trending",
    "help.profile",
    "help.suggest",
    "help.followers",
    "help.mute",
    "help.language",
    "help.privacy",
    "help.admin",
    "help.help",
)


def help_text(lang: str) -> str:
    lines = [t("help.intro", lang), "", t("help.commands", lang)]
    lines += [f"• {t(key, lang)}" for key in HELP_KEYS]
    lines += ["", t("help.mention", lang)]
    return "\n".join(lines)


def cmd_help(call: Call) -> Reply:
    return Reply(help_text(call.asker.lang))


# --- follow / unfollow / following ---------------------------------------------------------------
def _too_many(call: Call) -> Reply | None:
    if len(call.args) > MAX_TARGETS:
        return Reply(call.t("error.too_many_targets", limit=MAX_TARGETS))
    return None


def _outcome(call: Call, groups: list[tuple[str, list[Target]]], problems: list[str]) -> Reply:
    """One line per non-empty group ("You now follow …"), then each refusal."""
    lines = [
        call.t(key, targets=join([show(x) for x in targets], call.asker.lang))
        for key, targets in groups
        if targets
    ]
    return Reply("\n".join(lines + problems))


def cmd_follow(call: Call) -> Reply:
    if not call.args:
        return Reply(call.t("error.nothing_to_follow"))
    if (refusal := _too_many(call)) is not None:
        return refusal
    resolved = resolve_targets(call, call.args, checking_people=True)
    done = follow(
        session=call.session,
        team_id=call.asker.team_id,
        follower_id=call.asker.user_id,
        targets=resolved.targets,
        now=call.deps.clock(),
    )
    problems = resolved.problems
    if done.over_limit:
        shown = join([show(x) for x in done.over_limit], call.asker.lang)
        problems = [*problems, call.t("follow.limit", limit=MAX_FOLLOWS, targets=shown)]
    return _outcome(call, [("follow.done", done.new), ("follow.already", done.already)], problems)


def cmd_unfollow(call: Call) -> Reply:
    if not call.args:
        return Reply(call.t("error.nothing_to_unfollow"))
    if (refusal := _too_many(call)) is not None:
        return refusal
    resolved = resolve_targets(call, call.args, checking_people=False)
    gone, absent = unfollow(
        session=call.session,
        team_id=call.asker.team_id,
        follower_id=call.asker.user_id,
        targets=resolved.targets,
    )
    groups = [("unfollow.done", gone), ("unfollow.not_following", absent)]
    return _outcome(call, groups, resolved.problems)


def listed(items: list[str], budget: int, lang: str) -> str:
    """``a, b, c`` with as many of ``items`` as fit in ``budget`` characters, then "…and N more"."""
    shown: list[str] = []
    used = 0
    for item in items:
        used += len(item) + 2
        if used > budget:
            break
        shown.append(item)
    text = ", ".join(shown)
    if len(shown) < len(items):
        text += " " + t("following.more", lang, count=len(items) - len(shown))
    return text


def cmd_following(call: Call) -> Reply:
    targets = following(
        session=call.session, team_id=call.asker.team_id, follower_id=call.asker.user_id
    )
    if not targets:
        return Reply(call.t("following.none"))
    people = [show(x) for x in targets if x.kind == "person"]
    tags = [show(x) for x in targets if x.kind == "tag"]
    lang = call.asker.lang
    lines = [
        call.t("following.people", count=len(people), people=listed(people, LIST_BUDGET, lang))
        if people
        else call.t("following.no_people"),
        call.t("following.tags", count=len(tags), tags=listed(tags, LIST_BUDGET, lang))
        if tags
        else call.t("following.no_tags"),
    ]
    return Reply("\n".join(lines))


def cmd_digest(call: Call) -> Reply:
    return Reply(
        digest_reply(
            call.deps,
            call.client,
            call.session,
            team_id=call.asker.team_id,
            user_id=call.asker.user_id,
            lang=call.asker.lang,
            args=call.args,
        )
    )


# name -> (implementation, catalog key of its usage line)
SUBCOMMANDS: dict[str, tuple[Subcommand, str]] = {
    "help": (cmd_help, "usage.help"),
    "follow": (cmd_follow, "usage.follow"),
    "unfollow": (cmd_unfollow, "usage.unfollow"),
    "following": (cmd_following, "usage.following"),
    "digest": (cmd_digest, "usage.digest"),
    **PREFERENCE_SUBCOMMANDS,
    **PRIVACY_SUBCOMMANDS,
    **ADMIN_SUBCOMMANDS,
}
SUBCOMMANDS.update(DISCOVERY_SUBCOMMANDS)
ALIASES = {
    **DISCOVERY_ALIASES,
    "volg": "follow",
    "ontvolg": "unfollow",
    "volgend": "following",
    "hulp": "help",
    "overzicht": "digest",
    "demp": "mute",
    "taal": "language",
}


def run_command(deps: Deps, client: WebClient, *, team_id: str, user_id: str, text: str) -> Reply:
    """Answer one command text for one person; the whole command is one transaction."""
    text = clean_text(text).strip()
    with deps.sessions.begin() as session:
        # The asker's own profile gives their language and the time zone of their digest.
        person = lookups.people(
            session=session, client=client, team_id=team_id, user_ids=[user_id], now=deps.clock()
        ).get(user_id)
        asker = Asker(
            team_id, user_id, language_for(person.locale, person.language) if person else "en"
        )
        if len(text) > MAX_TEXT:
            return Reply(t("error.too_long", asker.lang, length=len(text), limit=MAX_TEXT))
        words = tokens(text)
        if not words:
            return Reply(help_text(asker.lang))
        name = words[0].lower()
        name = ALIASES.get(name, name)
        if name not in SUBCOMMANDS:
            unknown = t("error.unknown_command", asker.lang, command=shorten(words[0]))
            return Reply(unknown + "\n\n" + help_text(asker.lang))
        implementation, usage_key = SUBCOMMANDS[name]
        args = words[1:]
        if args and args[0].lower() in ("help", "?", "hulp") and name != "help":
            return Reply(t(usage_key, asker.lang))
        call = Call(deps=deps, client=client, session=session, asker=asker, args=args)
        return implementation(call)


def answer(deps: Deps, client: WebClient, *, team_id: str, user_id: str, text: str) -> Reply:
    """The reply to any command text; a failure becomes a friendly apology, never silence."""
    try:
        if is_slow(text):
            # Runs outside run_command's transaction: it opens its own per step.
            lang = asker_language(deps, team_id, user_id)
            if is_export(_first_words(text)):
                return Reply(send_export(deps, client, team_id=team_id, user_id=user_id, lang=lang))
            return Reply(digest_now(deps, client, team_id=team_id, user_id=user_id, lang=lang))
        return run_command(deps, client, team_id=team_id, user_id=user_id, text=text)
    except Exception:
        log.exception("command failed")
        return Reply(t("error.internal", asker_language(deps, team_id, user_id)))


def is_slow(text: str) -> bool:
    """Commands whose work could approach Slack's 3 seconds are acknowledged first."""
    words = _first_words(text)
    return is_digest_now(words) or is_export(words)


def _first_words(text: str) -> list[str]:
    return tokens(clean_text(text).strip())[:3]


def asker_language(deps: Deps, team_id: str, user_id: str) -> str:
    """The asker's language from the cached profile; English when even that cannot be read."""
    try:
        with deps.sessions() as session:
            people = get_people(session=session, team_id=team_id, user_ids=[user_id])
    except Exception:
        return "en"
    person = people.get(user_id)
    return language_for(person.locale, person.language) if person else "en"


def handle_kring_command(deps: Deps, *, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """The `/kring` slash command: the answer is the (ephemeral) acknowledgement itself."""
    text = str(body.get("text") or "")
    if is_slow(text):
        lang = asker_language(deps, str(body.get("team_id") or ""), str(body.get("user_id") or ""))
        started = (
            "privacy.export.started" if is_export(_first_words(text)) else "digest.now.started"
        )
        ack(text=t(started, lang), response_type="ephemeral")
        return
    reply = answer(
        deps,
        client,
        team_id=str(body.get("team_id") or ""),
        user_id=str(body.get("user_id") or ""),
        text=str(body.get("text") or ""),
    )
    ack(text=reply.text, blocks=reply.blocks, response_type="ephemeral")


def finish_slow_command(
    deps: Deps, *, body: dict[str, Any], client: WebClient, respond: Respond
) -> None:
    """The second half of a slow command: do the work, then answer through response_url."""
    text = str(body.get("text") or "")
    # `admin stats` was answered in the acknowledgement; its chart is uploaded now.
    after_answer(
        deps,
        client,
        team_id=str(body.get("team_id") or ""),
        user_id=str(body.get("user_id") or ""),
        text=text,
    )
    if not is_slow(text):
        return
    reply = answer(
        deps,
        client,
        team_id=str(body.get("team_id") or ""),
        user_id=str(body.get("user_id") or ""),
        text=text,
    )
    respond(text=reply.text, response_type="ephemeral", replace_original=False)


def register(app: App, deps: Deps) -> None:
    def _ack(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        handle_kring_command(deps, ack=ack, body=body, client=client)

    def _later(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        finish_slow_command(deps, body=body, client=client, respond=respond)

    app.command("/kring")(ack=_ack, lazy=[_later])
