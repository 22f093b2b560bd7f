"""When digests are due, what they cover, and reading `/kring digest …` arguments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digests.schedule import (
    DigestChange,
    day_name,
    format_time,
    is_due,
    is_now_word,
    local_now,
    next_digest,
    parse_digest_args,
    person_zone,
    window_start,
)
from storage.digests import DigestSettings, Frequency
from ui.i18n import LANGUAGES

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TOKYO = ZoneInfo("Asia/Tokyo")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
DAILY_9 = DigestSettings()
FRIDAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def at(day: date, hour: int, minute: int = 0, zone: tzinfo = AMSTERDAM) -> datetime:
    """A local wall-clock time on `day` in `zone`."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def delivery_days(
    settings: DigestSettings, zone: tzinfo, start: datetime, end: datetime
) -> list[date]:
    """Tick like the scheduler, once a minute, sending at most one digest per local day."""
    sent: list[date] = []
    moment = start
    while moment < end:
        local = local_now(moment, zone)
        if is_due(settings, local) and local.date() not in sent:
            sent.append(local.date())
        moment += timedelta(minutes=1)
    return sent


# Who lives where


def test_known_tz_name_is_used() -> None:
    assert person_zone("Europe/Amsterdam", 3600) == AMSTERDAM


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "America", "", "../etc", "Asia/Tokyo "])
def test_unknown_tz_name_falls_back_to_offset(name: str) -> None:
    zone = person_zone(name, -5 * 3600)
    assert zone.utcoffset(None) == timedelta(hours=-5)


def test_no_tz_name_uses_offset() -> None:
    assert person_zone(None, 19800).utcoffset(None) == timedelta(hours=5, minutes=30)


@pytest.mark.parametrize("offset", [0, 86400, -90000])
def test_no_name_and_no_usable_offset_is_utc(offset: int) -> None:
    assert person_zone(None, offset) is UTC


def test_local_now_converts_the_instant() -> None:
    assert local_now(NOW, TOKYO) == at(FRIDAY, 21, zone=TOKYO)
    assert local_now(NOW.replace(tzinfo=None), TOKYO) == at(FRIDAY, 21, zone=TOKYO)


# When a digest is due


def test_due_once_local_clock_passes_digest_time() -> None:
    settings = DigestSettings(minute_of_day=8 * 60 + 30)
    assert not is_due(settings, at(FRIDAY, 8, 29))
    assert is_due(settings, at(FRIDAY, 8, 30))
    assert is_due(settings, at(FRIDAY, 23, 59))
    assert not is_due(settings, at(FRIDAY + timedelta(days=1), 0, 0))


def test_daily_is_due_every_day() -> None:
    for offset in range(7):
        assert is_due(DAILY_9, at(FRIDAY + timedelta(days=offset), 9))


def test_weekdays_skip_saturday_and_sunday() -> None:
    settings = DigestSettings(frequency="weekdays")
    due = {
        (FRIDAY + timedelta(days=offset)).weekday()
        for offset in range(7)
        if is_due(settings, at(FRIDAY + timedelta(days=offset), 10))
    }
    assert due == {0, 1, 2, 3, 4}


def test_weekly_only_on_chosen_day() -> None:
    settings = DigestSettings(frequency="weekly", weekday=4)
    due = [
        FRIDAY + timedelta(days=offset)
        for offset in range(14)
        if is_due(settings, at(FRIDAY + timedelta(days=offset), 10))
    ]
    assert due == [FRIDAY, FRIDAY + timedelta(days=7)]


def test_off_is_never_due() -> None:
    settings = DigestSettings(frequency="off", minute_of_day=0)
    assert not any(is_due(settings, at(FRIDAY + timedelta(days=d), 23, 59)) for d in range(7))


def test_time_zone_decides_local_morning() -> None:
    instant = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)
    assert is_due(DAILY_9, local_now(instant, person_zone("Asia/Tokyo", 32400)))
    assert not is_due(DAILY_9, local_now(instant, person_zone("America/Los_Angeles", -28800)))


def test_fixed_offset_zone_decides_local_morning() -> None:
    plus_two = person_zone("Not/A_Zone", 7200)
    assert not is_due(DAILY_9, local_now(datetime(2026, 11, 27, 6, 59, tzinfo=UTC), plus_two))
    assert is_due(DAILY_9, local_now(datetime(2026, 11, 27, 7, 0, tzinfo=UTC), plus_two))


