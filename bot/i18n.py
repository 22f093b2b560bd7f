"""The one message catalog: every sentence a person reads comes from here."""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter

DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en", "nl")

EN: dict[str, str] = {
    # --- help -------------------------------------------------------------------------------
    "help.intro": (
        "*Kring* turns this Slack into your organisation's social network: follow the colleagues "
        "and #tags you find interesting, and Kring sends you a short daily digest of what they "
        "shared in public channels."
    ),
    "help.commands": "*Commands*",
    "help.follow": "`/kring follow @person #tag` — follow colleagues and tags (several at once)",
    "help.unfollow": "`/kring unfollow @person #tag` — stop following them",
    "help.following": "`/kring following` — the people and tags you follow",
    "help.digest": (
        "`/kring digest` — your digest settings; `/kring digest at 08:30`, "
        "`/kring digest daily|weekdays|weekly monday|off`, `/kring digest now`"
    ),
    "help.help": "`/kring help` — this overview; `/kring <command> help` explains one command",
    "help.mention": (
        "You can also mention me in a channel, e.g. `@Kring follow #release`; I answer in a thread."
    ),
    # --- per-command usage ---------------------------------------------------------------------
    "usage.follow": (
        "Follow people and tags: `/kring follow @ann #release #design`. "
        "Their posts in public channels come to you in your daily digest."
    ),
    "usage.unfollow": "Stop following people and tags: `/kring unfollow @ann #release`.",
    "usage.following": "`/kring following` lists the people and tags you follow.",
    "usage.help": "`/kring help` lists everything Kring can do.",
    # --- errors and refusals ------------------------------------------------------------------
    "error.unknown_command": ("I don't know the command `{command}`. Here is what I can do:"),
    "error.nothing_to_follow": (
        "Tell me whom or what to follow, e.g. `/kring follow @ann #release`."
    ),
    "error.nothing_to_unfollow": (
        "Tell me whom or what to stop following, e.g. `/kring unfollow @ann #release`."
    ),
    "error.too_long": (
        "That is more text than I can read at once ({length} characters; the limit is {limit})."
        " Try a shorter command."
    ),
    "error.too_many_targets": (
        "That is a lot at once: I take at most {limit} people and tags per command."
    ),
    "error.internal": (
        "Sorry, something went wrong on my side and nothing was changed. Please try again in a "
        "moment."
    ),
    "target.not_understood": (
        "I didn't understand `{token}`: use @person (pick them from the list Slack offers) or #tag."
    ),
    "target.unknown_name": (
        "I couldn't find a person called `{token}`: pick them from the list Slack offers while "
        "you type @."
    ),
    "target.tag_too_long": "#{tag_start}… is too long for a tag: tags have at most {limit} characters.",
    "target.bad_tag": (
        "`{token}` is not a tag I can follow: tags are letters, digits, `_` and `-`."
    ),
    "target.self": "You can't follow yourself — but your followers will see what you share.",
    "target.unknown_user": "I couldn't find {user} in this workspace.",
    "target.deactivated": "{user} has left the workspace (their account is deactivated).",
    "target.bot": "{user} is a bot; Kring follows people.",
    "target.channel_unknown": "I couldn't look up that channel, so I can't follow it as a tag.",
    # --- follow results -----------------------------------------------------------------------
    "follow.done": "You now follow {targets}.",
    "follow.already": "You already follow {targets}.",
    "follow.digest_hint": "Their posts will come in your daily digest.",
    "unfollow.done": "You no longer follow {targets}.",
    "unfollow.not_following": "You weren't following {targets}.",
    "following.none": (
        "You don't follow anyone or any tag yet. Try `/kring follow @colleague #topic`."
    ),
    "following.people": "*People you follow ({count}):* {people}",
    "following.tags": "*Tags you follow ({count}):* {tags}",
    "following.no_people": "*People you follow:* none yet",
    "following.no_tags": "*Tags you follow:* none yet",
    "list.and": " and ",
}

