"""Finding people and topics: `/kring who`, `trending`, `profile`, `suggest` and `followers`.

Each subcommand reads through storage.discovery and answers with Block Kit: one section per
person or tag, with a Follow button where following is possible. Every block with buttons has
a ``block_id`` of the form ``kring:<view>:<arg>:<n>``, so that after a click the answer can be
drawn again with :func:`view_of` and :func:`rerender`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.errors import SlackClientError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from digests.render import excerpt
from handlers import lookups
from handlers.calls import Call, Reply, Subcommand
from handlers.targets import CHANNEL_REF, USER_REF, resolve_targets, shorten
from storage.digests import cached_permalinks, remember_permalinks
from storage.discovery import experts, follower_ids, profile, suggest, trending
from storage.follows import Target, following
from storage.models import Person, Post
from storage.people import department_label
from storage.text import normalize_tag
from ui.i18n import join, tn

log = logging.getLogger(__name__)

FOLLOW_ACTION = "kring_follow"
UNFOLLOW_ACTION = "kring_unfollow"
MUTE_ACTION = "kring_mute"

VIEWS = ("who", "trending", "profile", "suggest", "followers")

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_BUTTON_TEXT = 75
MAX_TITLE_CHARS = 80
MAX_EXPERTS = 10
MAX_TRENDS = 10
MAX_SUGGESTIONS = 10
MAX_FOLLOWERS_SHOWN = 30
MAX_RECENT_POSTS = 3
POST_EXCERPT = 200
# Lists show up to 30 people; their titles need not be fresher than this, because user_change
# events keep cached profiles current, and 30 users.info calls would not fit in 3 seconds.
LIST_PROFILE_MAX_AGE = timedelta(days=7)

# `/kring trending 7d`: the window in days.
WINDOWS = {
    "7d": 7,
    "7": 7,
    "1w": 7,
    "week": 7,
    "30d": 30,
    "30": 30,
    "1m": 30,
    "month": 30,
    "maand": 30,
}
# Words of a question before the tag: `/kring who knows about #design`.
FILLER = frozenset({"knows", "know", "about", "on", "weet", "iets", "van", "over"})

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_PERMALINK_RE = re.compile(r"https?://[^\s\x00-\x1f\x7f<>|]{1,1000}")
# A post excerpt in a channel thread must not notify a whole channel or group.
_BROADCAST_RE = re.compile(
    r"<!(here|channel|everyone)(?:\|[^>]*)?>|<!subteam\^[A-Za-z0-9]+(?:\|([^>]*))?>"
)
_SEPARATOR = " · "


# --- pure pieces ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    """A button as plain values; ``label`` is already in the asker's language."""

    action_id: str
    label: str
    value: str


@dataclass(frozen=True)
class Item:
    """One entry of an answer: mrkdwn, and at most one button beside it."""

    text: str
    button: Button | None = None


def view_of(block_id: str) -> tuple[str, str] | None:
    """The (view, argument) an answer's block was drawn for, from ``kring:<view>:<arg>:<n>``."""
    parts = block_id.split(":")
    if len(parts) != 4 or parts[0] != "kring" or parts[1] not in VIEWS or not parts[3].isdigit():
        return None
    return parts[1], parts[2]


def block_id(view: str, arg: str, n: int) -> str:
    """The id of the ``n``-th block with buttons in the answer of ``view`` for ``arg``."""
    return f"kring:{view}:{arg}:{n}"


def parse_window(arg: str | None) -> int | None:
    """Days of a `/kring trending` window: `7d` (the default) or `30d`; None when unknown."""
    if arg is None:
        return 7
    return WINDOWS.get(arg.strip().lower())


def question_words(args: Sequence[str]) -> list[str]:
    """The words of `/kring who …` without the question around them ("knows about", "?")."""
    words = list(args)
    while len(words) > 1 and words[0].lower() in FILLER:
        words.pop(0)
    while len(words) > 1 and not any(ch.isalnum() for ch in words[-1]):
        words.pop()
    return words