@pytest.mark.parametrize("sunday", [date(2026, 3, 29), date(2026, 10, 25)])
@pytest.mark.parametrize("minute_of_day", [0, 2 * 60 + 30, 9 * 60, 23 * 60 + 59])
def test_dst_transition_day_still_due_once(sunday: date, minute_of_day: int) -> None:
    settings = DigestSettings(minute_of_day=minute_of_day)
    start = at(sunday, 0).astimezone(UTC)
    end = at(sunday + timedelta(days=1), 0).astimezone(UTC)
    minutes = int((end - start).total_seconds()) // 60
    assert minutes in (23 * 60, 25 * 60)
    seen = [
        is_due(settings, local_now(start + timedelta(minutes=m), AMSTERDAM)) for m in range(minutes)
    ]
    # Once due it stays due for the rest of the local day, even through the repeated hour.
    assert seen == sorted(seen)
    assert delivery_days(settings, AMSTERDAM, start, end) == [sunday]


def test_falling_back_does_not_undo_due() -> None:
    settings = DigestSettings(minute_of_day=2 * 60 + 30)
    first_pass = datetime(2026, 10, 25, 0, 45, tzinfo=UTC)  # 02:45 CEST
    second_pass = datetime(2026, 10, 25, 1, 15, tzinfo=UTC)  # 02:15 CET, clock went back
    assert is_due(settings, local_now(first_pass, AMSTERDAM))
    assert is_due(settings, local_now(second_pass, AMSTERDAM))


# When the next digest goes out


def test_next_digest_today_before_the_time() -> None:
    assert next_digest(DAILY_9, at(FRIDAY, 7), delivered_today=False) == at(FRIDAY, 9)


def test_next_digest_is_now_when_passed_but_not_delivered() -> None:
    local = at(FRIDAY, 11, 17)
    assert next_digest(DAILY_9, local, delivered_today=False) == local


def test_next_digest_after_delivery_is_tomorrow() -> None:
    tomorrow = FRIDAY + timedelta(days=1)
    assert next_digest(DAILY_9, at(FRIDAY, 11), delivered_today=True) == at(tomorrow, 9)


def test_next_digest_after_delivery_is_not_today_even_if_time_moved_later() -> None:
    later = DigestSettings(minute_of_day=18 * 60)
    tomorrow = FRIDAY + timedelta(days=1)
    assert next_digest(later, at(FRIDAY, 11), delivered_today=True) == at(tomorrow, 18)


def test_next_weekdays_digest_after_friday_is_monday() -> None:
    settings = DigestSettings(frequency="weekdays")
    monday = FRIDAY + timedelta(days=3)
    assert next_digest(settings, at(FRIDAY, 10), delivered_today=True) == at(monday, 9)
    assert next_digest(settings, at(monday - timedelta(days=1), 8), delivered_today=False) == at(
        monday, 9
    )


def test_next_weekly_digest_on_chosen_day() -> None:
    settings = DigestSettings(frequency="weekly", weekday=4)
    wednesday = FRIDAY - timedelta(days=2)
    assert next_digest(settings, at(wednesday, 10), delivered_today=False) == at(FRIDAY, 9)
    assert next_digest(settings, at(FRIDAY, 10), delivered_today=True) == at(
        FRIDAY + timedelta(days=7), 9
    )


def test_next_digest_off_is_none() -> None:
    off = DigestSettings(frequency="off")
    assert next_digest(off, at(FRIDAY, 7), delivered_today=False) is None


def test_next_digest_across_spring_forward_keeps_local_time() -> None:
    saturday = date(2026, 3, 28)
    nxt = next_digest(DAILY_9, at(saturday, 10), delivered_today=True)
    assert nxt is not None
    assert (nxt.hour, nxt.minute) == (9, 0)
    assert nxt.utcoffset() == timedelta(hours=2)
    assert nxt.astimezone(UTC) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


# What a digest covers


@pytest.mark.parametrize(
    ("frequency", "back"),
    [
        ("daily", timedelta(hours=24)),
        ("weekdays", timedelta(hours=24)),
        ("off", timedelta(hours=24)),
        ("weekly", timedelta(days=7)),
    ],
)
def test_first_window_is_24_hours_weekly_7_days(frequency: Frequency, back: timedelta) -> None:
    assert window_start(NOW, None, frequency) == NOW - back


def test_window_starts_where_the_last_digest_ended() -> None:
    last = NOW - timedelta(hours=30)
    assert window_start(NOW, last, "daily") == last


def test_window_never_more_than_a_week() -> None:
    months_ago = NOW - timedelta(days=120)
    for frequency in ("daily", "weekdays", "weekly"):
        assert window_start(NOW, months_ago, frequency) == NOW - timedelta(days=7)


def test_window_takes_naive_times_as_utc() -> None:
    last = datetime(2026, 11, 27, 2, 0)
    assert window_start(NOW, last, "daily") == last.replace(tzinfo=UTC)


