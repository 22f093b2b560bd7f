"""`/kring profile @person`: what Kring knows about someone, with Follow and Mute."""

from __future__ import annotations

import re

from handlers import lookups
from handlers.calls import Call, Reply
from handlers.discovery.common import (
    answer,
    follows,
    open_link,
    people,
    permalinks,
    title_of,
)
from handlers.targets import USER_REF, resolve_targets
from storage.discovery import profile
from storage.follows import Target
from storage.models import Person
from storage.people import department_label
from storage.search import distinctive_terms
from ui import mrkdwn
from ui.blocks import FOLLOW_ACTION, MUTE_ACTION, UNFOLLOW_ACTION, Button, Item
from ui.i18n import join
from ui.mrkdwn import mention, mrkdwn_post, named, tag
from ui.text import SEPARATOR

MAX_RECENT_POSTS = 3
WRITES_ABOUT_DAYS = 90
POST_EXCERPT = 200
_USER_ID_RE = re.compile(r"[UW][A-Z0-9]+")


def cmd_profile(call: Call) -> Reply:
    if len(call.args) != 1:
        return Reply(call.t("usage.profile"))
    return profile_of(call, call.args[0])


def redraw(call: Call, arg: str) -> Reply:
    """The profile of the person ``arg`` (a user id) drawn again after a click."""
    if not _USER_ID_RE.fullmatch(arg):
        return Reply(call.t("usage.profile"))
    return profile_of(call, mention(arg))


def profile_of(call: Call, word: str) -> Reply:
    m = USER_REF.match(word)
    if m and m.group(1) == call.asker.user_id:
        user_id = m.group(1)
        person = people(call, [user_id], lookups.PROFILE_MAX_AGE).get(user_id)
        return _profile(call, user_id, person)
    resolved = resolve_targets(call, [word], checking_people=True)
    if resolved.problems:
        return Reply("\n".join(resolved.problems))
    found = [t for t in resolved.targets if t.kind == "person"]
    if not found:
        return Reply(call.t("usage.profile"))
    user_id = found[0].value
    # resolve_targets just fetched (and cached) this profile.
    person = people(call, [user_id], lookups.PROFILE_MAX_AGE).get(user_id)
    return _profile(call, user_id, person)


def _profile(call: Call, user_id: str, person: Person | None) -> Reply:
    me = call.asker.user_id
    seen = profile(
        session=call.session,
        team_id=call.asker.team_id,
        user_id=user_id,
        viewer_id=me,
        recent=MAX_RECENT_POSTS,
        kept_since=call.deps.kept_since(call.deps.clock()),
    )
    lines = [f"*{named(user_id, title_of(person))}*"]
    if department := _department_line(call, person):
        lines.append(department)
    if seen.top_tags:
        tags = ", ".join(f"{tag(name)} ({n})" for name, n in seen.top_tags)
        lines.append(call.t("profile.tags", tags=tags))
    else:
        lines.append(call.t("profile.no_tags"))
    terms = distinctive_terms(
        session=call.session,
        team_id=call.asker.team_id,
        user_id=user_id,
        now=call.deps.clock(),
        days=WRITES_ABOUT_DAYS,
        kept_since=call.deps.kept_since(call.deps.clock()),
    )
    if terms:
        lines.append(
            call.t(
                "profile.writes_about", terms=", ".join(mrkdwn.mrkdwn_name(t.word) for t in terms)
            )
        )
    lines.append(call.t("profile.counts", followers=seen.followers, following=seen.following))
    if seen.quoted_by:
        quoters = [f"{mention(uid)} ({n})" for uid, n in seen.quoted_by]
        lines.append(call.t("profile.quoted_by", people=join(quoters, call.asker.lang)))
    buttons: list[Button] = []
    value = f"person:{user_id}"
    if user_id == me:
        lines.append(call.t("profile.you"))
    else:
        if seen.mutual:
            mutual = join([mention(uid) for uid in seen.mutual], call.asker.lang)
            lines.append(call.t("profile.mutual", people=mutual))
        if Target("person", user_id) in follows(call):
            buttons.append(Button(UNFOLLOW_ACTION, call.t("discovery.button.unfollow"), value))
        else:
            buttons.append(Button(FOLLOW_ACTION, call.t("discovery.button.follow"), value))
        buttons.append(Button(MUTE_ACTION, call.t("discovery.button.mute"), value))
    posts = seen.recent[:MAX_RECENT_POSTS]
    items = [Item(call.t("profile.recent" if posts else "profile.no_posts"))]
    links = permalinks(call, [(post.channel_id, post.ts) for post in posts])
    for post in posts:
        body = mrkdwn_post(post.text, post.files, POST_EXCERPT)
        where = [mrkdwn.channel(post.channel_id)]
        if link := open_link(call, links, post.channel_id, post.ts):
            where.append(link)
        items.append(Item("\n".join(filter(None, [body, SEPARATOR.join(where)]))))
    return answer("profile", user_id, head="\n".join(lines), items=items, head_buttons=buttons)


def _department_line(call: Call, person: Person | None) -> str:
    """The line "Department: Finance", unless it would only repeat the title beside the name."""
    department = department_label(person)
    if not department or person is None or _label(department) == _label(person.title):
        return ""
    return call.t("profile.department", department=mrkdwn.mrkdwn_name(department))


def _label(text: str) -> str:
    return " ".join(text.split()).casefold()