def inert(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    """Someone's own words (a title) as mrkdwn that cannot format, link or mention anything."""
    flat = " ".join(_CONTROL_RE.sub(" ", text).split())
    flat = re.sub(r"[*_~`]", "", flat)
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quiet(mrkdwn: str) -> str:
    """``mrkdwn`` with @here, @channel, @everyone and user-group mentions made plain text."""

    def plain(match: re.Match[str]) -> str:
        name = match.group(1) or re.sub(r"[*_~`]", "", match.group(2) or "").lstrip("@")
        return "@" + (name or "group")

    return _BROADCAST_RE.sub(plain, mrkdwn)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fit(text: str, limit: int = MAX_SECTION_TEXT) -> str:
    """mrkdwn cut safely to ``limit`` characters (UTF-16 units, as Slack counts)."""
    if _utf16_len(text) <= limit:
        return text
    size = limit
    cut = excerpt(text, size)
    while _utf16_len(cut) > limit and size > 0:
        # A character is at most two units, so this never cuts more than needed.
        size -= max(1, (_utf16_len(cut) - limit + 1) // 2)
        cut = excerpt(text, size)
    return cut


def _clip_plain(text: str, limit: int) -> str:
    while _utf16_len(text) > limit:
        text = text[: len(text) - max(1, _utf16_len(text) - limit) - 1] + "…"
    return text


def _button(button: Button) -> ButtonElement:
    return ButtonElement(
        action_id=button.action_id,
        text=PlainTextObject(text=_clip_plain(button.label, MAX_BUTTON_TEXT), emoji=True),
        value=button.value,
    )


def answer(
    view: str,
    arg: str,
    *,
    head: str,
    items: Sequence[Item] = (),
    head_buttons: Sequence[Button] = (),
    more: int = 0,
    more_line: Callable[[int], str] | None = None,
) -> Reply:
    """An answer as fallback text and blocks, within Slack's limits for any input.

    ``more_line(n)`` is shown when ``n`` people or tags were left out: ``more`` of them by the
    caller, the rest because they would not fit in Slack's 50 blocks.
    """
    numbered = iter(range(MAX_BLOCKS))
    blocks: list[Block] = []
    accessory = _button(head_buttons[0]) if len(head_buttons) == 1 else None
    blocks.append(
        SectionBlock(
            block_id=block_id(view, arg, next(numbered)) if accessory else None,
            text=MarkdownTextObject(text=fit(head)),
            accessory=accessory,
        )
    )
    if len(head_buttons) > 1:
        blocks.append(
            ActionsBlock(
                block_id=block_id(view, arg, next(numbered)),
                elements=[_button(b) for b in head_buttons[:25]],
            )
        )
    # One block stays free for the "and N more" line.
    room = MAX_BLOCKS - len(blocks) - 1
    shown = list(items[:room])
    more += len(items) - len(shown)
    for item in shown:
        blocks.append(
            SectionBlock(
                block_id=block_id(view, arg, next(numbered)) if item.button else None,
                text=MarkdownTextObject(text=fit(item.text)),
                accessory=_button(item.button) if item.button else None,
            )
        )
    lines = [head, *(item.text for item in shown)]
    if more > 0 and more_line is not None:
        tail = fit(more_line(more))
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=tail)]))
        lines.append(tail)
    return Reply(text="\n".join(lines), blocks=[b.to_dict() for b in blocks])


def _mention(user_id: str) -> str:
    return f"<@{user_id}>"


def _tag(tag: str) -> str:
    return "#" + inert(tag)


def _named(user_id: str, person: Person | None) -> str:
    title = inert(person.title) if person is not None and person.title else ""
    return f"{_mention(user_id)} — {title}" if title else _mention(user_id)


# --- shared look-ups --------------------------------------------------------------------------


def _follows(call: Call) -> set[Target]:
    return set(
        following(session=call.session, team_id=call.asker.team_id, follower_id=call.asker.user_id)
    )


def _people(
    call: Call, user_ids: Sequence[str], max_age: timedelta = LIST_PROFILE_MAX_AGE
) -> dict[str, Person]:
    return lookups.people(
        session=call.session,
        client=call.client,
        team_id=call.asker.team_id,
        user_ids=user_ids,
        now=call.deps.clock(),
        max_age=max_age,
        departments=call.deps.departments,
    )


def _active(people: dict[str, Person], user_id: str) -> bool:
    # Someone Slack could not describe just now is still shown; only known leavers and bots go.
    person = people.get(user_id)
    return person is None or not (person.deleted or person.is_bot)


def _follow_button(call: Call, target: Target, follows: set[Target], key: str) -> Button | None:
    """Follow, unless it is the asker or already followed (lists then show nothing)."""
    if target in follows or (target.kind == "person" and target.value == call.asker.user_id):
        return None
    return Button(FOLLOW_ACTION, call.t(key), f"{target.kind}:{target.value}")


