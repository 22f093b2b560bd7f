"""`/kring admin channels|stats`: governance for workspace admins and owners.

Kring only reads the public channels it was invited to and does not moderate content; these
commands let admins see which channels that is and how Kring is used. Who is an admin comes
from Slack (``users.info``: ``is_admin`` or ``is_owner``), re-checked every few minutes. When
Slack can't be asked, an answer from the last hour still counts; an older one doesn't, and the
admin commands are refused until Slack answers again (fail closed).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from handlers import lookups
from handlers.calls import Call, Reply, is_word
from handlers.charts import ChartText, stats_chart
from handlers.deps import Deps
from storage.models import Person
from storage.stats import WeekStats, channel_activity, weekly_stats
from ui.i18n import language_for, t
from ui.mrkdwn import mrkdwn_code

log = logging.getLogger(__name__)

# A demoted admin loses access once their cached profile is this old.
ADMIN_PROFILE_MAX_AGE = timedelta(minutes=10)
# While Slack can't answer, admin rights rest on Slack's last word only if it is this recent.
ADMIN_CONFIRMATION_MAX_AGE = timedelta(hours=1)
STATS_WEEKS = 4
CHANNELS_SHOWN = 100
CHANNEL_PAGE = 200
MAX_CHANNEL_PAGES = 50  # 10,000 channels: a bound, not a limit any workspace should meet
CHART_FILENAME = "kring-stats.png"


def is_admin(person: Person | None) -> bool:
    """Workspace admins and owners, as Slack last described them."""
    return person is not None and not person.deleted and (person.is_admin or person.is_owner)


AdminCheck = Literal["admin", "refused", "unconfirmed"]


def admin_check(
    *, session: Session, client: WebClient, team_id: str, user_id: str, now: datetime
) -> tuple[AdminCheck, Person | None]:
    """Whether the asker is an admin or owner, with their profile when they are.

    The profile is asked of Slack again when older than a few minutes. "unconfirmed" when
    Slack could not be asked and its last answer is over an hour old (or there is none).
    """
    person = lookups.people(
        session=session,
        client=client,
        team_id=team_id,
        user_ids=[user_id],
        now=now,
        max_age=ADMIN_PROFILE_MAX_AGE,
    ).get(user_id)
    age = None if person is None else lookups.profile_age(person, now)
    if age is None or age > ADMIN_CONFIRMATION_MAX_AGE:
        return "unconfirmed", None
    return ("admin", person) if is_admin(person) else ("refused", None)


def admin_profile(
    *, session: Session, client: WebClient, team_id: str, user_id: str, now: datetime
) -> Person | None:
    """The asker's profile if Slack confirms they are an admin or owner, else None."""
    return admin_check(session=session, client=client, team_id=team_id, user_id=user_id, now=now)[1]


def cmd_admin(call: Call) -> Reply:
    checked, _ = admin_check(
        session=call.session,
        client=call.client,
        team_id=call.asker.team_id,
        user_id=call.asker.user_id,
        now=call.deps.clock(),
    )
    if checked != "admin":
        return Reply(call.t("admin.unconfirmed" if checked == "unconfirmed" else "admin.refused"))
    what = call.args[0] if len(call.args) == 1 else ""
    if is_word(what, "input.admin.channels"):
        return admin_channels(call)
    if is_word(what, "input.admin.stats"):
        return admin_stats(call)
    return Reply(call.t("usage.admin"))


# --- channels --------------------------------------------------------------------------------
def member_channels(client: WebClient) -> list[dict[str, Any]]:
    """The public, unarchived channels Kring itself is a member of (users.conversations)."""
    out: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(MAX_CHANNEL_PAGES):
        page = client.users_conversations(
            types="public_channel", exclude_archived=True, limit=CHANNEL_PAGE, cursor=cursor
        )
        out += [
            c
            for c in page.get("channels") or []
            if isinstance(c, dict) and c.get("id") and not c.get("is_private")
        ]
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if cursor is None:
            break
    return out


def admin_channels(call: Call) -> Reply:
    try:
        channels = member_channels(call.client)
    except SlackApiError as exc:
        log.warning("users.conversations failed: %s", exc.response.get("error"))
        error = mrkdwn_code(str(exc.response.get("error") or "?"))
        return Reply(call.t("admin.channels.failed", error=error))
    if not channels:
        return Reply(call.t("admin.channels.none"))
    channels.sort(key=lambda c: (str(c.get("name") or "").casefold(), str(c["id"])))
    activity = channel_activity(
        session=call.session,
        team_id=call.asker.team_id,
        channel_ids=[str(c["id"]) for c in channels],
        kept_since=call.deps.kept_since(call.deps.clock()),
    )
    lines = [call.t("admin.channels.head", count=len(channels))]
    for channel in channels[:CHANNELS_SHOWN]:
        cid = str(channel["id"])
        stored = activity[cid]
        if stored.posts and stored.last_post is not None:
            lines.append(
                call.t(
                    "admin.channels.line",
                    channel=cid,
                    posts=stored.posts,
                    last=day(stored.last_post),
                )
            )
        else:
            lines.append(call.t("admin.channels.line_empty", channel=cid))
    if len(channels) > CHANNELS_SHOWN:
        lines.append(call.t("admin.channels.more", count=len(channels) - CHANNELS_SHOWN))
    return Reply("\n".join(lines))