def test_window_never_starts_in_the_future() -> None:
    assert window_start(NOW, NOW + timedelta(hours=1), "daily") == NOW


# Reading `/kring digest …`


def time_change(hour: int, minute: int) -> DigestChange:
    """The change `at HH:MM` should parse to."""
    return DigestChange(kind="time", minute_of_day=hour * 60 + minute)


def test_no_arguments_shows_settings() -> None:
    assert parse_digest_args([]) == DigestChange(kind="show")
    assert parse_digest_args(["  "]) == DigestChange(kind="show")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["at", "08:30"], time_change(8, 30)),
        (["at", "8:30"], time_change(8, 30)),
        (["at", "0830"], time_change(8, 30)),
        (["at", "8.30"], time_change(8, 30)),
        (["at", "8"], time_change(8, 0)),
        (["at", "00:00"], time_change(0, 0)),
        (["at", "23:59"], time_change(23, 59)),
        (["at", "8am"], time_change(8, 0)),
        (["at", "8:30pm"], time_change(20, 30)),
        (["at", "8:30", "PM"], time_change(20, 30)),
        (["at", "8.30p.m."], time_change(20, 30)),
        (["at", "12am"], time_change(0, 0)),
        (["at", "12pm"], time_change(12, 0)),
        (["AT", "7:05"], time_change(7, 5)),
        (["om", "08:30"], time_change(8, 30)),
        (["at 9:15"], time_change(9, 15)),
    ],
)
def test_times_are_accepted(args: list[str], expected: DigestChange) -> None:
    assert parse_digest_args(args) == expected


@pytest.mark.parametrize(
    ("args", "bad"),
    [
        (["at", "25:00"], "25:00"),
        (["at", "24:00"], "24:00"),
        (["at", "8:60"], "8:60"),
        (["at", "soon"], "soon"),
        (["at", "13pm"], "13pm"),
        (["at", "0am"], "0am"),
        (["at", "830"], "830"),
        (["at", "8:3"], "8:3"),
        (["at", "-1:00"], "-1:00"),
        (["at", "８:３０"], "８:３０"),
        (["at", "8:30", "daily"], "8:30 daily"),
        (["at"], "at"),
        (["om"], "om"),
    ],
)
def test_bad_times_are_rejected(args: list[str], bad: str) -> None:
    assert parse_digest_args(args) == DigestChange(
        kind="error", error="digest.error.bad_time", bad=bad
    )


@pytest.mark.parametrize(
    ("word", "frequency"),
    [
        ("daily", "daily"),
        ("dagelijks", "daily"),
        ("Weekdays", "weekdays"),
        ("werkdagen", "weekdays"),
        ("off", "off"),
        ("uit", "off"),
    ],
)
def test_frequencies_are_accepted(word: str, frequency: Frequency) -> None:
    assert parse_digest_args([word]) == DigestChange(kind="frequency", frequency=frequency)


@pytest.mark.parametrize("word", ["weekly", "wekelijks"])
def test_weekly_defaults_to_monday(word: str) -> None:
    assert parse_digest_args([word]) == DigestChange(
        kind="frequency", frequency="weekly", weekday=0
    )


@pytest.mark.parametrize(
    ("day", "weekday"),
    [
        ("monday", 0),
        ("mon", 0),
        ("maandag", 0),
        ("ma", 0),
        ("tuesday", 1),
        ("tue", 1),
        ("tues", 1),
        ("dinsdag", 1),
        ("di", 1),
        ("wednesday", 2),
        ("wed", 2),
        ("woensdag", 2),
        ("wo", 2),
        ("thursday", 3),
        ("thu", 3),
        ("thurs", 3),
        ("donderdag", 3),
        ("do", 3),
        ("Friday", 4),
        ("fri", 4),
        ("fri.", 4),
        ("vrijdag", 4),
        ("vr", 4),
        ("saturday", 5),
        ("sat", 5),
        ("zaterdag", 5),
        ("za", 5),
        ("sunday", 6),
        ("sun", 6),
        ("zondag", 6),
        ("zo", 6),
    ],
)
def test_weekly_on_a_named_day(day: str, weekday: int) -> None:
    expected = DigestChange(kind="frequency", frequency="weekly", weekday=weekday)
    assert parse_digest_args(["weekly", day]) == expected
    assert parse_digest_args(["wekelijks", day]) == expected


def test_weekly_on_day_reads_naturally() -> None:
    expected = DigestChange(kind="frequency", frequency="weekly", weekday=4)
    assert parse_digest_args(["weekly", "on", "friday"]) == expected
    assert parse_digest_args(["wekelijks", "op", "vrijdag"]) == expected


