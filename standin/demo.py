"""`kring demo`: the whole of Kring against a stand-in Slack, for anyone without a workspace.

A small organisation (:mod:`standin.story`) lives in :class:`standin.slack.StandinSlack`
inside this process. Kring itself is the real thing, started by
:func:`standin.harness.running_kring` and fed only what Slack would send it: signed events,
slash commands and Home tab openings, each at its moment of the story on Kring's clock. Digest
passes run at 09:00 in each time zone, as the scheduler would run them. What is printed is
what people would see in Slack: digests as ``kring digest preview`` prints them, every other
answer and view as the Block Kit Kring sent, turned into text (:mod:`standin.blocktext`).
"""

from __future__ import annotations

import contextlib
import json
import shlex
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from digests.deliver import PassReport, run_pass
from digests.preview import preview
from handlers.lookups import channel_names
from standin import story
from standin.blocktext import blocks_text, mrkdwn_text
from standin.harness import Running, running_kring
from standin.slack import Response, StandinSlack
from standin.story import BY_ID, PEOPLE, DemoPerson
from storage.stats import recorded_totals

__all__ = [
    "CHART_FILE",
    "DB_FILE",
    "HANDLES",
    "PNG_SIGNATURE",
    "DemoError",
    "find_person",
    "run_demo",
    "story_day",
    "story_end",
    "timeline",
]

DB_FILE = "kring-demo.db"
CHART_FILE = "kring-stats.png"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Shown in full; everyone else's digest is one line (`--person` shows anyone's in full).
FULL_DIGESTS = ("U0ANNA", "U0DEV", "U0LUCY")
# Whose next digest the printed `kring digest preview` commands show, after --keep.
PREVIEWED = ("U0ANNA", "U0DEV")
CHART_WAIT_SECONDS = 30.0
HANDLES = tuple(p.handle for p in PEOPLE)


class DemoError(RuntimeError):
    """Kring did not answer one of the demo's requests the way Slack would expect."""


