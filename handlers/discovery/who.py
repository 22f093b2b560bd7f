"""`/kring who #tag`: the people with most expertise on a tag."""

from __future__ import annotations

from collections.abc import Sequence

from handlers import lookups
from handlers.calls import Call, Reply, is_word
from handlers.discovery.common import active, answer, follow_button, follows, people, title_of
from handlers.targets import CHANNEL_REF, USER_REF, shorten
from storage.discovery import experts
from storage.follows import Target
from storage.text import normalize_tag
from ui.blocks import Item
from ui.i18n import tn
from ui.mrkdwn import named, tag

MAX_EXPERTS = 10


def question_words(args: Sequence[str]) -> list[str]:
    """The words of `/kring who …` without the question around them ("knows about", "?")."""
    kept = list(args)
    while len(kept) > 1 and is_word(kept[0], "input.question_words"):
        kept.pop(0)
    while len(kept) > 1 and not any(ch.isalnum() for ch in kept[-1]):
        kept.pop()
    return kept


def cmd_who(call: Call) -> Reply:
    asked = question_words(call.args)
    if len(asked) != 1 or USER_REF.match(asked[0]):
        return Reply(call.t("usage.who"))
    word = asked[0]
    if m := CHANNEL_REF.match(word):
        name = (m.group(2) or "").strip()
        if not name:
            names = lookups.channel_names(
                session=call.session,
                client=call.client,
                team_id=call.asker.team_id,
                channel_ids=[m.group(1)],
                now=call.deps.clock(),
            )
            name = names.get(m.group(1), "")
        found = normalize_tag(name) if name else None
        if found is None:
            return Reply(call.t("who.channel_unknown"))
    else:
        found = normalize_tag(word)
        if found is None:
            return Reply(call.t("who.bad_tag", token=shorten(word)))
    return who(call, found)


def redraw(call: Call, arg: str) -> Reply:
    """The answer for the tag ``arg`` drawn again after a click."""
    found = normalize_tag(arg)
    return who(call, found) if found else Reply(call.t("usage.who"))


def who(call: Call, topic: str) -> Reply:
    lang = call.asker.lang
    ranked = experts(
        session=call.session,
        team_id=call.asker.team_id,
        tag=topic,
        now=call.deps.clock(),
        limit=MAX_EXPERTS,
    )
    if not ranked:
        return Reply(call.t("who.nobody", tag=tag(topic)))
    profiles = people(call, [e.user_id for e in ranked])
    followed = follows(call)
    items: list[Item] = []
    for expert in [e for e in ranked if active(profiles, e.user_id)]:
        stats = call.t(
            "who.stats",
            posts=tn("discovery.posts", expert.posts, lang),
            reactions=tn("discovery.reactions", expert.reactions, lang),
            replies=tn("discovery.replies", expert.replies, lang),
        )
        line = f"{len(items) + 1}. {named(expert.user_id, title_of(profiles.get(expert.user_id)))}"
        button = follow_button(
            call, Target("person", expert.user_id), followed, "discovery.button.follow"
        )
        items.append(Item(f"{line}\n{stats}", button))
    if not items:
        return Reply(call.t("who.nobody", tag=tag(topic)))
    tag_button = follow_button(call, Target("tag", topic), followed, "discovery.button.follow_tag")
    return answer(
        "who",
        topic,
        head=call.t("who.header", tag=tag(topic)),
        items=items,
        head_buttons=[tag_button] if tag_button else [],
    )