# --- who --------------------------------------------------------------------------------------


def cmd_who(call: Call) -> Reply:
    """`/kring who #tag`: the people with most expertise on a tag."""
    words = question_words(call.args)
    if len(words) != 1 or USER_REF.match(words[0]):
        return Reply(call.t("usage.who"))
    word = words[0]
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
        tag = normalize_tag(name) if name else None
        if tag is None:
            return Reply(call.t("who.channel_unknown"))
    else:
        tag = normalize_tag(word)
        if tag is None:
            return Reply(call.t("who.bad_tag", token=shorten(word)))
    return _who(call, tag)


def _who(call: Call, tag: str) -> Reply:
    ranked = experts(
        session=call.session,
        team_id=call.asker.team_id,
        tag=tag,
        now=call.deps.clock(),
        limit=MAX_EXPERTS,
    )
    if not ranked:
        return Reply(call.t("who.nobody", tag=_tag(tag)))
    people = _people(call, [e.user_id for e in ranked])
    follows = _follows(call)
    items: list[Item] = []
    for expert in [e for e in ranked if _active(people, e.user_id)]:
        stats = call.t(
            "who.stats",
            posts=tn("discovery.posts", expert.posts, call.asker.lang),
            reactions=tn("discovery.reactions", expert.reactions, call.asker.lang),
            replies=tn("discovery.replies", expert.replies, call.asker.lang),
        )
        line = f"{len(items) + 1}. {_named(expert.user_id, people.get(expert.user_id))}"
        button = _follow_button(
            call, Target("person", expert.user_id), follows, "discovery.button.follow"
        )
        items.append(Item(f"{line}\n{stats}", button))
    if not items:
        return Reply(call.t("who.nobody", tag=_tag(tag)))
    tag_button = _follow_button(call, Target("tag", tag), follows, "discovery.button.follow_tag")
    return answer(
        "who",
        tag,
        head=call.t("who.header", tag=_tag(tag)),
        items=items,
        head_buttons=[tag_button] if tag_button else [],
    )


# --- trending ---------------------------------------------------------------------------------


def cmd_trending(call: Call) -> Reply:
    """`/kring trending [7d|30d]`: the tags growing fastest against the window before."""
    if len(call.args) > 1:
        return Reply(call.t("usage.trending"))
    days = parse_window(call.args[0] if call.args else None)
    if days is None:
        return Reply(call.t("trending.bad_window", bad=shorten(call.args[0])))
    return _trending(call, days)


def _trending(call: Call, days: int) -> Reply:
    trends = trending(
        session=call.session,
        team_id=call.asker.team_id,
        now=call.deps.clock(),
        days=days,
        limit=MAX_TRENDS,
    )
    if not trends:
        return Reply(call.t("trending.none", days=days))
    follows = _follows(call)
    items = [
        Item(
            call.t(
                "trending.line",
                tag=_tag(trend.tag),
                posts=tn("discovery.posts", trend.current, call.asker.lang),
                before=trend.previous,
            ),
            _follow_button(call, Target("tag", trend.tag), follows, "discovery.button.follow"),
        )
        for trend in trends
    ]
    return answer("trending", str(days), head=call.t("trending.header", days=days), items=items)


# --- profile ----------------------------------------------------------------------------------


def cmd_profile(call: Call) -> Reply:
    """`/kring profile @person`: what Kring knows about someone, with Follow and Mute."""
    if len(call.args) != 1:
        return Reply(call.t("usage.profile"))
    return _profile_of(call, call.args[0])


def _profile_of(call: Call, word: str) -> Reply:
    m = USER_REF.match(word)
    if m and m.group(1) == call.asker.user_id:
        user_id = m.group(1)
        person = _people(call, [user_id], lookups.PROFILE_MAX_AGE).get(user_id)
        return _profile(call, user_id, person)
    resolved = resolve_targets(call, [word], checking_people=True)
    if resolved.problems:
        return Reply("\n".join(resolved.problems))
    people = [t for t in resolved.targets if t.kind == "person"]
    if not people:
        return Reply(call.t("usage.profile"))
    user_id = people[0].value
    # resolve_targets just fetched (and cached) this profile.
    person = _people(call, [user_id], lookups.PROFILE_MAX_AGE).get(user_id)
    return _profile(call, user_id, person)