class _Clock:
    """Kring's clock, moved along the story so everything happens at its moment."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


# --- when things happen ---------------------------------------------------------------------


def _at(day: date, offset: int, clock: str, tz: str) -> datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    local = datetime.combine(day + timedelta(days=offset), time(hour, minute), ZoneInfo(tz))
    return local.astimezone(UTC)


def _local(moment: datetime, tz: str) -> str:
    return f"{moment.astimezone(ZoneInfo(tz)):%H:%M} in {tz}"


def _date(moment: datetime, tz: str) -> str:
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local:%A} {local.day} {local:%B %Y}"


@dataclass(frozen=True)
class Morning:
    """The digest pass at 09:00 in ``zone``, as the scheduler would run it."""

    zone: str


@dataclass(frozen=True)
class PersonView:
    """`--person`: at the end of the day, they open their Home tab and ask for their profile."""

    user: str


Step = (
    story.Post
    | story.Reaction
    | story.Follow
    | story.Mention
    | story.Ask
    | story.OpenHome
    | story.Join
    | Morning
    | PersonView
)
POSTS = {p.key: p for p in (*story.HISTORY, *story.YESTERDAY, *story.TODAY)}


def _when(day: date, step: Step) -> datetime:
    if isinstance(step, Morning):
        return _at(day, 0, story.MORNING, step.zone)
    if isinstance(step, story.Reaction):
        return _when(day, POSTS[step.post]) + timedelta(minutes=step.minutes_after)
    if isinstance(step, story.Post):
        return _at(day, step.day, step.clock, BY_ID[step.author].tz)
    if isinstance(step, story.Join):
        return _at(day, step.day, step.clock, step.person.tz)
    if isinstance(step, PersonView):
        return story_end(day)
    return _at(day, step.day, step.clock, BY_ID[step.user].tz)


def timeline(day: date, person: DemoPerson | None = None) -> list[tuple[datetime, Step]]:
    """Everything that happens in the story of ``day``, in the order it happens."""
    steps: list[Step] = [*POSTS.values(), *story.REACTIONS, *story.FOLLOWS, story.MENTION]
    steps += [Morning(zone) for zone in story.ZONES]
    steps += [*story.ASKS, story.HOME, story.JOIN, story.ADMIN_STATS]
    if person is not None:
        steps.append(PersonView(person.user_id))
    # sorted() is stable: steps of the same minute keep the order above.
    return sorted(((_when(day, step), step) for step in steps), key=lambda pair: pair[0])


def story_end(day: date) -> datetime:
    """When the story of ``day`` is over: a minute after the last thing that happens in it."""
    return timeline(day)[-1][0] + timedelta(minutes=1)


def story_day(now: datetime) -> date:
    """The latest day whose story is over by ``now``: everything the demo shows has happened."""
    day = _utc(now).date() + timedelta(days=1)
    while story_end(day) > _utc(now):
        day -= timedelta(days=1)
    return day


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ts(moment: datetime, seq: int) -> str:
    return f"{int(moment.timestamp())}.{seq:06d}"


# --- what the demo collects to print ----------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    person: DemoPerson
    at: datetime
    text: str  # as `kring digest preview` prints it

    @property
    def summary(self) -> str:
        # render_text: heading, its underline, then the summary line.
        lines = self.text.splitlines()
        return lines[2] if len(lines) > 2 else ""


@dataclass(frozen=True)
class Answer:
    title: str
    person: DemoPerson
    at: datetime
    typed: str  # as the person typed it, people shown by name
    text: str


@dataclass
class Shown:
    """Everything the story produced that the demo may print."""

    day: date
    end: datetime
    url: str
    history: int = 0
    yesterday: int = 0
    replies: int = 0
    reactions: int = 0
    follows: int = 0
    today: int = 0
    mention: str = ""
    mention_private: bool = False
    mornings: list[tuple[str, datetime, list[Delivery]]] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    home: Answer | None = None
    welcome: Answer | None = None
    admin: Answer | None = None
    chart: bytes = b""
    person_home: Answer | None = None
    person_profile: Answer | None = None
    report: PassReport = field(default_factory=PassReport)
    posts: int = 0
    follow_rows: int = 0

    def delivery(self, user_id: str) -> Delivery | None:
        return next(
            (d for _, _, ds in self.mornings for d in ds if d.person.user_id == user_id), None
        )


def _names() -> dict[str, str]:
    names = {p.user_id: p.real_name for p in BY_ID.values()}
    names.update(dict(story.CHANNELS))
    return names


NAMES = _names()


# --- playing the story ------------------------------------------------------------------------


def _expect(answer: Response, what: str) -> Response:
    if answer.status != 200:
        raise DemoError(f"Kring answered {what} with HTTP {answer.status}: {answer.text[:200]}")
    return answer


class _Player:
    """Plays the story against a running Kring, one moment after the other."""

    def __init__(self, running: Running, clock: _Clock, shown: Shown) -> None:
        self.running = running
        self.standin = running.standin
        self.slack = running.slack
        self.clock = clock
        self.shown = shown
        self.stamps: dict[str, str] = {}  # each post's ts, by key
        self.seq = 0

    def _next(self) -> int:
        self.seq += 1
        return self.seq

    def play(self, person: DemoPerson | None) -> None:
        for moment, step in timeline(self.shown.day, person):
            self.clock.at = moment
            self._step(moment, step)

    def _step(self, moment: datetime, step: Step) -> None:
        if isinstance(step, story.Post):
            self._post(moment, step)
        elif isinstance(step, story.Reaction):
            self._react(moment, step)
        elif isinstance(step, story.Follow):
            self._command(step.user, step.text)
            self.shown.follows += 1
        elif isinstance(step, story.Mention):
            self._mention(moment, step)
        elif isinstance(step, Morning):
            self._morning(step.zone, moment)
        elif step == story.ADMIN_STATS:
            self._admin(moment, step)
        elif isinstance(step, story.Ask):
            self.shown.answers.append(self._ask(step.title, moment, step.user, step.text))
        elif isinstance(step, story.OpenHome):
            self.shown.home = self._home(moment, step.user)
        elif isinstance(step, story.Join):
            self._join(moment, step.person)
        else:
            self.shown.person_home = self._home(moment, step.user)
            own = f"profile <@{step.user}|{BY_ID[step.user].handle}>"
            self.shown.person_profile = self._ask("Profile", moment, step.user, own)

    def _command(self, user_id: str, text: str) -> dict[str, Any]:
        answer = _expect(
            self.slack.command(
                text,
                user_id=user_id,
                user_name=BY_ID[user_id].handle,
                channel_id="C0GENERAL",
                team_id=story.TEAM_ID,
            ),
            f"/kring {text}",
        )
        body = answer.json()
        if not isinstance(body, dict):
            raise DemoError(f"Kring answered /kring {text} with {answer.text[:200]}")
        return body

    def _post(self, moment: datetime, post: story.Post) -> None:
        stamp = self.stamps[post.key] = _ts(moment, self._next())
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
            event["thread_ts"] = self.stamps[post.reply_to]
            event["parent_user_id"] = POSTS[post.reply_to].author
        self._event(event, f"the message {post.key!r}")
        if post.day < -1:
            self.shown.history += 1
        elif post.day == -1:
            self.shown.yesterday += 1
            self.shown.replies += post.reply_to is not None
        else:
            self.shown.today += 1

    def _react(self, moment: datetime, reaction: story.Reaction) -> None:
        post = POSTS[reaction.post]
        event = {
            "type": "reaction_added",
            "user": reaction.user,
            "reaction": reaction.emoji,
            "item": {"type": "message", "channel": post.channel, "ts": self.stamps[post.key]},
            "item_user": post.author,
            "event_ts": _ts(moment, self._next()),
        }
        self._event(event, f"the reaction :{reaction.emoji}: on {reaction.post!r}")
        self.shown.reactions += 1

    def _event(self, event: dict[str, Any], what: str) -> None:
        _expect(self.slack.post_event(event, team_id=story.TEAM_ID), what)

    def _mention(self, moment: datetime, mention: story.Mention) -> None:
        stamp = _ts(moment, self._next())
        event = {
            "type": "app_mention",
            "user": mention.user,
            "text": f"<@{self.standin.bot_user_id}> {mention.text}",
            "channel": mention.channel,
            "ts": stamp,
            "event_ts": stamp,
        }
        self._event(event, f"@Kring {mention.text}")
        answers = self.standin.calls("chat.postMessage") + self.standin.calls("chat.postEphemeral")
        for call in answers:
            if call.ok and call.params.get("thread_ts") == stamp:
                said = " ".join(str(call.params.get("text") or "").split())
                self.shown.mention = mrkdwn_text(said, NAMES)
                self.shown.mention_private = call.method == "chat.postEphemeral"
                return
        raise DemoError("Kring did not answer the @Kring mention in its thread")

    def _morning(self, zone: str, moment: datetime) -> None:
        sessions = self.running.sessions
        if not self.shown.mornings:
            # Kring looks a channel's name up when it first needs one; a DM needs none (Slack
            # shows <#C…> as the name), but the text printed here does.
            with sessions.begin() as session:
                channel_names(
                    session=session,
                    client=self.running.kring.client,
                    team_id=story.TEAM_ID,
                    channel_ids=[channel_id for channel_id, _ in story.CHANNELS],
                    now=moment,
                )
        readers = [p for p in PEOPLE if p.tz == zone]
        # What `kring digest preview` prints, taken just before the pass: the same digest from
        # the same window the pass is about to claim (afterwards that window is used up).
        texts = {
            p.user_id: preview(
                sessions=sessions, user_id=p.user_id, team_id=story.TEAM_ID, now=moment
            )
            for p in readers
        }
        sent_before = len(self.standin.posted_messages())
        report = run_pass(
            sessions=sessions, client=self.running.kring.client, now=moment, per_second=None
        )
        total = self.shown.report
        total.due += report.due
        total.sent += report.sent
        total.empty += report.empty
        total.failed += report.failed
        total.errors += report.errors
        # Shown only for people the stand-in really received a digest DM for.
        received = {str(m.get("channel")) for m in self.standin.posted_messages()[sent_before:]}
        deliveries = [
            Delivery(p, moment, texts[p.user_id] or "")
            for p in readers
            if p.user_id in received and texts[p.user_id]
        ]
        self.shown.mornings.append((zone, moment, deliveries))

    def _ask(self, title: str, moment: datetime, user_id: str, text: str) -> Answer:
        body = self._command(user_id, text)
        blocks = body.get("blocks")
        shown = (
            blocks_text(blocks, NAMES)
            if isinstance(blocks, list) and blocks
            else mrkdwn_text(str(body.get("text") or ""), NAMES) + "\n"
        )
        typed = "/kring " + mrkdwn_text(text, NAMES)
        return Answer(title, BY_ID[user_id], moment, typed, shown)

    def _home(self, moment: datetime, user_id: str) -> Answer:
        stamp = _ts(moment, self._next())
        event = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": "D" + user_id,
            "tab": "home",
            "event_ts": stamp,
        }
        published = len(self.standin.calls("views.publish"))
        self._event(event, "the opening of the Home tab")
        view = self.standin.home_view(user_id)
        if len(self.standin.calls("views.publish")) == published or view is None:
            raise DemoError("Kring published no Home tab when it was opened")
        text = blocks_text(view.get("blocks") or [], NAMES)
        return Answer("The Home tab", BY_ID[user_id], moment, "", text)

    def _join(self, moment: datetime, hire: DemoPerson) -> None:
        _add_person(self.standin, hire, moment)
        user = self.standin.user(hire.user_id)
        if user is None:  # pragma: no cover - added just above
            raise DemoError(f"the stand-in lost {hire.real_name}")
        stamp = _ts(moment, self._next())
        self._event({"type": "team_join", "user": user, "event_ts": stamp}, "team_join")
        dms = [m for m in self.standin.posted_messages() if m.get("channel") == hire.user_id]
        if not dms:
            raise DemoError(f"Kring sent {hire.real_name} no welcome DM")
        blocks = dms[-1].get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        text = blocks_text(blocks or [], NAMES)
        self.shown.welcome = Answer("Welcome", hire, moment, "", text)

    def _admin(self, moment: datetime, ask: story.Ask) -> None:
        uploaded = len(self.standin.uploaded_files())
        self.shown.admin = self._ask(ask.title, moment, ask.user, ask.text)
        # The chart is uploaded after the answer (a lazy listener), on Kring's clock: the
        # clock must not move on until it is there.
        try:
            self.standin.wait_for("files.completeUploadExternal", timeout=CHART_WAIT_SECONDS)
        except AssertionError as exc:
            raise DemoError("Kring sent no chart after `/kring admin stats`") from exc
        files = [f for f in self.standin.uploaded_files()[uploaded:] if f.completed]
        if not files or not (files[-1].content or b"").startswith(PNG_SIGNATURE):
            raise DemoError("the chart Kring sent after `/kring admin stats` is no PNG")
        self.shown.chart = files[-1].content or b""


DEPARTMENT_FIELD = "Xf0DEPARTMENT"


def _add_person(standin: StandinSlack, p: DemoPerson, now: datetime) -> None:
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
        is_admin=p.is_admin,
        fields={DEPARTMENT_FIELD: p.department},
    )


def find_person(name: str) -> DemoPerson | None:
    """The demo person ``name`` means: a handle, first name, full name or user id."""
    wanted = " ".join(name.split()).casefold()
    for p in PEOPLE:
        if wanted in {p.handle, p.first_name.casefold(), p.real_name.casefold()}:
            return p
        if wanted == p.user_id.casefold():
            return p
    return None


# --- printing ---------------------------------------------------------------------------------


def _heading(title: str) -> str:
    return f"\n{title}\n{'-' * len(title)}"


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _indent(text: str) -> str:
    return "\n".join(("  " + line).rstrip() for line in text.rstrip("\n").split("\n"))


def _who(p: DemoPerson) -> str:
    return f"{p.real_name} ({p.title})"


def _digest_heading(d: Delivery) -> str:
    p = d.person
    return (
        f"{p.real_name}'s digest, {_date(d.at, p.tz)}, {story.MORNING} in {p.tz} "
        f"(Slack locale {p.locale})"
    )


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def _print_story(shown: Shown, out: TextIO) -> None:
    dutch = sum(1 for p in PEOPLE if p.locale.startswith("nl"))
    cities = _and([zone.split("/")[-1].replace("_", " ") for zone in story.ZONES])
    print(
        f"A stand-in Slack workspace, {story.TEAM_NAME}: {len(PEOPLE)} people in "
        f"{_and(story.DEPARTMENTS)}, working in {cities} ({dutch} of them use Slack in "
        f"Dutch). Kring itself is real and listens on {shown.url}; only Slack is stood in.",
        file=out,
    )
    print(_heading("The story"), file=out)
    print(
        f"The weeks before: {shown.history} messages in {len(story.CHANNELS)} public channels.",
        file=out,
    )
    print(
        f"Yesterday, {_day(shown.day - timedelta(days=1))}: everyone chose whom and what to "
        f"follow ({shown.follows} `/kring follow` commands; the Dutch speakers typed `/kring "
        f"volg`), and people posted {shown.yesterday} messages ({shown.replies} of them thread "
        "replies), with and without #tags.",
        file=out,
    )
    asker = BY_ID[story.MENTION.user]
    where = f"only {asker.first_name} sees it" if shown.mention_private else "for everyone"
    print(
        f"{asker.real_name} wrote `@Kring {story.MENTION.text}` in #general; Kring answered "
        f"in the thread ({where}): {shown.mention}",
        file=out,
    )
    print(
        f"Today, {_day(shown.day)}: everyone's digest at {story.MORNING} their own time, "
        f"{shown.today} more messages, questions to Kring and a new colleague. "
        f"{shown.reactions} reactions in all.",
        file=out,
    )


def _print_mornings(shown: Shown, out: TextIO) -> None:
    print(_heading(f"Digests at {story.MORNING}, each in its reader's own time zone"), file=out)
    width = max(len(p.real_name) for p in PEOPLE)
    for zone, moment, deliveries in shown.mornings:
        print(
            f"{story.MORNING} in {zone} ({moment:%H:%M} UTC): {len(deliveries)} digests",
            file=out,
        )
        for d in deliveries:
            print(f"  {d.person.real_name:<{width}}  {d.person.locale}  {d.summary}", file=out)
    for user_id in FULL_DIGESTS:
        full = shown.delivery(user_id)
        if full is not None:
            print(f"\n{_digest_heading(full)}:\n{_indent(full.text)}", file=out)
    print("\n(`kring demo --person NAME` shows anyone's digest, Home tab and profile.)", file=out)


def _print_answer(answer: Answer, out: TextIO, *, title: str | None = None) -> None:
    p = answer.person
    print(_heading(title or answer.title), file=out)
    print(
        f"{p.real_name} ({p.title}; Slack in {p.locale}), {_local(answer.at, p.tz)}, types "
        f"{answer.typed}",
        file=out,
    )
    print(_indent(answer.text), file=out)


def _print_full(shown: Shown, out: TextIO, chart: Path | None) -> None:
    _print_story(shown, out)
    _print_mornings(shown, out)
    for answer in shown.answers:
        _print_answer(answer, out)
    if shown.home is not None:
        p = shown.home.person
        print(_heading("The Home tab"), file=out)
        print(
            f"{p.real_name} ({p.locale}) opens Kring's Home tab in Slack, "
            f"{_local(shown.home.at, p.tz)}:",
            file=out,
        )
        print(_indent(shown.home.text), file=out)
    if shown.welcome is not None:
        p = shown.welcome.person
        print(_heading("A new colleague's welcome"), file=out)
        print(
            f"{_who(p)} joins the workspace, {_local(shown.welcome.at, p.tz)}; Kring sends "
            f"this direct message:",
            file=out,
        )
        print(_indent(shown.welcome.text), file=out)
    if shown.admin is not None:
        _print_answer(shown.admin, out)
        if chart is not None:
            print(f"The chart Kring sent to {shown.admin.person.first_name}: {chart}", file=out)


def _print_person(shown: Shown, person: DemoPerson, out: TextIO) -> None:
    print(
        f"{_who(person)}, working in {person.tz}, Slack in {person.locale}; one of "
        f"{len(PEOPLE)} people in a stand-in Slack workspace ({story.TEAM_NAME}). Kring itself "
        "is real; only Slack is stood in.",
        file=out,
    )
    d = shown.delivery(person.user_id)
    if d is not None:
        print(_heading(_digest_heading(d)), file=out)
        print(_indent(d.text), file=out)
    else:
        print(_heading(f"{person.real_name}'s digest"), file=out)
        print("  (no digest this morning)", file=out)
    if shown.person_home is not None:
        print(
            _heading(f"{person.real_name}'s Home tab, {_local(shown.person_home.at, person.tz)}"),
            file=out,
        )
        print(_indent(shown.person_home.text), file=out)
    if shown.person_profile is not None:
        _print_answer(shown.person_profile, out, title=f"{person.real_name}'s profile")


def _summary(shown: Shown) -> str:
    report = shown.report
    line = (
        f"Summary: {shown.posts} posts recorded, {shown.follow_rows} follows, {report.sent} "
        f"digests sent ({report.empty} empty, {report.failed} failed)."
    )
    if report.errors:
        line += " Errors: " + "; ".join(report.errors)
    return line


def _print_explore(
    shown: Shown,
    out: TextIO,
    *,
    keep: Path | None,
    person: DemoPerson | None,
    program: str,
    now_given: bool,
    chart_path: Path | None,
) -> None:
    if keep is None:
        print(
            "Run `kring demo --keep DIR` to keep the database and explore it with the CLI; "
            "`kring demo --person NAME` (anna, jack, …) shows one person's view.",
            file=out,
        )
        return
    db = (keep / DB_FILE).resolve()
    url = f"sqlite:///{db}"
    kring = shlex.quote(program)
    at = f" --now {shown.end:%Y-%m-%dT%H:%M:%SZ}" if now_given else ""
    print(_heading("Explore the kept database"), file=out)
    chart = f"; the chart is {chart_path}" if chart_path is not None else ""
    print(
        f"The database is {db}{chart}. Kring's CLI reads it once DATABASE_URL names it:", file=out
    )
    print(f"  export DATABASE_URL={shlex.quote(url)}", file=out)
    previewed = [person.user_id] if person is not None else list(PREVIEWED)
    for number, user_id in enumerate(previewed):
        name = BY_ID[user_id].first_name
        if number:
            print(f"  # {name}'s, as the Block Kit JSON Slack would get", file=out)
        else:
            print(
                f"  # {name}'s next digest so far: what was posted since {name}'s digest at "
                f"{story.MORNING}",
                file=out,
            )
        json_flag = " --json" if number else ""
        print(f"  {kring} digest preview {user_id} --team {story.TEAM_ID}{at}{json_flag}", file=out)
    print("  # anyone's: " + ", ".join(f"{p.first_name} {p.user_id}" for p in PEOPLE), file=out)


# --- the demo ---------------------------------------------------------------------------------


@contextlib.contextmanager
def _database(keep: Path | None) -> Iterator[Path]:
    """The folder the demo database lives in: ``keep`` (an earlier demo's file replaced), else
    a temporary one removed afterwards."""
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="kring-demo-", ignore_cleanup_errors=True) as tmp:
            yield Path(tmp)
        return
    keep.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        (keep / (DB_FILE + suffix)).unlink(missing_ok=True)
    yield keep


def run_demo(
    out: TextIO,
    *,
    now: datetime | None = None,
    keep: Path | None = None,
    person: DemoPerson | None = None,
    program: str = "kring",
) -> int:
    """Play the story and print it to ``out``; 0 when every digest went out.

    ``now`` is when the demo runs (default: the clock): the story is that of the latest day
    that is over by then (see :func:`story_day`). ``keep`` is a folder to keep the SQLite
    database (and the chart) in; without it nothing outlives the call but the chart, written
    to a temporary folder. ``person`` prints only that person's view. ``program`` is how the
    printed commands call Kring's CLI.
    """
    moment = _utc(now) if now is not None else datetime.now(UTC)
    day = story_day(moment)
    end = story_end(day)
    clock = _Clock(_at(day, -30, "00:00", "UTC"))
    with contextlib.ExitStack() as stack:
        standin = stack.enter_context(
            StandinSlack(team_id=story.TEAM_ID, team_name=story.TEAM_NAME, team_domain="kring-demo")
        )
        # Departments live in a custom profile field, as in most workspaces that keep them.
        standin.add_profile_field(DEPARTMENT_FIELD, "Department")
        for p in PEOPLE:
            _add_person(standin, p, end)
        for channel_id, name in story.CHANNELS:
            standin.add_channel(channel_id, name)
        folder = stack.enter_context(_database(keep))
        running = stack.enter_context(
            running_kring(f"sqlite:///{folder / DB_FILE}", standin, clock=clock)
        )
        shown = Shown(day=day, end=end, url=running.slack.base_url)
        _Player(running, clock, shown).play(person)
        with running.sessions() as session:
            shown.posts, shown.follow_rows = recorded_totals(session=session, team_id=story.TEAM_ID)
    missing = [p.real_name for p in PEOPLE if shown.delivery(p.user_id) is None]
    chart = _write_chart(shown.chart, keep) if person is None or keep is not None else None
    if person is not None:
        _print_person(shown, person, out)
    else:
        _print_full(shown, out, chart)
    print(f"\n{_summary(shown)}", file=out)
    if missing:
        print(f"No digest went out to {_and(missing)}.", file=out)
    _print_explore(
        shown,
        out,
        keep=keep,
        person=person,
        program=program,
        now_given=now is not None,
        chart_path=chart,
    )
    return 0 if not missing and not shown.report.failed else 1


def _write_chart(png: bytes, keep: Path | None) -> Path:
    folder = keep if keep is not None else Path(tempfile.mkdtemp(prefix="kring-demo-"))
    path = (folder / CHART_FILE).resolve()
    path.write_bytes(png)
    return path
