"""When digests go out, what they cover, and parsing of `/kring digest …` arguments.

Everything here is pure: callers pass the current time in and store the results themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import dates

from storage.digests import FREQUENCIES, DigestSettings, Frequency
from ui.i18n import LANGUAGES, babel_locale, language_for, words

FIRST_WINDOW = timedelta(hours=24)
FIRST_WEEKLY_WINDOW = timedelta(days=7)
MAX_WINDOW = timedelta(days=7)

# timezone() only accepts offsets strictly inside a day.
_MAX_OFFSET_SECONDS = 24 * 60 * 60 - 1


def person_zone(tz: str | None, tz_offset: int) -> tzinfo:
    """The person's time zone from Slack's `tz` and `tz_offset` (seconds east of UTC).

    ZoneInfo(tz) when tz is a valid IANA name; else a fixed offset of tz_offset seconds;
    UTC when neither says anything.
    """
    if tz:
        try:
            return ZoneInfo(tz)
        # Slack has sent names tzdata does not know; ZoneInfo also refuses paths and
        # directories ("America") with ValueError or OSError rather than the not-found error.
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    if tz_offset and abs(tz_offset) <= _MAX_OFFSET_SECONDS:
        return timezone(timedelta(seconds=tz_offset))
    return UTC


def local_now(now_utc: datetime, zone: tzinfo) -> datetime:
    """The wall-clock time in `zone` at the instant `now_utc` (a naive value is taken as UTC)."""
    return _as_utc(now_utc).astimezone(zone)


def is_due(settings: DigestSettings, local: datetime) -> bool:
    """Whether a digest should go out at `local` (the person's local time, from local_now).

    True once the local clock has reached the digest time on a day the frequency covers:
    daily every day, weekdays Monday to Friday, weekly only on settings.weekday, off never.
    Whether a digest for this local day already went out is the caller's business.
    """
    return _covers(settings, local.date()) and _reached(settings, local)


def next_digest(
    settings: DigestSettings, local: datetime, *, delivered_today: bool
) -> datetime | None:
    """The local datetime the next digest will go out, or None when digests are off.

    Today at the digest time while it has not come yet; `local` itself when it has passed
    but nothing was delivered today (the scheduler will send it on its next tick); otherwise
    the digest time on the next day the frequency covers. Once today's digest is delivered
    the next one is never today, even if the time was moved later, because the scheduler
    sends one per local day.
    """
    if settings.frequency == "off":
        return None
    today = local.date()
    if not delivered_today and _covers(settings, today):
        return local if _reached(settings, local) else _at(settings, today, local.tzinfo)
    for days in range(1, 8):
        day = today + timedelta(days=days)
        if _covers(settings, day):
            return _at(settings, day, local.tzinfo)
    raise AssertionError("every frequency but off covers a day in any week")  # pragma: no cover


def window_start(
    now_utc: datetime, last_covered_to: datetime | None, frequency: Frequency
) -> datetime:
    """Where the digest being made at `now_utc` starts covering posts.

    The end of the last delivered digest, else 24 hours back (7 days for weekly); never more
    than 7 days back, so someone returning after months gets a week rather than a flood.
    Naive values are taken as UTC.
    """
    now = _as_utc(now_utc)
    if last_covered_to is None:
        first = FIRST_WEEKLY_WINDOW if frequency == "weekly" else FIRST_WINDOW
        return now - first
    # A stored end beyond now (clock skew) would make an empty window; start at now instead.
    return min(max(_as_utc(last_covered_to), now - MAX_WINDOW), now)


def format_time(minute_of_day: int, locale: str | None = None, *, lang: str | None = None) -> str:
    """A minute of the day as a clock time the reader expects, e.g. 510 -> "8:30 AM" or "08:30".

    ``locale`` is the person's Slack locale (``en-US``, ``nl-NL``) and ``lang`` the language of
    the sentence around the time, by default the locale's own. Babel's data for them decides
    between 12- and 24-hour clocks: "8:30 AM" for en-US, "08:30" for en-GB and nl. Without a
    locale it is 24-hour HH:MM, which no one misreads and which Slack's time picker expects.
    """
    if not 0 <= minute_of_day < 24 * 60:
        raise ValueError(f"minute of day out of range: {minute_of_day}")
    hour, minute = divmod(minute_of_day, 60)
    if locale is None:
        return f"{hour:02d}:{minute:02d}"
    where = babel_locale(lang or language_for(locale), locale)
    return dates.format_time(time(hour, minute), format="short", locale=where)


def day_name(weekday: int, lang: str) -> str:
    """The name of a day of the week (0 is Monday) in ``lang``: "Friday", "vrijdag"."""
    return str(dates.get_day_names("wide", locale=babel_locale(lang))[weekday])


def _as_utc(moment: datetime) -> datetime:
    # SQLite hands stored datetimes back without a zone; they were written as UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _covers(settings: DigestSettings, day: date) -> bool:
    if settings.frequency == "daily":
        return True
    if settings.frequency == "weekdays":
        return day.weekday() < 5
    if settings.frequency == "weekly":
        return day.weekday() == settings.weekday
    return False


def _at(settings: DigestSettings, day: date, zone: tzinfo | None) -> datetime:
    hour, minute = divmod(settings.minute_of_day, 60)
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def _reached(settings: DigestSettings, local: datetime) -> bool:
    target = _at(settings, local.date(), local.tzinfo)
    if local.tzinfo is None:
        return local >= target
    # Compare instants, not wall clocks: when clocks fall back the wall clock repeats an hour,
    # and a wall-clock test would flip from due back to not due inside the same day.
    return local.astimezone(UTC) >= target.astimezone(UTC)


# Parsing `/kring digest …`

DigestChangeKind = Literal["show", "time", "frequency", "now", "error"]

ERROR_BAD_TIME = "digest.error.bad_time"
ERROR_BAD_DAY = "digest.error.bad_day"
ERROR_UNKNOWN = "digest.error.unknown"


@dataclass(frozen=True)
class DigestChange:
    """What a `/kring digest …` command asks for.

    `error` is a message catalog key, not a sentence; `bad` is the word it is about.
    """

    kind: DigestChangeKind
    minute_of_day: int | None = None
    frequency: Frequency | None = None
    weekday: int | None = None
    error: str | None = None
    bad: str | None = None


@cache
def _words(key: str) -> frozenset[str]:
    # Every language's words count, whatever language Kring speaks to the person: someone
    # reading English may still type `/kring digest om 8:00`.
    return frozenset(word for lang in LANGUAGES for word in words(key, lang))


def is_now_word(word: str) -> bool:
    """Whether ``word`` asks for a digest right away: ``now``, ``nu``."""
    return word.casefold() in _words("input.digest.now")


@cache
def _day_numbers() -> dict[str, int]:
    return {word: day for day in range(7) for word in _words(f"input.day.{day}")}


@cache
def _frequencies() -> dict[str, Frequency]:
    return {word: f for f in FREQUENCIES for word in _words(f"input.digest.{f}")}


_TIME = re.compile(
    r"""
    (?P<hour>[0-9]{1,2})
    (?: [:.] (?P<minute>[0-9]{2}) )?
    (?P<half> am | pm | a\.m\. | p\.m\. )?
    """,
    re.VERBOSE,
)
_COMPACT_TIME = re.compile(r"(?P<hour>[0-9]{2})(?P<minute>[0-9]{2})")


def parse_digest_args(args: list[str]) -> DigestChange:
    """Read the words after `/kring digest` (English or Dutch) into a DigestChange.

    Nothing: show the settings. `at 8:30` / `om 08:30` / `at 8am` / `at 8.30pm` / `at 0830`:
    change the time. `daily`, `weekdays`, `weekly [day]` (Monday unless a day is named),
    `off` and their Dutch names: change the frequency. `now` / `nu`: send one now. Anything
    else is a kind="error" change carrying a catalog key and the offending word.
    """
    words = [word for arg in args for word in arg.split()]
    if not words:
        return DigestChange(kind="show")
    head, rest = words[0], words[1:]
    key = head.casefold()
    if key in _words("input.digest.at"):
        return _parse_time_change(head, rest)
    if is_now_word(key):
        return _no_more(rest) or DigestChange(kind="now")
    frequency = _frequencies().get(key)
    if frequency == "weekly":
        return _parse_weekly(rest)
    if frequency is not None:
        return _no_more(rest) or DigestChange(kind="frequency", frequency=frequency)
    return DigestChange(kind="error", error=ERROR_UNKNOWN, bad=head)


def _parse_time_change(head: str, rest: list[str]) -> DigestChange:
    if not rest:
        return DigestChange(kind="error", error=ERROR_BAD_TIME, bad=head)
    # "at 8:30 pm" arrives as two words; the time is everything after "at".
    minute_of_day = _parse_time("".join(rest).casefold())
    if minute_of_day is None:
        return DigestChange(kind="error", error=ERROR_BAD_TIME, bad=" ".join(rest))
    return DigestChange(kind="time", minute_of_day=minute_of_day)


def _parse_time(text: str) -> int | None:
    compact = _COMPACT_TIME.fullmatch(text)
    match = compact or _TIME.fullmatch(text)
    if match is None:
        return None
    hour = int(match["hour"])
    minute = int(match["minute"] or 0)
    half = None if compact else match["half"]
    if minute > 59:
        return None
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        # 12am is midnight and 12pm is noon.
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    elif hour > 23:
        return None
    return hour * 60 + minute


def _parse_weekly(rest: list[str]) -> DigestChange:
    # "weekly on friday" / "wekelijks op vrijdag" read naturally, so the filler is allowed.
    if rest and rest[0].casefold() in _words("input.digest.on"):
        rest = rest[1:]
    if not rest:
        return DigestChange(kind="frequency", frequency="weekly", weekday=0)
    day, more = rest[0], rest[1:]
    weekday = _day_numbers().get(day.casefold().rstrip("."))
    if weekday is None:
        return DigestChange(kind="error", error=ERROR_BAD_DAY, bad=day)
    return _no_more(more) or DigestChange(kind="frequency", frequency="weekly", weekday=weekday)


def _no_more(rest: list[str]) -> DigestChange | None:
    if rest:
        return DigestChange(kind="error", error=ERROR_UNKNOWN, bad=rest[0])
    return None
