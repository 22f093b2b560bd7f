"""`kring demo`: the whole of Kring against a stand-in Slack, for anyone without a workspace.

A small workspace (a dozen people in three departments) lives in :class:`bot.standin.StandinSlack`
inside this process. Kring itself is the real thing: built by :func:`bot.app.build`, served by
:class:`bot.web.HttpServer` on a free local port, fed only signed HTTP requests the way Slack
sends them, and asked for one real digest pass. Only Slack is stood in.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.app import Kring, build
from bot.settings import load_settings
from bot.standin import Response, SlackToApp, StandinSlack
from bot.web import HttpServer, make_wsgi
from digests.deliver import PassReport, run_pass
from digests.preview import preview
from handlers.lookups import channel_names
from storage.models import Follow, Post

__all__ = ["DemoError", "demo_moment", "run_demo"]

# Neither leaves the process: the stand-in accepts any xoxb- token, and only the demo signs.
SIGNING_SECRET = "kring-demo-signing-secret"
BOT_TOKEN = "xoxb-0000-0000-kringdemo"
# Digests go out at 09:00 local time; an hour later leaves no doubt that everyone is due.
DUE_FROM_HOUR = 10


@dataclass(frozen=True)
class DemoPerson:
    user_id: str
    handle: str
    real_name: str
    role: str
    department: str
    tz: str
    locale: str

    @property
    def title(self) -> str:
        return f"{self.role}, {self.department}"


ENG, DESIGN, SALES = "Engineering", "Design", "Sales"
AMS, LON, NYC = "Europe/Amsterdam", "Europe/London", "America/New_York"
PEOPLE = (
    DemoPerson("U0ANNA", "anna", "Anna de Vries", "Backend engineer", ENG, AMS, "nl-NL"),
    DemoPerson("U0BRAM", "bram", "Bram Jansen", "Frontend engineer", ENG, AMS, "nl-NL"),
    DemoPerson("U0CHLOE", "chloe", "Chloe Martin", "Engineering manager", ENG, LON, "en-GB"),
    DemoPerson("U0DEV", "dev", "Dev Patel", "Site reliability engineer", ENG, LON, "en-GB"),
    DemoPerson("U0EVA", "eva", "Eva Visser", "Product designer", DESIGN, AMS, "nl-NL"),
    DemoPerson("U0FINN", "finn", "Finn O'Brien", "UX researcher", DESIGN, LON, "en-GB"),
    DemoPerson("U0GRACE", "grace", "Grace Kim", "Design lead", DESIGN, NYC, "en-US"),
    DemoPerson("U0HUGO", "hugo", "Hugo Bakker", "Illustrator", DESIGN, AMS, "en-US"),
    DemoPerson("U0IRIS", "iris", "Iris Smit", "Account executive", SALES, AMS, "nl-NL"),
    DemoPerson("U0JACK", "jack", "Jack Miller", "Sales lead", SALES, NYC, "en-US"),
    DemoPerson("U0KEES", "kees", "Kees Mulder", "Sales engineer", SALES, AMS, "nl-NL"),
    DemoPerson("U0LUCY", "lucy", "Lucy Chen", "Customer success manager", SALES, NYC, "en-US"),
)
BY_ID = {p.user_id: p for p in PEOPLE}
ZONES = tuple(dict.fromkeys(p.tz for p in PEOPLE))

CHANNELS = (
    ("C0GENERAL", "general"),
    ("C0ENGINEERING", "engineering"),
    ("C0DESIGN", "design"),
    ("C0SALES", "sales"),
)


@dataclass(frozen=True)
class DemoPost:
    key: str
    hours_ago: float
    author: str
    channel: str
    text: str  # as Slack sends it: escaped mrkdwn, mentions as <@U…>
    reply_to: str | None = None


POSTS = (
    DemoPost(
        "billing",
        20,
        "U0ANNA",
        "C0ENGINEERING",
        "Migrated the billing service to Postgres 16: invoice queries are three times "
        "faster now. #backend #release",
    ),
    DemoPost(
        "demo-env",
        19,
        "U0KEES",
        "C0SALES",
        "Demo-omgeving draait op de nieuwe release, dank <@U0ANNA> voor de hulp! #release",
    ),
    DemoPost(
        "sketches",
        18.5,
        "U0EVA",
        "C0DESIGN",
        "Nieuwe schetsen voor de onboarding staan in Figma. Dank <@U0FINN> voor de "
        "interviewnotities! #designsystem #onboarding",
    ),
    DemoPost(
        "postmortem",
        17,
        "U0DEV",
        "C0ENGINEERING",
        "Postmortem for Tuesday's outage is up: an expired TLS certificate. Renewals are "
        "automated from now on. #incident",
    ),
    DemoPost(
        "postmortem-thanks",
        16.5,
        "U0BRAM",
        "C0ENGINEERING",
        "Thanks for the clear write-up, the timeline helps a lot.",
        reply_to="postmortem",
    ),
    DemoPost(
        "pipeline",
        16,
        "U0JACK",
        "C0SALES",
        "Q4 pipeline review: we're at 112% of target with three weeks to go. #deals #forecast",
    ),
    DemoPost(
        "interviews",
        15,
        "U0FINN",
        "C0DESIGN",
        "Five customer interviews done this week; the top request is a dark mode. "
        "#research #customers",
    ),
    DemoPost(
        "components",
        14,
        "U0BRAM",
        "C0ENGINEERING",
        "De nieuwe componentenbibliotheek staat live, feedback welkom in "
        "<#C0DESIGN|design> of hier. #frontend #designsystem",
    ),
    DemoPost(
        "critique",
        12,
        "U0GRACE",
        "C0DESIGN",
        "Design critique moves to Thursday 4pm ET. Bring work in progress, not finished "
        "work! #designsystem",
    ),
    DemoPost(
        "contract",
        10,
        "U0IRIS",
        "C0SALES",
        "Contract getekend met Bakkerij de Gouden Korst! <@U0KEES> bedankt voor de sterke "
        "demo. #deals #customers",
    ),
    DemoPost(
        "hiring",
        8,
        "U0CHLOE",
        "C0GENERAL",
        "We're hiring two backend engineers :rocket: Know someone great? Talk to "
        "<@U0ANNA> or me. #hiring",
    ),
    DemoPost(
        "illustrations",
        6,
        "U0HUGO",
        "C0GENERAL",
        "New office illustrations are up on the third floor, come and have a look! #office",
    ),
    DemoPost(
        "nps",
        5,
        "U0LUCY",
        "C0GENERAL",
        "Customer NPS went from 41 to 52 this quarter. Thanks to everyone who answered a "
        "ticket! #customers",
    ),
    DemoPost(
        "lunch",
        4,
        "U0ANNA",
        "C0GENERAL",
        "Lunch &amp; learn on Friday: what's new in Python 3.13. Pizza included. #learning",
    ),
    DemoPost(
        "icons",
        3,
        "U0GRACE",
        "C0DESIGN",
        "<https://www.figma.com/file/kring-demo|The new icon set> is ready for review; "
        "<@U0HUGO> drew all 48 of them. #designsystem",
    ),
    DemoPost(
        "escalation",
        2.5,
        "U0JACK",
        "C0GENERAL",
        "Big thanks to <@U0DEV> for jumping on last night's customer escalation. #customers",
    ),
    DemoPost("lunch-yes", 2, "U0CHLOE", "C0GENERAL", "Count me in!", reply_to="lunch"),
)

REACTIONS = (
    ("billing", "U0CHLOE", "tada"),
    ("billing", "U0DEV", "tada"),
    ("billing", "U0KEES", "rocket"),
    ("postmortem", "U0ANNA", "pray"),
    ("postmortem", "U0CHLOE", "+1"),
    ("contract", "U0JACK", "clap"),
    ("contract", "U0LUCY", "clap"),
    ("contract", "U0KEES", "tada"),
    ("nps", "U0IRIS", "heart"),
    ("nps", "U0JACK", "heart"),
    ("nps", "U0GRACE", "heart"),
    ("nps", "U0FINN", "heart"),
    ("icons", "U0EVA", "star-struck"),
    ("icons", "U0HUGO", "heart"),
    ("lunch", "U0BRAM", "pizza"),
    ("lunch", "U0DEV", "pizza"),
)

# `/kring follow` (or its Dutch alias `volg`) as each person types it; Slack sends the people
# picked from its list as <@U…|handle>.
FOLLOWS = (
    ("U0ANNA", "follow <@U0DEV|dev> <@U0BRAM|bram> #release #incident"),
    ("U0BRAM", "volg <@U0ANNA|anna> <@U0EVA|eva> #designsystem"),
    ("U0CHLOE", "follow <@U0ANNA|anna> <@U0DEV|dev> #customers"),
    ("U0DEV", "follow <@U0ANNA|anna> <@U0CHLOE|chloe> #release"),
    ("U0EVA", "volg <@U0FINN|finn> <@U0GRACE|grace> #frontend"),
    ("U0FINN", "follow <@U0EVA|eva> <@U0HUGO|hugo> #research"),
    ("U0GRACE", "follow <@U0EVA|eva> <@U0FINN|finn> <@U0HUGO|hugo>"),
    ("U0HUGO", "follow <@U0GRACE|grace> #designsystem #office"),
    ("U0IRIS", "volg <@U0JACK|jack> <@U0KEES|kees> #customers"),
    ("U0JACK", "follow <@U0IRIS|iris> <@U0LUCY|lucy> #deals"),
    ("U0KEES", "volg <@U0IRIS|iris> #release #deals"),
    ("U0LUCY", "follow <@U0JACK|jack> #deals"),
)
# Lucy asks Kring in a channel instead: (who, where, what, hours ago).
MENTION = ("U0LUCY", "C0GENERAL", "follow #learning", 1.5)
FOLLOWS_HOURS_AGO = 23


class DemoError(RuntimeError):
    """Kring did not answer one of the demo's requests the way Slack would expect."""


