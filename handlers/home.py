"""The App Home tab: your latest feed, whom you follow, your digest settings and suggestions.

Published with `views.publish` when someone opens the tab and again after each change made
from it, so the tab always shows what is stored. Follow buttons on it are answered by
handlers.actions, which republishes through :func:`publish_home`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)
from sqlalchemy.orm import Session

from digests.schedule import day_name, format_time, person_zone
from handlers import lookups
from handlers.calls import show
from handlers.deps import Deps
from handlers.digest_commands import describe
from handlers.discovery.suggest import suggestion_item
from handlers.events import team_of
from handlers.welcome import (
    MAX_BUTTON_TEXT,
    MAX_HEADER_TEXT,
    person_section,
    plain,
    starter_reason,
    tag_section,
)
from storage.digests import (
    FREQUENCIES,
    DigestSettings,
    cached_permalinks,
    get_settings,
    save_settings,
)
from storage.discovery import suggest
from storage.feed import latest_posts
from storage.follows import Target, as_kind, following, unfollow
from storage.mutes import muted
from storage.people import get_person, titles_of
from storage.welcome import busy_tags, starter_people
from ui.blocks import section
from ui.i18n import DEFAULT_LANGUAGE, language_for, t
from ui.mrkdwn import channel, mention, mrkdwn_post

log = logging.getLogger(__name__)

UNFOLLOW_ACTION = "kring_home_unfollow"
TIME_ACTION = "kring_home_time"
FREQUENCY_ACTION = "kring_home_frequency"

FEED_WINDOW = timedelta(days=7)
FEED_SHOWN = 8
FOLLOWS_SHOWN = 20
SUGGESTIONS_SHOWN = 5
TAGS_SHOWN = 3
MAX_BLOCKS = 100  # Slack refuses a Home view with more


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def _when(ts: str, posted_at: datetime, link: str | None) -> str:
    """A Slack date token: each reader sees the time in their own zone and format."""
    fallback = posted_at.strftime("%Y-%m-%d %H:%M UTC")
    target = f"^{link}" if link and not set(link) & set("|<>^ ") else ""
    return f"<!date^{int(float(ts))}^{{date_short_pretty}} {{time}}{target}|{fallback}>"


def _feed(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    lang: str,
    now: datetime,
    follows: bool,
    kept: datetime | None,
) -> list[Block]:
    title = _section(t("home.feed.title", lang))
    if not follows:
        return [title, _section(t("home.feed.start", lang))]
    latest = latest_posts(
        session=session,
        team_id=team_id,
        user_id=user_id,
        since=now - FEED_WINDOW,
        until=now,
        limit=FEED_SHOWN,
        kept_since=kept,
    )
    if not latest:
        return [title, _section(t("home.feed.empty", lang))]
    links = cached_permalinks(
        session=session, team_id=team_id, messages=[(p.channel_id, p.ts) for p in latest]
    )
    blocks: list[Block] = [title]
    for post in latest:
        item = t(
            "home.feed.item",
            lang,
            author=mention(post.author_id),
            channel=channel(post.channel_id),
            when=_when(post.ts, post.posted_at, links.get((post.channel_id, post.ts))),
            text=mrkdwn_post(post.text, post.files),
        )
        blocks.append(_section(item.rstrip()))
    return blocks


def _follows(targets: list[Target], lang: str) -> list[Block]:
    title = t("home.follows.title", lang, count=len(targets))
    if not targets:
        return [_section(title + "\n" + t("home.follows.none", lang))]
    blocks: list[Block] = [_section(title)]
    for target in targets[:FOLLOWS_SHOWN]:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=show(target)),
                accessory=ButtonElement(
                    action_id=UNFOLLOW_ACTION,
                    text=plain(t("home.unfollow", lang), MAX_BUTTON_TEXT),
                    value=f"{target.kind}:{target.value}",
                ),
            )
        )
    if len(targets) > FOLLOWS_SHOWN:
        blocks.append(_context(t("home.follows.more", lang, count=len(targets) - FOLLOWS_SHOWN)))
    return blocks


def frequency_options(settings: DigestSettings, lang: str) -> list[Option]:
    """The frequency menu; weekly is on the stored weekday."""
    day = day_name(settings.weekday, lang)
    return [
        Option(value=f, label=t(f"home.frequency.{f}", lang, day=day)[:MAX_BUTTON_TEXT])
        for f in FREQUENCIES
    ]


def _digest(session: Session, *, team_id: str, user_id: str, lang: str) -> list[Block]:
    settings = get_settings(session=session, team_id=team_id, user_id=user_id)
    person = get_person(session=session, team_id=team_id, user_id=user_id)
    zone = person_zone(person.tz if person else None, person.tz_offset if person else 0)
    zone_name = (person.tz if person and person.tz else None) or str(zone)
    if settings.frequency == "off":
        state = t("home.digest.off", lang)
    else:
        locale = person.locale if person else None
        state = t("home.digest.on", lang, schedule=describe(settings, lang, locale), zone=zone_name)
    options = frequency_options(settings, lang)
    chosen = next(o for o in options if o.value == settings.frequency)
    return [
        _section(t("home.digest.title", lang) + "\n" + state),
        ActionsBlock(
            elements=[
                TimePickerElement(
                    action_id=TIME_ACTION,
                    initial_time=format_time(settings.minute_of_day),
                    placeholder=plain(t("home.digest.time", lang), MAX_BUTTON_TEXT),
                ),
                StaticSelectElement(
                    action_id=FREQUENCY_ACTION,
                    placeholder=plain(t("home.digest.frequency", lang), MAX_BUTTON_TEXT),
                    options=options,
                    initial_option=chosen,
                ),
            ]
        ),
        _context(t("home.digest.hint", lang)),
    ]


def _suggestions(
    session: Session, *, team_id: str, user_id: str, lang: str, now: datetime, kept: datetime | None
) -> list[Block]:
    mutes = muted(session=session, team_id=team_id, user_id=user_id)
    people_muted = {m.value for m in mutes if m.kind == "person"}
    tags_muted = {m.value for m in mutes if m.kind == "tag"}
    people: list[SectionBlock] = []
    found = suggest(
        session=session,
        team_id=team_id,
        user_id=user_id,
        now=now,
        limit=SUGGESTIONS_SHOWN,
        muted_people=people_muted,
        kept_since=kept,
    )
    if found:
        titles = titles_of(session=session, team_id=team_id, user_ids=[s.user_id for s in found])
        # Drawn as `/kring suggest` draws them.
        people = [section(suggestion_item(s, titles.get(s.user_id, ""), lang)) for s in found]
    else:
        # Nothing to go on yet (someone new, following nobody): the newcomer's starting points.
        me = get_person(session=session, team_id=team_id, user_id=user_id)
        starters = starter_people(
            session=session,
            team_id=team_id,
            user_id=user_id,
            department=me.department if me else "",
            now=now,
            limit=SUGGESTIONS_SHOWN,
            exclude=people_muted,
            kept_since=kept,
        )
        people = [
            person_section(p.user_id, p.title, starter_reason(p, lang), lang) for p in starters
        ]
    tags = busy_tags(
        session=session,
        team_id=team_id,
        user_id=user_id,
        now=now,
        limit=TAGS_SHOWN,
        exclude=tags_muted,
        kept_since=kept,
    )
    if not people and not tags:
        return [_section(t("home.suggest.title", lang) + "\n" + t("home.suggest.none", lang))]
    blocks: list[Block] = []
    if people:
        blocks += [_section(t("home.suggest.title", lang)), *people]
    if tags:
        blocks += [_section(t("home.tags.title", lang))]
        blocks += [tag_section(tag, posts, lang) for tag, posts in tags]
    return blocks


def build_home(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    lang: str,
    now: datetime,
    kept_since: datetime | None = None,
) -> dict[str, Any]:
    """The Home view (``{"type": "home", "blocks": [...]}``) for ``user_id``, read from storage.

    At most FEED_SHOWN posts, FOLLOWS_SHOWN follows, SUGGESTIONS_SHOWN people and TAGS_SHOWN
    tags keep it well inside Slack's 100 blocks whatever is stored. Nothing posted before
    ``kept_since`` (retention) is shown.
    """
    follows = following(session=session, team_id=team_id, follower_id=user_id)
    blocks: list[Block] = [
        HeaderBlock(text=plain(t("home.header", lang), MAX_HEADER_TEXT)),
        _context(t("home.intro", lang)),
        *_feed(
            session,
            team_id=team_id,
            user_id=user_id,
            lang=lang,
            now=now,
            follows=bool(follows),
            kept=kept_since,
        ),
        DividerBlock(),
        *_follows(follows, lang),
        DividerBlock(),
        *_digest(session, team_id=team_id, user_id=user_id, lang=lang),
        DividerBlock(),
        *_suggestions(
            session, team_id=team_id, user_id=user_id, lang=lang, now=now, kept=kept_since
        ),
        _context(t("home.footer", lang)),
    ]
    return {"type": "home", "blocks": [block.to_dict() for block in blocks[:MAX_BLOCKS]]}


def publish_home(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> None:
    """Build ``user_id``'s Home in their language and publish it."""
    now = deps.clock()
    with deps.sessions.begin() as session:
        person = lookups.people(
            session=session,
            client=client,
            team_id=team_id,
            user_ids=[user_id],
            now=now,
            departments=deps.departments,
        ).get(user_id)
        lang = language_for(person.locale, person.language) if person else DEFAULT_LANGUAGE
        view = build_home(
            session=session,
            team_id=team_id,
            user_id=user_id,
            lang=lang,
            now=now,
            kept_since=deps.kept_since(now),
        )
    client.views_publish(user_id=user_id, view=view)


