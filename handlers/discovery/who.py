"""`/kring who #tag` and `/kring who <words>`: the people with most expertise on a tag, or on
what the words are about (found in what they wrote, with their best post as evidence)."""

from __future__ import annotations

from collections.abc import Sequence

from handlers import lookups
from handlers.calls import Call, Reply, is_word
from handlers.discovery.common import (
    active,
    answer,
    follow_button,
    follows,
    open_link,
    people,
    permalinks,
    title_of,
)
from handlers.targets import CHANNEL_REF, USER_REF, shorten
from storage.discovery import experts
from storage.follows import Target
from storage.posts import posts_by_id
from storage.search import experts_by_words
from storage.text import normalize_tag
from ui.blocks import Item
from ui.i18n import tn
from ui.mrkdwn import channel, mrkdwn_name, mrkdwn_text, named, tag
from ui.text import SEPARATOR

MAX_EXPERTS = 10
EVIDENCE_EXCERPT = 160
# The words travel in block ids (``kring:who:~<words>:<n>``) to redraw the answer after a
# click: short, and without the ``:`` that separates the parts. A tag never starts with ``~``.
WORDS_MARK = "~"
MAX_WORDS_ARG = 80
_AROUND = "?!.,;\"'“”‘’()[]{}¿¡"


def words_arg(words: Sequence[str]) -> str:
    """The question's words as they are kept in block ids (and looked up again on redraw)."""
    spaced = " ".join(words).replace(":", " ").replace("`", " ")
    # Punctuation around a word ("migrations?") is part of the question, not of the words.
    flat = " ".join(filter(None, (w.strip(_AROUND) for w in spaced.split()))).casefold()
    if len(flat) <= MAX_WORDS_ARG:
        return flat
    # A long question keeps its first whole words: half a word would match nothing.
    clipped = flat[: MAX_WORDS_ARG + 1]
    whole = clipped.rsplit(" ", 1)[0] if " " in clipped else clipped
    return whole[:MAX_WORDS_ARG].strip()


def is_ref(word: str) -> bool:
    """A word naming a tag or a channel exactly (`#design`, `<#C1|design>`)."""
    return word.startswith("#") or CHANNEL_REF.match(word) is not None


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
    if not asked or any(USER_REF.match(w) for w in asked):
        return Reply(call.t("usage.who"))
    if not any(is_ref(w) for w in asked):
        query = words_arg(asked)
        return who_words(call, query) if query else Reply(call.t("usage.who"))
    if len(asked) != 1:
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
    """The answer for the tag ``arg`` (or ``~words``) drawn again after a click."""
    if arg.startswith(WORDS_MARK):
        query = words_arg([arg[len(WORDS_MARK) :]])
        return who_words(call, query) if query else Reply(call.t("usage.who"))
    found = normalize_tag(arg)
    return who(call, found) if found else Reply(call.t("usage.who"))


def who(call: Call, topic: str) -> Reply:
    lang = call.asker.lang
    now = call.deps.clock()
    ranked = experts(
        session=call.session,
        team_id=call.asker.team_id,
        tag=topic,
        now=now,
        limit=MAX_EXPERTS,
        kept_since=call.deps.kept_since(now),
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


def who_words(call: Call, query: str) -> Reply:
    """The people whose posts match ``query`` best, each with their best post as evidence."""
    lang = call.asker.lang
    team_id = call.asker.team_id
    now = call.deps.clock()
    ranked = experts_by_words(
        session=call.session,
        team_id=team_id,
        query=query,
        now=now,
        limit=MAX_EXPERTS,
        kept_since=call.deps.kept_since(now),
    )
    profiles = people(call, [e.user_id for e in ranked])
    ranked = [e for e in ranked if active(profiles, e.user_id)]
    if not ranked:
        return Reply(call.t("who.words_nobody", words=mrkdwn_name(query)))
    evidence = posts_by_id(
        session=call.session, team_id=team_id, post_ids=[e.best_post_id for e in ranked]
    )
    links = permalinks(call, [(p.channel_id, p.ts) for p in evidence.values()])
    followed = follows(call)
    items: list[Item] = []
    for expert in ranked:
        stats = call.t(
            "who.stats",
            posts=tn("discovery.posts", expert.posts, lang),
            reactions=tn("discovery.reactions", expert.reactions, lang),
            replies=tn("discovery.replies", expert.replies, lang),
        )
        lines = [
            f"{len(items) + 1}. {named(expert.user_id, title_of(profiles.get(expert.user_id)))}",
            stats,
        ]
        if (post := evidence.get(expert.best_post_id)) is not None:
            lines.append("> " + " ".join(mrkdwn_text(post.text, EVIDENCE_EXCERPT).split()))
            where = [channel(post.channel_id), open_link(call, links, post.channel_id, post.ts)]
            lines.append(SEPARATOR.join(filter(None, where)))
        button = follow_button(
            call, Target("person", expert.user_id), followed, "discovery.button.follow"
        )
        items.append(Item("\n".join(lines), button))
    return answer(
        "who",
        WORDS_MARK + query,
        head=call.t("who.words_header", words=mrkdwn_name(query)),
        items=items,
    )