def _profile(call: Call, user_id: str, person: Person | None) -> Reply:
    me = call.asker.user_id
    seen = profile(
        session=call.session,
        team_id=call.asker.team_id,
        user_id=user_id,
        viewer_id=me,
        recent=MAX_RECENT_POSTS,
    )
    lines = [f"*{_named(user_id, person)}*"]
    if department := _department_line(call, person):
        lines.append(department)
    if seen.top_tags:
        tags = ", ".join(f"{_tag(tag)} ({n})" for tag, n in seen.top_tags)
        lines.append(call.t("profile.tags", tags=tags))
    else:
        lines.append(call.t("profile.no_tags"))
    lines.append(call.t("profile.counts", followers=seen.followers, following=seen.following))
    buttons: list[Button] = []
    value = f"person:{user_id}"
    if user_id == me:
        lines.append(call.t("profile.you"))
    else:
        if seen.mutual:
            mutual = join([_mention(uid) for uid in seen.mutual], call.asker.lang)
            lines.append(call.t("profile.mutual", people=mutual))
        if Target("person", user_id) in _follows(call):
            buttons.append(Button(UNFOLLOW_ACTION, call.t("discovery.button.unfollow"), value))
        else:
            buttons.append(Button(FOLLOW_ACTION, call.t("discovery.button.follow"), value))
        buttons.append(Button(MUTE_ACTION, call.t("discovery.button.mute"), value))
    posts = seen.recent[:MAX_RECENT_POSTS]
    items = [Item(call.t("profile.recent" if posts else "profile.no_posts"))]
    links = _permalinks(call, posts)
    for post in posts:
        body = quiet(excerpt(post.text, POST_EXCERPT))
        where = [f"<#{post.channel_id}>"]
        link = links.get((post.channel_id, post.ts))
        if link and _PERMALINK_RE.fullmatch(link):
            where.append(f"<{link}|{call.t('profile.open')}>")
        items.append(Item("\n".join(filter(None, [body, _SEPARATOR.join(where)]))))
    return answer("profile", user_id, head="\n".join(lines), items=items, head_buttons=buttons)


def _department_line(call: Call, person: Person | None) -> str:
    """The line "Department: Finance", unless it would only repeat the title beside the name."""
    department = department_label(person)
    if not department or person is None or _label(department) == _label(person.title):
        return ""
    return call.t("profile.department", department=inert(department))


def _label(text: str) -> str:
    return " ".join(text.split()).casefold()


def _permalinks(call: Call, posts: Sequence[Post]) -> dict[tuple[str, str], str]:
    """Permalinks for ``posts``: cached ones, the rest asked of Slack (and then cached)."""
    wanted = [(post.channel_id, post.ts) for post in posts]
    team_id = call.asker.team_id
    links = cached_permalinks(session=call.session, team_id=team_id, messages=wanted)
    fetched: dict[tuple[str, str], str] = {}
    for channel, ts in wanted:
        if (channel, ts) in links:
            continue
        try:
            answered = call.client.chat_getPermalink(channel=channel, message_ts=ts)
        except (SlackClientError, OSError) as exc:
            # The profile is still worth showing without the link.
            log.info("chat.getPermalink failed for %s/%s: %s", channel, ts, exc)
            continue
        link = answered.get("permalink")
        if isinstance(link, str) and link:
            fetched[(channel, ts)] = link
    remember_permalinks(session=call.session, team_id=team_id, links=fetched)
    return links | fetched


# --- suggest ----------------------------------------------------------------------------------


def cmd_suggest(call: Call, *, muted_people: Collection[str] = ()) -> Reply:
    """`/kring suggest`: people worth following, each with the reason why."""
    if call.args:
        return Reply(call.t("usage.suggest"))
    return _suggest(call, muted_people)