def from_home(body: dict[str, Any]) -> bool:
    """Whether a block_actions payload came from a Home view (which has no response_url)."""
    view = body.get("view") or {}
    container = body.get("container") or {}
    return view.get("type") == "home" and container.get("type") == "view"


def _who(body: dict[str, Any]) -> tuple[str, str]:
    user = body.get("user") or {}
    team = body.get("team") or {}
    return str(team.get("id") or user.get("team_id") or ""), str(user.get("id") or "")


def minute_of_day(selected_time: object) -> int | None:
    """A timepicker's "HH:MM" as minutes after midnight; None when it is not a valid time."""
    hour, sep, minute = str(selected_time or "").partition(":")
    if not (sep and hour.isdigit() and minute.isdigit() and len(minute) == 2):
        return None
    h, m = int(hour), int(minute)
    return h * 60 + m if 0 <= h < 24 and 0 <= m < 60 else None


def handle_unfollow(
    deps: Deps, client: WebClient, *, body: dict[str, Any], action: dict[str, Any]
) -> None:
    """Unfollow from the Home tab, then show the Home without it."""
    team_id, user_id = _who(body)
    kind, _, value = str(action.get("value") or "").partition(":")
    if kind in ("person", "tag", "channel") and value:
        # Only the clicker's own follows can match, so an odd value simply changes nothing.
        with deps.sessions.begin() as session:
            unfollow(
                session=session,
                team_id=team_id,
                follower_id=user_id,
                targets=[Target(as_kind(kind), value)],
            )
    publish_home(deps, client, team_id=team_id, user_id=user_id)