# --- stats -----------------------------------------------------------------------------------
def day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def last_day(week: WeekStats) -> str:
    """The week's last day (its end is the midnight after it)."""
    return day(week.end - timedelta(days=1))


def percent(week: WeekStats) -> int | None:
    share = week.cross_department_share
    return None if share is None else round(share * 100)


def stats_text(weeks: Sequence[WeekStats], lang: str) -> str:
    """The weekly numbers as Slack text, one line per week, oldest first."""
    lines = [t("admin.stats.head", lang, weeks=len(weeks))]
    for week in weeks:
        share_pct = percent(week)
        share = (
            t("admin.stats.share_none", lang)
            if share_pct is None
            else t(
                "admin.stats.share",
                lang,
                percent=share_pct,
                crossing=week.cross_department_follows,
                known=week.known_department_follows,
            )
        )
        lines.append(
            t(
                "admin.stats.week",
                lang,
                start=day(week.start),
                end=last_day(week),
                posts=week.posts,
                posters=week.active_posters,
                follows=week.new_follows,
                share=share,
                digests=week.digests_sent,
            )
            + t("admin.stats.references", lang, references=week.cross_department_references)
        )
    lines += ["", t("admin.stats.footer", lang)]
    return "\n".join(lines)


def stats_png(weeks: Sequence[WeekStats], lang: str) -> bytes:
    """The chart of the weekly numbers, labelled in ``lang``."""
    notes = []
    for week in weeks:
        share_pct = percent(week)
        share = t("admin.stats.share_none", lang) if share_pct is None else f"{share_pct}%"
        notes.append(t("admin.chart.share", lang, share=share))
    text = ChartText(
        title=t("admin.chart.title", lang, weeks=len(weeks)),
        series=(
            t("admin.chart.posts", lang),
            t("admin.chart.posters", lang),
            t("admin.chart.follows", lang),
        ),
        week_labels=[
            t("admin.chart.week", lang, start=day(w.start), end=last_day(w)) for w in weeks
        ],
        notes=notes,
        x_axis=t("admin.chart.x_axis", lang),
        y_axis=t("admin.chart.y_axis", lang),
    )
    return stats_chart(weeks, text)


def admin_stats(call: Call) -> Reply:
    """The numbers now; the chart follows in a DM (:func:`after_answer`), after Slack has had
    its acknowledgement."""
    now = call.deps.clock()
    weeks = weekly_stats(
        session=call.session,
        team_id=call.asker.team_id,
        now=now,
        weeks=STATS_WEEKS,
        kept_since=call.deps.kept_since(now),
    )
    return Reply(stats_text(weeks, call.asker.lang))


def send_stats_chart(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> None:
    """Upload the stats chart to an admin's DM; nothing for anyone else."""
    now = deps.clock()
    with deps.sessions.begin() as session:
        person = admin_profile(
            session=session, client=client, team_id=team_id, user_id=user_id, now=now
        )
        if person is None:
            return
        lang = language_for(person.locale, person.language)
        weeks = weekly_stats(
            session=session,
            team_id=team_id,
            now=now,
            weeks=STATS_WEEKS,
            kept_since=deps.kept_since(now),
        )
    png = stats_png(weeks, lang)
    try:
        channel = str(client.conversations_open(users=user_id)["channel"]["id"])
    except SlackApiError as exc:
        log.warning("conversations.open failed for the stats chart: %s", exc.response.get("error"))
        return
    try:
        client.files_upload_v2(
            channel=channel,
            content=png,
            filename=CHART_FILENAME,
            title=t("admin.chart.title", lang, weeks=STATS_WEEKS),
            initial_comment=t("admin.chart.comment", lang, weeks=STATS_WEEKS),
        )
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "?")
        log.warning("stats chart upload failed: %s", error)
        try:
            client.chat_postMessage(
                channel=channel, text=t("admin.chart.failed", lang, error=mrkdwn_code(error))
            )
        except SlackApiError:
            log.warning("could not tell the admin either")


def chart_after_stats(
    deps: Deps, client: WebClient, *, team_id: str, user_id: str, args: Sequence[str]
) -> None:
    """After `/kring admin stats` has been answered, its chart follows in a DM.

    Runs after Slack's acknowledgement (see handlers.registry, ``after``), so an upload can
    take its time.
    """
    if len(args) == 1 and is_word(args[0], "input.admin.stats"):
        send_stats_chart(deps, client, team_id=team_id, user_id=user_id)