def _suggest(call: Call, muted_people: Collection[str]) -> Reply:
    found = suggest(
        session=call.session,
        team_id=call.asker.team_id,
        user_id=call.asker.user_id,
        now=call.deps.clock(),
        limit=MAX_SUGGESTIONS,
        muted_people=muted_people,
    )
    me = call.asker.user_id
    people = _people(call, [me, *(s.user_id for s in found)])
    follows = _follows(call)
    items: list[Item] = []
    for s in found:
        if not _active(people, s.user_id):
            continue
        other = _other_department(people.get(me), people.get(s.user_id))
        if other is None:
            other = s.other_department
        reasons = []
        if s.tag:
            reasons.append(call.t("suggest.reason.tag", tag=_tag(s.tag)))
        if s.followed_by:
            reasons.append(tn("suggest.reason.followed_by", s.followed_by, call.asker.lang))
        if other:
            reasons.append(call.t("suggest.reason.department"))
        text = _named(s.user_id, people.get(s.user_id))
        if reasons:
            text += "\n_" + _SEPARATOR.join(reasons) + "_"
        button = _follow_button(
            call, Target("person", s.user_id), follows, "discovery.button.follow"
        )
        items.append(Item(text, button))
    if not items:
        return Reply(call.t("suggest.none"))
    return answer("suggest", "", head=call.t("suggest.header"), items=items)


def _other_department(me: Person | None, them: Person | None) -> bool | None:
    """Whether the fresh profiles put us in different departments; None when one is unknown.

    The suggestions were weighed with cached profiles, which for someone whose profile was
    never fetched say nothing: the reason shown follows the profiles just fetched.
    """
    mine = me.department if me is not None else ""
    theirs = them.department if them is not None else ""
    if not mine or not theirs:
        return None
    return mine != theirs


# --- followers --------------------------------------------------------------------------------


def cmd_followers(call: Call) -> Reply:
    """`/kring followers`: who follows you, with Follow back for those you don't follow."""
    if call.args:
        return Reply(call.t("usage.followers"))
    return _followers(call)


def _followers(call: Call) -> Reply:
    ids = follower_ids(session=call.session, team_id=call.asker.team_id, user_id=call.asker.user_id)
    shown = ids[:MAX_FOLLOWERS_SHOWN]
    people = _people(call, shown)
    active = [uid for uid in shown if _active(people, uid)]
    if not active:
        return Reply(call.t("followers.none"))
    follows = _follows(call)
    items = [
        Item(
            _named(uid, people.get(uid)),
            _follow_button(call, Target("person", uid), follows, "discovery.button.follow_back"),
        )
        for uid in active
    ]
    total = len(ids) - (len(shown) - len(active))
    return answer(
        "followers",
        "",
        head=tn("followers.header", total, call.asker.lang),
        items=items,
        more=len(ids) - len(shown),
        more_line=lambda count: call.t("discovery.more", count=count),
    )


# --- after a click ----------------------------------------------------------------------------


def rerender(view: str, arg: str, call: Call, *, muted_people: Collection[str] = ()) -> Reply:
    """The answer of ``view`` for ``arg`` (from :func:`view_of`) drawn again, as the command
    would draw it now; ``call.args`` is not used. Raises ValueError for an unknown view."""
    if view == "who":
        tag = normalize_tag(arg)
        return _who(call, tag) if tag else Reply(call.t("usage.who"))
    if view == "trending":
        days = parse_window(arg)
        return _trending(call, days) if days else Reply(call.t("usage.trending"))
    if view == "profile":
        if not re.fullmatch(r"[UW][A-Z0-9]+", arg):
            return Reply(call.t("usage.profile"))
        return _profile_of(call, _mention(arg))
    if view == "suggest":
        return _suggest(call, muted_people)
    if view == "followers":
        return _followers(call)
    raise ValueError(f"unknown view {view!r}")


# name -> (implementation, catalog key of its usage line)
DISCOVERY_SUBCOMMANDS: dict[str, tuple[Subcommand, str]] = {
    "who": (cmd_who, "usage.who"),
    "trending": (cmd_trending, "usage.trending"),
    "profile": (cmd_profile, "usage.profile"),
    "suggest": (cmd_suggest, "usage.suggest"),
    "followers": (cmd_followers, "usage.followers"),
}
# Dutch names, for the lead to merge into ALIASES if wanted.
DISCOVERY_ALIASES = {
    "wie": "who",
    "profiel": "profile",
    "suggesties": "suggest",
    "volgers": "followers",
}

__all__ = [
    "DISCOVERY_ALIASES",
    "DISCOVERY_SUBCOMMANDS",
    "FOLLOW_ACTION",
    "MUTE_ACTION",
    "UNFOLLOW_ACTION",
    "Button",
    "Item",
    "answer",
    "block_id",
    "cmd_followers",
    "cmd_profile",
    "cmd_suggest",
    "cmd_trending",
    "cmd_who",
    "parse_window",
    "question_words",
    "rerender",
    "view_of",
]