def handle_time(
    deps: Deps, client: WebClient, *, body: dict[str, Any], action: dict[str, Any]
) -> None:
    """A new digest time from the time picker.

    As with `/kring digest at …`, choosing a time while digests are paused turns them back on.
    """
    team_id, user_id = _who(body)
    minute = minute_of_day(action.get("selected_time"))
    if minute is not None:
        with deps.sessions.begin() as session:
            settings = get_settings(session=session, team_id=team_id, user_id=user_id)
            settings = replace(settings, minute_of_day=minute)
            if settings.frequency == "off":
                settings = replace(settings, frequency="daily")
            save_settings(
                session=session,
                team_id=team_id,
                user_id=user_id,
                settings=settings,
                now=deps.clock(),
            )
    publish_home(deps, client, team_id=team_id, user_id=user_id)


def handle_frequency(
    deps: Deps, client: WebClient, *, body: dict[str, Any], action: dict[str, Any]
) -> None:
    """A new frequency from the menu (weekly keeps the stored weekday)."""
    team_id, user_id = _who(body)
    chosen = str((action.get("selected_option") or {}).get("value") or "")
    frequency = next((f for f in FREQUENCIES if f == chosen), None)
    if frequency is not None:
        with deps.sessions.begin() as session:
            settings = get_settings(session=session, team_id=team_id, user_id=user_id)
            save_settings(
                session=session,
                team_id=team_id,
                user_id=user_id,
                settings=replace(settings, frequency=frequency),
                now=deps.clock(),
            )
    publish_home(deps, client, team_id=team_id, user_id=user_id)


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def _opened(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        # The Messages tab sends this event too; it is acknowledged and nothing is published.
        if event.get("tab") != "home" or not event.get("user"):
            return
        publish_home(deps, client, team_id=team_of(body), user_id=str(event["user"]))

    @app.action(UNFOLLOW_ACTION)
    def _unfollow(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        handle_unfollow(deps, client, body=body, action=action)

    @app.action(TIME_ACTION)
    def _time(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        handle_time(deps, client, body=body, action=action)

    @app.action(FREQUENCY_ACTION)
    def _frequency(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        handle_frequency(deps, client, body=body, action=action)
