"""The story `kring demo` plays: a small organisation's last weeks, yesterday and today.

Only data lives here; :mod:`standin.demo` plays it against the real Kring. Every moment is a
day relative to the demo's day (0 today, -1 yesterday) and a time on the clock of whoever acts,
so people post in their own working hours and each digest goes out at 09:00 in its reader's
own time zone. Texts are written as Slack sends them: escaped mrkdwn, people as <@U…>.
"""

from __future__ import annotations

from dataclasses import dataclass

ENG, DESIGN, SALES = "Engineering", "Design", "Sales"
AMS, LON, NYC = "Europe/Amsterdam", "Europe/London", "America/New_York"
TEAM_ID = "T0001"
TEAM_NAME = "Kring Demo"
MORNING = "09:00"  # Kring's default digest time


@dataclass(frozen=True)
class DemoPerson:
    user_id: str
    handle: str
    real_name: str
    role: str
    department: str
    tz: str
    locale: str
    is_admin: bool = False

    @property
    def title(self) -> str:
        return f"{self.role}, {self.department}"

    @property
    def first_name(self) -> str:
        return self.real_name.split()[0]


PEOPLE = (
    DemoPerson("U0ANNA", "anna", "Anna de Vries", "Backend engineer", ENG, AMS, "nl-NL"),
    DemoPerson("U0BRAM", "bram", "Bram Jansen", "Frontend engineer", ENG, AMS, "nl-NL"),
    DemoPerson("U0CHLOE", "chloe", "Chloe Martin", "Engineering manager", ENG, LON, "en-GB", True),
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
# Joins today, after every digest of the day has gone out.
NEW_HIRE = DemoPerson("U0NOAH", "noah", "Noah Williams", "Backend engineer", ENG, LON, "en-GB")
BY_ID = {p.user_id: p for p in (*PEOPLE, NEW_HIRE)}
ZONES = tuple(dict.fromkeys(p.tz for p in PEOPLE))
DEPARTMENTS = tuple(dict.fromkeys(p.department for p in PEOPLE))

CHANNELS = (
    ("C0GENERAL", "general"),
    ("C0ENGINEERING", "engineering"),
    ("C0DESIGN", "design"),
    ("C0SALES", "sales"),
)


@dataclass(frozen=True)
class Post:
    key: str
    day: int
    clock: str  # HH:MM for the author
    author: str
    channel: str
    text: str
    reply_to: str | None = None


@dataclass(frozen=True)
class Reaction:
    post: str  # its key
    user: str
    emoji: str
    minutes_after: int


@dataclass(frozen=True)
class Follow:
    """`/kring <text>` as the person types it; Slack sends people picked from its list as
    <@U…|handle>."""

    day: int
    clock: str
    user: str
    text: str


@dataclass(frozen=True)
class Mention:
    """`@Kring <text>` written in a channel."""

    day: int
    clock: str
    user: str
    channel: str
    text: str


@dataclass(frozen=True)
class Ask:
    """A `/kring` command whose answer the demo shows under ``title``."""

    title: str
    day: int
    clock: str
    user: str
    text: str


@dataclass(frozen=True)
class OpenHome:
    """Someone opens Kring's Home tab in Slack."""

    day: int
    clock: str
    user: str


@dataclass(frozen=True)
class Join:
    """``person`` joins the workspace (Slack sends ``team_join``)."""

    day: int
    clock: str
    person: DemoPerson


# Weeks of ordinary work before the story starts: who knows what, what trends, the chart.
HISTORY = (
    Post("failover", -25, "11:00", "U0DEV", "C0ENGINEERING",
         "Runbook for database failover updated after last week's drill. #incident"),
    Post("pg-plan", -22, "14:20", "U0ANNA", "C0ENGINEERING",
         "Upgrade plan for Postgres 16 is in the wiki, comments welcome. #backend"),
    Post("ds-kickoff", -20, "10:00", "U0GRACE", "C0DESIGN",
         "Design system v2 kicks off today: tokens first, components after. #designsystem"),
    Post("october", -18, "16:30", "U0JACK", "C0SALES",
         "October closed at 96% of target. Thanks all! #deals"),
    Post("tokens", -16, "11:45", "U0EVA", "C0DESIGN",
         "Kleurtokens staan in Figma, de namen volgen de nieuwe richtlijnen. #designsystem"),
    Post("pager", -12, "09:30", "U0DEV", "C0ENGINEERING",
         "Pager rotation for December is out. #incident"),
    Post("renewals", -11, "10:15", "U0LUCY", "C0SALES",
         "Renewal season starts next week: ping me about any account at risk. #customers"),
    Post("latency", -9, "15:10", "U0DEV", "C0ENGINEERING",
         "Yesterday's latency spike: a noisy neighbour on the cache cluster. #incident"),
    Post("recruiting", -6, "13:00", "U0FINN", "C0DESIGN",
         "Looking for five customers to interview about onboarding. #research #customers"),
    Post("icon-sketches", -5, "14:40", "U0HUGO", "C0DESIGN",
         "Sketching icons for the new design system. #designsystem"),
    Post("storybook", -4, "10:30", "U0BRAM", "C0ENGINEERING",
         "Storybook staat online voor alle componenten. #frontend #designsystem"),
    Post("quote", -3, "16:00", "U0IRIS", "C0SALES",
         "Offerte verstuurd naar Bakkerij de Gouden Korst. #deals"),
)  # fmt: skip

# Yesterday morning everyone picks whom and what to follow (Dutch speakers type `volg`).
FOLLOWS = (
    Follow(-1, "09:02", "U0ANNA", "follow <@U0DEV|dev> <@U0BRAM|bram> #release #incident"),
    Follow(-1, "09:05", "U0BRAM", "volg <@U0ANNA|anna> <@U0EVA|eva> #designsystem"),
    Follow(-1, "09:01", "U0CHLOE", "follow <@U0ANNA|anna> <@U0DEV|dev> #customers"),
    Follow(-1, "09:10", "U0DEV", "follow <@U0ANNA|anna> <@U0CHLOE|chloe> #release"),
    Follow(-1, "09:12", "U0EVA", "volg <@U0FINN|finn> <@U0GRACE|grace> #frontend"),
    Follow(-1, "09:20", "U0FINN", "follow <@U0EVA|eva> <@U0HUGO|hugo> #research"),
    Follow(-1, "09:03", "U0GRACE", "follow <@U0EVA|eva> <@U0FINN|finn> <@U0HUGO|hugo>"),
    Follow(-1, "09:30", "U0HUGO", "follow <@U0GRACE|grace> #designsystem #office"),
    Follow(-1, "09:15", "U0IRIS", "volg <@U0JACK|jack> <@U0KEES|kees> #customers"),
    Follow(-1, "09:08", "U0JACK", "follow <@U0IRIS|iris> <@U0LUCY|lucy> #deals"),
    Follow(-1, "09:25", "U0KEES", "volg <@U0IRIS|iris> <@U0ANNA|anna> #release #deals"),
    Follow(-1, "09:11", "U0LUCY", "follow <@U0JACK|jack> <@U0FINN|finn> #deals"),
)

# Yesterday, each in their own working hours.
YESTERDAY = (
    Post("billing", -1, "10:05", "U0ANNA", "C0ENGINEERING",
         "Migrated the billing service to Postgres 16: invoice queries are three times "
         "faster now. #backend #release"),
    Post("demo-env", -1, "10:40", "U0KEES", "C0SALES",
         "Demo-omgeving draait op de nieuwe release, dank <@U0ANNA> voor de hulp! #release"),
    Post("sketches", -1, "11:10", "U0EVA", "C0DESIGN",
         "Nieuwe schetsen voor de onboarding staan in Figma. Dank <@U0FINN> voor de "
         "interviewnotities! #designsystem #onboarding"),
    Post("postmortem", -1, "11:00", "U0DEV", "C0ENGINEERING",
         "Postmortem for Tuesday's outage is up: an expired TLS certificate. Renewals are "
         "automated from now on. #incident"),
    Post("postmortem-thanks", -1, "13:45", "U0BRAM", "C0ENGINEERING",
         "Thanks for the clear write-up, the timeline helps a lot.", reply_to="postmortem"),
    Post("pipeline", -1, "09:15", "U0JACK", "C0SALES",
         "Q4 pipeline review: we're at 112% of target with three weeks to go. "
         "#deals #forecast"),
    Post("interviews", -1, "14:30", "U0FINN", "C0DESIGN",
         "Five customer interviews done this week; the top request is a dark mode. "
         "#research #customers"),
    Post("components", -1, "15:20", "U0BRAM", "C0ENGINEERING",
         "De nieuwe componentenbibliotheek staat live, feedback welkom in "
         "<#C0DESIGN|design> of hier. #frontend #designsystem"),
    Post("critique", -1, "10:30", "U0GRACE", "C0DESIGN",
         "Design critique moves to Thursday 4pm ET. Bring work in progress, not finished "
         "work! #designsystem"),
    Post("contract", -1, "16:45", "U0IRIS", "C0SALES",
         "Contract getekend met Bakkerij de Gouden Korst! <@U0KEES> bedankt voor de sterke "
         "demo. #deals #customers"),
    Post("hiring", -1, "16:00", "U0CHLOE", "C0GENERAL",
         "We're hiring two backend engineers :rocket: Know someone great? Talk to "
         "<@U0ANNA> or me. #hiring"),
    Post("illustrations", -1, "17:30", "U0HUGO", "C0GENERAL",
         "New office illustrations are up on the third floor, come and have a look! #office"),
    Post("nps", -1, "12:10", "U0LUCY", "C0GENERAL",
         "Customer NPS went from 41 to 52 this quarter. Thanks to everyone who answered a "
         "ticket! #customers"),
    Post("lunch", -1, "17:10", "U0ANNA", "C0GENERAL",
         "Lunch &amp; learn on Friday: what's new in Python 3.13. Pizza included. #learning"),
    Post("icons", -1, "14:00", "U0GRACE", "C0DESIGN",
         "<https://www.figma.com/file/kring-demo|The new icon set> is ready for review; "
         "<@U0HUGO> drew all 48 of them. #designsystem"),
    Post("escalation", -1, "16:40", "U0JACK", "C0GENERAL",
         "Big thanks to <@U0DEV> for jumping on last night's customer escalation. #customers"),
    Post("lunch-yes", -1, "17:20", "U0CHLOE", "C0GENERAL", "Count me in!", reply_to="lunch"),
)  # fmt: skip

# Lucy asks Kring in a channel instead of typing `/kring`.
MENTION = Mention(-1, "15:30", "U0LUCY", "C0GENERAL", "follow #learning")

# Today, after the Europeans' digests: New York reads these in its own 09:00 digest, and
# Amsterdam and London find them in their next one (`kring demo --keep` shows it).
TODAY = (
    Post("bakery-demo", 0, "09:40", "U0KEES", "C0SALES",
         "Bakkerij de Gouden Korst wil ook de voorraadmodule zien, demo staat voor dinsdag. "
         "#deals"),
    Post("cert-dashboard", 0, "10:30", "U0DEV", "C0ENGINEERING",
         "Every TLS certificate and its expiry date is now on one dashboard. #incident"),
    Post("dark-mode", 0, "11:15", "U0EVA", "C0DESIGN",
         "Eerste ontwerpen voor dark mode staan klaar, reageer gerust! #designsystem #research"),
    Post("release-42", 0, "13:00", "U0ANNA", "C0ENGINEERING",
         "Release 4.2 is out: faster invoices and the new component library. #release"),
    Post("dark-components", 0, "14:10", "U0BRAM", "C0ENGINEERING",
         "Dark mode komt ook in de componentenbibliotheek, <@U0EVA> levert de kleuren. "
         "#frontend #designsystem"),
    Post("welcome-noah", 0, "15:10", "U0CHLOE", "C0GENERAL",
         "Please welcome <@U0NOAH>, our new backend engineer! #hiring"),
)  # fmt: skip

REACTIONS = (
    Reaction("latency", "U0ANNA", "eyes", 20),
    Reaction("ds-kickoff", "U0EVA", "tada", 15),
    Reaction("recruiting", "U0LUCY", "raised_hands", 40),
    Reaction("billing", "U0CHLOE", "tada", 3),
    Reaction("billing", "U0DEV", "tada", 9),
    Reaction("billing", "U0KEES", "rocket", 25),
    Reaction("postmortem", "U0ANNA", "pray", 14),
    Reaction("postmortem", "U0CHLOE", "+1", 30),
    Reaction("contract", "U0JACK", "clap", 5),
    Reaction("contract", "U0LUCY", "clap", 8),
    Reaction("contract", "U0KEES", "tada", 2),
    Reaction("nps", "U0IRIS", "heart", 6),
    Reaction("nps", "U0JACK", "heart", 10),
    Reaction("nps", "U0GRACE", "heart", 12),
    Reaction("nps", "U0FINN", "heart", 16),
    Reaction("icons", "U0EVA", "star-struck", 4),
    Reaction("icons", "U0HUGO", "heart", 7),
    Reaction("lunch", "U0BRAM", "pizza", 11),
    Reaction("lunch", "U0DEV", "pizza", 13),
    Reaction("release-42", "U0DEV", "rocket", 5),
    Reaction("release-42", "U0KEES", "tada", 9),
    Reaction("dark-mode", "U0GRACE", "heart", 20),
)

# What people ask Kring today, each shown under its title. A new command is one more line.
ASKS = (
    Ask("Who knows about #designsystem?", 0, "09:30", "U0BRAM",
        "wie weet iets over #designsystem"),
    Ask("Who knows about Postgres? (no hashtag needed)", 0, "09:35", "U0LUCY",
        "who knows about postgres upgrades"),
    Ask("Search what colleagues shared", 0, "09:40", "U0KEES", "zoek onboarding"),
    Ask("Trending", 0, "09:45", "U0JACK", "trending"),
    Ask("Suggestions across departments", 0, "10:05", "U0IRIS", "suggesties"),
    Ask("A profile", 0, "15:30", "U0FINN", "profile <@U0ANNA|anna>"),
)  # fmt: skip

HOME = OpenHome(0, "10:15", "U0EVA")
JOIN = Join(0, "15:00", NEW_HIRE)
# An admin asks how Kring is used; the chart comes afterwards, in a DM.
ADMIN_STATS = Ask("For admins: usage and its chart", 0, "16:00", "U0CHLOE", "admin stats")