def test_unknown_day_is_rejected() -> None:
    assert parse_digest_args(["weekly", "blursday"]) == DigestChange(
        kind="error", error="digest.error.bad_day", bad="blursday"
    )


@pytest.mark.parametrize("word", ["now", "nu", "NOW"])
def test_now_is_accepted(word: str) -> None:
    assert parse_digest_args([word]) == DigestChange(kind="now")
    assert is_now_word(word)


def test_other_words_are_not_now() -> None:
    assert not is_now_word("daily")
    assert not is_now_word("nou")


@pytest.mark.parametrize(
    ("args", "bad"),
    [
        (["hourly"], "hourly"),
        (["Sometimes"], "Sometimes"),
        (["friday"], "friday"),
        (["daily", "please"], "please"),
        (["off", "now"], "now"),
        (["now", "daily"], "daily"),
        (["weekly", "friday", "at"], "at"),
    ],
)
def test_anything_else_is_unknown(args: list[str], bad: str) -> None:
    assert parse_digest_args(args) == DigestChange(
        kind="error", error="digest.error.unknown", bad=bad
    )


def test_format_time_is_always_hh_mm() -> None:
    assert format_time(0) == "00:00"
    assert format_time(8 * 60 + 30) == "08:30"
    assert format_time(23 * 60 + 59) == "23:59"


@pytest.mark.parametrize("minute_of_day", [-1, 24 * 60])
def test_format_time_refuses_out_of_range(minute_of_day: int) -> None:
    with pytest.raises(ValueError):
        format_time(minute_of_day)
    with pytest.raises(ValueError):
        format_time(minute_of_day, "en-US")


# CLDR puts a narrow no-break space between the time and AM/PM.
@pytest.mark.parametrize(
    ("locale", "lang", "morning", "evening"),
    [
        ("en-US", None, "8:30\u202fAM", "8:05\u202fPM"),
        ("en-GB", None, "08:30", "20:05"),
        ("en-IE", None, "08:30", "20:05"),
        ("nl-NL", None, "08:30", "20:05"),
        ("nl-BE", None, "08:30", "20:05"),
        # Someone who reads Kring in Dutch with an American Slack gets the Dutch clock.
        ("en-US", "nl", "08:30", "20:05"),
        ("en-GB", "en", "08:30", "20:05"),
    ],
)
def test_times_use_the_clock_of_the_persons_locale(
    locale: str, lang: str | None, morning: str, evening: str
) -> None:
    assert format_time(8 * 60 + 30, locale, lang=lang) == morning
    assert format_time(20 * 60 + 5, locale, lang=lang) == evening


def test_midnight_and_noon_on_a_12_hour_clock() -> None:
    assert format_time(0, "en-US") == "12:00\u202fAM"
    assert format_time(12 * 60, "en-US") == "12:00\u202fPM"


@given(
    st.integers(min_value=0, max_value=24 * 60 - 1),
    st.sampled_from(["en-US", "en-GB", "nl-NL", "en-AU"]),
)
def test_a_time_kring_shows_can_be_typed_back(minute_of_day: int, locale: str) -> None:
    shown = format_time(minute_of_day, locale)
    assert parse_digest_args(["at", *shown.split()]).minute_of_day == minute_of_day


def test_day_names_are_in_the_persons_language() -> None:
    assert day_name(4, "en") == "Friday"
    assert day_name(0, "nl") == "maandag"
    assert [day_name(day, "nl") for day in range(7)][-1] == "zondag"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_day_name_kring_shows_is_understood(lang: str) -> None:
    for weekday in range(7):
        shown = day_name(weekday, lang)
        assert parse_digest_args(["weekly", shown]) == DigestChange(
            kind="frequency", frequency="weekly", weekday=weekday
        )


ERROR_KEYS = {"digest.error.bad_time", "digest.error.bad_day", "digest.error.unknown"}


@given(st.lists(st.one_of(st.text(), st.sampled_from(["at", "om", "weekly", "daily", "now"]))))
def test_parsing_never_raises(args: list[str]) -> None:
    change = parse_digest_args(args)
    if change.kind == "error":
        assert change.error in ERROR_KEYS
        assert change.bad
    else:
        assert change.error is None


@given(st.integers(min_value=0, max_value=24 * 60 - 1))
def test_valid_times_round_trip(minute_of_day: int) -> None:
    hh_mm = format_time(minute_of_day)
    h_mm = f"{minute_of_day // 60}:{minute_of_day % 60:02d}"
    for written in (hh_mm, h_mm):
        change = parse_digest_args(["at", written])
        assert change.minute_of_day is not None
        assert format_time(change.minute_of_day) == hh_mm


def test_fixed_offset_person_zone_is_a_timezone() -> None:
    assert isinstance(person_zone(None, 3600), timezone)