NL: dict[str, str] = {
    "help.intro": (
        "*Kring* maakt van deze Slack het sociale netwerk van je organisatie: volg de collega's "
        "en #tags die je interessant vindt, en Kring stuurt je dagelijks een kort overzicht van "
        "wat zij in openbare kanalen deelden."
    ),
    "help.commands": "*Opdrachten*",
    "help.follow": "`/kring follow @persoon #tag` — volg collega's en tags (meerdere tegelijk)",
    "help.unfollow": "`/kring unfollow @persoon #tag` — stop met volgen",
    "help.following": "`/kring following` — wie en wat je volgt",
    "help.digest": (
        "`/kring digest` — je overzicht-instellingen; `/kring digest at 08:30`, "
        "`/kring digest daily|weekdays|weekly monday|off`, `/kring digest now`"
    ),
    "help.help": "`/kring help` — dit overzicht; `/kring <opdracht> help` legt één opdracht uit",
    "help.mention": (
        "Je kunt me ook in een kanaal noemen, bijv. `@Kring follow #release`; ik antwoord in een "
        "draad."
    ),
    "usage.follow": (
        "Volg mensen en tags: `/kring follow @ann #release #design`. "
        "Hun berichten in openbare kanalen krijg je in je dagelijkse overzicht."
    ),
    "usage.unfollow": "Stop met volgen: `/kring unfollow @ann #release`.",
    "usage.following": "`/kring following` toont wie en wat je volgt.",
    "usage.help": "`/kring help` toont alles wat Kring kan.",
    "error.unknown_command": "De opdracht `{command}` ken ik niet. Dit kan ik wel:",
    "error.nothing_to_follow": "Zeg wie of wat je wilt volgen, bijv. `/kring follow @ann #release`.",
    "error.nothing_to_unfollow": (
        "Zeg wie of wat je niet meer wilt volgen, bijv. `/kring unfollow @ann #release`."
    ),
    "error.too_long": (
        "Dat is meer tekst dan ik in één keer lees ({length} tekens; de grens is {limit})."
        " Probeer een kortere opdracht."
    ),
    "error.too_many_targets": "Dat is veel tegelijk: ik neem hooguit {limit} mensen en tags per keer.",
    "error.internal": (
        "Sorry, er ging bij mij iets mis en er is niets veranderd. Probeer het zo nog eens."
    ),
    "target.not_understood": (
        "`{token}` begrijp ik niet: gebruik @persoon (kies uit de lijst die Slack toont) of #tag."
    ),
    "target.unknown_name": (
        "Ik vond niemand die `{token}` heet: kies de persoon uit de lijst die Slack toont als je @ "
        "typt."
    ),
    "target.tag_too_long": "#{tag_start}… is te lang voor een tag: hooguit {limit} tekens.",
    "target.bad_tag": "`{token}` is geen tag die ik kan volgen: tags zijn letters, cijfers, `_` en `-`.",
    "target.self": "Jezelf volgen kan niet — maar je volgers zien wat jij deelt.",
    "target.unknown_user": "Ik vond {user} niet in deze werkruimte.",
    "target.deactivated": "{user} is uit de werkruimte vertrokken (account gedeactiveerd).",
    "target.bot": "{user} is een bot; Kring volgt mensen.",
    "target.channel_unknown": "Ik kon dat kanaal niet opzoeken, dus kan ik het niet als tag volgen.",
    "follow.done": "Je volgt nu {targets}.",
    "follow.already": "Je volgt {targets} al.",
    "follow.digest_hint": "Hun berichten komen in je dagelijkse overzicht.",
    "unfollow.done": "Je volgt {targets} niet meer.",
    "unfollow.not_following": "Je volgde {targets} niet.",
    "following.none": "Je volgt nog niemand en geen tags. Probeer `/kring follow @collega #onderwerp`.",
    "following.people": "*Mensen die je volgt ({count}):* {people}",
    "following.tags": "*Tags die je volgt ({count}):* {tags}",
    "following.no_people": "*Mensen die je volgt:* nog niemand",
    "following.no_tags": "*Tags die je volgt:* nog geen",
    "list.and": " en ",
}

CATALOG: Mapping[str, Mapping[str, str]] = {"en": EN, "nl": NL}


def language_for(locale: str | None) -> str:
    """Map a Slack locale such as ``nl-NL`` to one of Kring's languages."""
    if locale:
        lang = locale.replace("_", "-").split("-", 1)[0].lower()
        if lang in CATALOG:
            return lang
    return DEFAULT_LANGUAGE


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """The sentence ``key`` in ``lang`` (falling back to English), filled with ``values``."""
    template = CATALOG.get(lang, EN).get(key) or EN[key]
    return template.format(**values) if values else template


def join(items: list[str], lang: str = DEFAULT_LANGUAGE) -> str:
    """``a, b and c`` in the person's language."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + t("list.and", lang) + items[-1]


def placeholders(template: str) -> set[str]:
    """The ``{names}`` a template expects (used to check both languages agree)."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}