class _Clock:
    """Kring's clock, moved along the demo's timeline so follows and posts happen "yesterday"."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def demo_moment(before: datetime) -> datetime:
    """The latest whole hour at or before ``before`` when it is 10:00 or later in every zone.

    The digest pass runs then, so every demo person is due; the day's activity is laid out in
    the 24 hours before it.
    """
    moment = _utc(before).replace(minute=0, second=0, microsecond=0)
    for _ in range(48):
        if all(moment.astimezone(ZoneInfo(zone)).hour >= DUE_FROM_HOUR for zone in ZONES):
            return moment
        moment -= timedelta(hours=1)
    raise AssertionError(f"no hour when it is past {DUE_FROM_HOUR}:00 in all of {ZONES}")


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ts(moment: datetime, seq: int) -> str:
    return f"{int(moment.timestamp())}.{seq:06d}"


def _expect(answer: Response, what: str) -> Response:
    if answer.status != 200:
        raise DemoError(f"Kring answered {what} with HTTP {answer.status}: {answer.text[:200]}")
    return answer


def _populate(standin: StandinSlack, now: datetime) -> None:
    for p in PEOPLE:
        offset = ZoneInfo(p.tz).utcoffset(now)
        standin.add_user(
            p.user_id,
            p.handle,
            real_name=p.real_name,
            title=p.title,
            tz=p.tz,
            tz_offset=int(offset.total_seconds()) if offset else 0,
            locale=p.locale,
            email=f"{p.handle}@kring-demo.example",
        )
    for channel_id, name in CHANNELS:
        standin.add_channel(channel_id, name)


def _play_yesterday(slack: SlackToApp, clock: _Clock, now: datetime) -> str:
    """Everything the workspace did in the 24 hours before ``now``, sent as Slack sends it.

    Returns the ts of the message that mentioned Kring, whose thread holds Kring's answer.
    """
    for i, (user_id, text) in enumerate(FOLLOWS):
        clock.at = now - timedelta(hours=FOLLOWS_HOURS_AGO) + timedelta(minutes=i)
        answer = slack.command(
            text, user_id=user_id, user_name=BY_ID[user_id].handle, channel_id="C0GENERAL"
        )
        _expect(answer, f"/kring {text}")
    stamps: dict[str, str] = {}
    for seq, post in enumerate(sorted(POSTS, key=lambda p: -p.hours_ago), 1):
        clock.at = now - timedelta(hours=post.hours_ago)
        stamp = stamps[post.key] = _ts(clock.at, seq)
        event: dict[str, Any] = {
            "type": "message",
            "channel": post.channel,
            "channel_type": "channel",
            "user": post.author,
            "text": post.text,
            "ts": stamp,
            "event_ts": stamp,
        }
        if post.reply_to is not None:
            event["thread_ts"] = stamps[post.reply_to]
            event["parent_user_id"] = next(p.author for p in POSTS if p.key == post.reply_to)
        _expect(slack.post_event(event), f"the message {post.key!r}")
    for reacted, (key, user_id, emoji) in enumerate(REACTIONS, 1):
        post = next(p for p in POSTS if p.key == key)
        at = now - timedelta(hours=post.hours_ago) + timedelta(minutes=reacted)
        clock.at = at
        event = {
            "type": "reaction_added",
            "user": user_id,
            "reaction": emoji,
            "item": {"type": "message", "channel": post.channel, "ts": stamps[key]},
            "item_user": post.author,
            "event_ts": _ts(at, 900 + reacted),
        }
        _expect(slack.post_event(event), f"the reaction :{emoji}: on {key!r}")
    user_id, channel, text, hours_ago = MENTION
    clock.at = now - timedelta(hours=hours_ago)
    stamp = _ts(clock.at, 999)
    bot = slack.standin.bot_user_id if slack.standin else "UKRING"
    event = {
        "type": "app_mention",
        "user": user_id,
        "text": f"<@{bot}> {text}",
        "channel": channel,
        "ts": stamp,
        "event_ts": stamp,
    }
    _expect(slack.post_event(event), f"@Kring {text}")
    return stamp


def _mention_answer(standin: StandinSlack, thread_ts: str) -> tuple[str, bool]:
    """Kring's answer in the mention's thread, and whether only the asker sees it."""
    answers = standin.calls("chat.postMessage") + standin.calls("chat.postEphemeral")
    for call in answers:
        if call.ok and call.params.get("thread_ts") == thread_ts:
            text = " ".join(str(call.params.get("text") or "").split())
            return text, call.method == "chat.postEphemeral"
    raise DemoError("Kring did not answer the @Kring mention in its thread")


@contextlib.contextmanager
def _serving(kring: Kring) -> Iterator[str]:
    """Kring's HTTP endpoint on a free port of 127.0.0.1 until the block ends."""
    server = HttpServer(
        make_wsgi(
            kring.app,
            kring.engine,
            signing_secret=kring.settings.slack_signing_secret,
            writer=kring.deps.writer,
        ),
        host="127.0.0.1",
        port=0,
    )
    thread = threading.Thread(target=server.serve, name="kring-demo-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}/slack/events"
    finally:
        server.stop()
        thread.join(timeout=10)


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _heading(person: DemoPerson, now: datetime) -> str:
    local = now.astimezone(ZoneInfo(person.tz))
    line = f"{person.real_name} ({person.title}) · {local:%H:%M} in {person.tz} · {person.locale}"
    return f"{line}\n{'-' * len(line)}"


def _counts(kring: Kring) -> tuple[int, int]:
    with kring.deps.sessions() as session:
        posts = session.scalar(select(func.count()).select_from(Post)) or 0
        follows = session.scalar(select(func.count()).select_from(Follow)) or 0
    return posts, follows


def run_demo(out: TextIO, *, now: datetime | None = None) -> int:
    """Run the demo, printing each person's digest to ``out``; 0 when every digest went out.

    ``now`` is when the digest pass runs (default: :func:`demo_moment` of the current time).
    Nothing outlives the call: the stand-in, the HTTP server and the database are all removed.
    """
    moment = _utc(now) if now is not None else demo_moment(datetime.now(UTC))
    clock = _Clock(moment)
    with contextlib.ExitStack() as stack:
        standin = stack.enter_context(
            StandinSlack(team_name="Kring Demo", team_domain="kring-demo")
        )
        _populate(standin, moment)
        folder = Path(
            stack.enter_context(
                tempfile.TemporaryDirectory(prefix="kring-demo-", ignore_cleanup_errors=True)
            )
        )
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": standin.url,
                "DATABASE_URL": f"sqlite:///{folder / 'kring-demo.db'}",
                "KRING_SCHEDULER": "off",
            }
        )
        kring = build(settings, clock=clock)
        stack.callback(kring.close)  # after the server has stopped: ExitStack unwinds backwards
        url = stack.enter_context(_serving(kring))
        print(
            f"Kring demo: a stand-in Slack workspace with {len(PEOPLE)} people in "
            f"{_and(list(dict.fromkeys(p.department for p in PEOPLE)))}; "
            f"Kring itself is real and listens on {url}.",
            file=out,
        )
        mentioned = _play_yesterday(SlackToApp(url, SIGNING_SECRET, standin), clock, moment)
        replies = sum(1 for p in POSTS if p.reply_to)
        print(
            f"In the 24 hours before {moment:%Y-%m-%d %H:%M} UTC: {len(POSTS)} messages "
            f"({replies} of them thread replies), {len(REACTIONS)} reactions and "
            f"{len(FOLLOWS)} `/kring follow` commands.",
            file=out,
        )
        asker = BY_ID[MENTION[0]].real_name
        said, privately = _mention_answer(standin, mentioned)
        where = f"in the thread (only {asker} sees it)" if privately else "in the thread"
        print(
            f"{asker} wrote `@Kring {MENTION[2]}` in #general; Kring answered {where}: {said}",
            file=out,
        )
        print(f"Now one digest pass at {moment:%Y-%m-%d %H:%M} UTC.", file=out)
        clock.at = moment
        # Kring looks a channel's name up (conversations.info, then cached) when it first needs
        # it; a DM needs none (Slack shows <#C…> as the name), but the text below does.
        with kring.deps.sessions.begin() as session:
            channel_names(
                session=session,
                client=kring.client,
                team_id=standin.team_id,
                channel_ids=[channel_id for channel_id, _ in CHANNELS],
                now=moment,
            )
        # The text shown is what `kring digest preview` prints, taken just before the pass: it
        # builds the same digest from the same window the pass is about to claim. Afterwards a
        # preview would show an empty window (the pass moved it on), and turning the Block Kit
        # the stand-in received back into text would be a second renderer to keep in step.
        texts = {
            p.user_id: preview(
                sessions=kring.deps.sessions,
                user_id=p.user_id,
                team_id=standin.team_id,
                now=moment,
            )
            for p in PEOPLE
        }
        report = run_pass(
            sessions=kring.deps.sessions, client=kring.client, now=moment, per_second=None
        )
        # Shown only for people the stand-in really received a digest DM for.
        received = {str(m.get("channel")) for m in standin.posted_messages()}
        for person in PEOPLE:
            text = texts[person.user_id]
            if person.user_id in received and text:
                print(f"\n{_heading(person, moment)}\n{text}", end="", file=out)
        posts, follows = _counts(kring)
        print(f"\n{_summary(report, posts, follows)}", file=out)
    return 0 if report.sent and not report.failed else 1


def _summary(report: PassReport, posts: int, follows: int) -> str:
    line = (
        f"Summary: {posts} posts recorded, {follows} follows, {report.sent} digests sent "
        f"({report.empty} empty, {report.failed} failed)."
    )
    if report.errors:
        line += " Errors: " + "; ".join(report.errors)
    return line
