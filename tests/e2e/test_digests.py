"""Daily digests, as people receive them: at their own morning, once, with working buttons."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from digests.deliver import PassReport, run_pass
from digests.preview import preview
from standin.harness import Running, running_kring
from standin.slack import StandinSlack

# Ann lives in Amsterdam (UTC+1 in November): 09:00 local is 08:00 UTC.
DAY = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
ANN = {"user_id": "U0ANN", "user_name": "ann"}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(DAY + timedelta(hours=7))


@pytest.fixture
def kring(db_url: str, standin: StandinSlack, clock: Clock) -> Iterator[Running]:
    with running_kring(db_url, standin, clock=clock) as running:
        yield running


def ts(moment: datetime, seq: int = 0) -> str:
    return f"{moment.timestamp():.0f}.{seq:06d}"


def say(
    kring: Running, user: str, text: str, at: datetime, *, channel: str = "C0GENERAL", seq: int = 0
) -> str:
    stamp = ts(at, seq)
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": stamp,
        "event_ts": stamp,
        # Slack marks private channels "group"; Kring must not record them.
        "channel_type": "group" if channel == "C0SECRET" else "channel",
    }
    assert kring.slack.post_event(event).status == 200
    return stamp


def command(kring: Running, text: str) -> str:
    answer = kring.slack.command(text, **ANN)
    assert answer.status == 200
    return str(answer.json()["text"])


def digest_pass(kring: Running, at: datetime) -> PassReport:
    return run_pass(sessions=kring.sessions, client=kring.kring.client, now=at, per_second=None)


def dms_to(standin: StandinSlack, user: str) -> list[dict[str, object]]:
    return [m for m in standin.posted_messages() if m.get("channel") == user]


def blocks_text(message: dict[str, object]) -> str:
    raw = message.get("blocks")
    blocks = json.loads(raw) if isinstance(raw, str) else raw
    return json.dumps(blocks, ensure_ascii=False)


@pytest.fixture
def busy_day(kring: Running) -> Running:
    """Ann follows Bob and #release; yesterday people shared things."""
    assert "You now follow" in command(kring, "follow <@U0BOB|bob> #release")
    evening = DAY - timedelta(hours=4)  # 20:00 UTC the day before
    say(kring, "U0BOB", "Migrated the billing service to Postgres 16", evening, seq=1)
    say(kring, "U0CAT", "Roadmap for Q1 is up #release", evening, seq=2)
    say(kring, "U0DAN", "Lunch anyone?", evening, seq=3)  # Ann follows neither Dan nor a tag of it
    say(kring, "U0ANN", "My own #release notes", evening, seq=4)  # never in her own digest
    say(kring, "U0BOB", "secret #release plans", evening, channel="C0SECRET", seq=5)
    return kring


def test_digest_arrives_once_at_local_morning(busy_day: Running, standin: StandinSlack) -> None:
    early = digest_pass(busy_day, DAY + timedelta(hours=6, minutes=59))  # 07:59 in Amsterdam
    assert early.sent == 0
    assert dms_to(standin, "U0ANN") == []
    report = digest_pass(busy_day, DAY + timedelta(hours=8, minutes=1))  # 09:01
    assert report.sent == 1
    again = digest_pass(busy_day, DAY + timedelta(hours=8, minutes=2))
    assert again.sent == 0 and again.claimed == 0
    [dm] = dms_to(standin, "U0ANN")
    assert str(dm["text"]).startswith("Your Kring digest: 2 posts from 2 people")
    shown = blocks_text(dm)
    assert "Migrated the billing service" in shown
    assert "Roadmap for Q1" in shown
    for absent in ("Lunch anyone", "My own", "secret"):
        assert absent not in shown
    assert "kring_follow" in shown and "person:U0CAT" in shown  # reached Cat through #release
    assert "person:U0BOB" not in shown  # already followed


def test_next_day_covers_only_what_is_new(busy_day: Running, standin: StandinSlack) -> None:
    digest_pass(busy_day, DAY + timedelta(hours=8, minutes=1))
    say(busy_day, "U0BOB", "Billing is fast now", DAY + timedelta(hours=12), seq=7)
    report = digest_pass(busy_day, DAY + timedelta(days=1, hours=8, minutes=1))
    assert report.sent == 1
    second = dms_to(standin, "U0ANN")[-1]
    assert "Billing is fast now" in blocks_text(second)
    assert "Migrated the billing" not in blocks_text(second)


def test_nothing_new_sends_nothing_and_counts_as_done(
    kring: Running, standin: StandinSlack
) -> None:
    command(kring, "follow #quiet")
    report = digest_pass(kring, DAY + timedelta(hours=8, minutes=1))
    assert (report.claimed, report.empty, report.sent) == (1, 1, 0)
    assert digest_pass(kring, DAY + timedelta(hours=8, minutes=2)).claimed == 0
    assert dms_to(standin, "U0ANN") == []


def test_missed_day_is_not_sent_the_next_day_but_late_digest_goes_out_same_day(
    busy_day: Running, standin: StandinSlack
) -> None:
    late = digest_pass(busy_day, DAY + timedelta(hours=18))  # 19:00 local, after downtime
    assert late.sent == 1
    next_morning = digest_pass(busy_day, DAY + timedelta(days=1, hours=8, minutes=1))
    assert next_morning.sent == 0  # nothing new since the late one


def test_edited_posts_show_latest_text_and_deleted_never_appear(
    busy_day: Running, standin: StandinSlack
) -> None:
    evening = DAY - timedelta(hours=4)
    stamp = ts(evening, 1)
    edited = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C0GENERAL",
        "channel_type": "channel",
        "ts": ts(evening, 9),
        "message": {
            "type": "message",
            "user": "U0BOB",
            "text": "Migrated billing to PG 17 (edited)",
            "ts": stamp,
            "edited": {"user": "U0BOB", "ts": ts(evening, 9)},
        },
    }
    busy_day.slack.post_event(edited)
    gone = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": "C0GENERAL",
        "channel_type": "channel",
        "ts": ts(evening, 10),
        "deleted_ts": ts(evening, 2),
    }
    busy_day.slack.post_event(gone)
    digest_pass(busy_day, DAY + timedelta(hours=8, minutes=1))
    shown = blocks_text(dms_to(standin, "U0ANN")[0])
    assert "PG 17 (edited)" in shown
    assert "Roadmap" not in shown


def test_overlapping_passes_send_one_digest(busy_day: Running, standin: StandinSlack) -> None:
    at = DAY + timedelta(hours=8, minutes=1)
    reports: list[PassReport] = []
    threads = [
        threading.Thread(target=lambda: reports.append(digest_pass(busy_day, at))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.sent for r in reports) == 1
    assert len(dms_to(standin, "U0ANN")) == 1


def test_two_instances_on_one_database_send_one_digest(
    busy_day: Running, standin: StandinSlack, db_url: str, clock: Clock
) -> None:
    at = DAY + timedelta(hours=8, minutes=1)
    with running_kring(db_url, standin, clock=clock) as second:
        reports: list[PassReport] = []
        threads = [
            threading.Thread(target=lambda k=k: reports.append(digest_pass(k, at)))
            for k in (busy_day, second, busy_day, second)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sum(r.sent for r in reports) == 1
    assert len(dms_to(standin, "U0ANN")) == 1


def test_rate_limited_send_is_retried_and_sent_once(
    busy_day: Running, standin: StandinSlack
) -> None:
    standin.fail_next("chat.postMessage", status=429, retry_after=1)
    report = digest_pass(busy_day, DAY + timedelta(hours=8, minutes=1))
    assert report.sent == 1
    assert len(dms_to(standin, "U0ANN")) == 1
    assert [c.status for c in standin.calls("chat.postMessage")] == [429, 200]


def test_failed_send_is_retried_by_a_later_pass(busy_day: Running, standin: StandinSlack) -> None:
    standin.fail_next("chat.postMessage", error="fatal_error")
    first = digest_pass(busy_day, DAY + timedelta(hours=8, minutes=1))
    assert (first.sent, first.failed) == (0, 1)
    second = digest_pass(busy_day, DAY + timedelta(hours=8, minutes=2))
    assert second.sent == 1
    third = digest_pass(busy_day, DAY + timedelta(hours=8, minutes=3))
    assert third.claimed == 0
    assert len(dms_to(standin, "U0ANN")) == 1


def test_deactivated_reader_is_skipped_from_then_on(
    busy_day: Running, standin: StandinSlack
) -> None:
    standin.fail_next("chat.postMessage", error="account_inactive")
    first = digest_pass(busy_day, DAY + timedelta(hours=8, minutes=1))
    assert first.inactive == 1
    later = digest_pass(busy_day, DAY + timedelta(days=1, hours=8, minutes=1))
    assert later.due == 0


def test_time_zone_decides_when(busy_day: Running, standin: StandinSlack) -> None:
    standin.add_user("U0TOKYO", "kenji", real_name="Kenji", tz="Asia/Tokyo", tz_offset=32400)
    assert "You now follow" in str(
        busy_day.slack.command("follow <@U0BOB>", user_id="U0TOKYO").json()["text"]
    )
    # 00:01 UTC is 09:01 in Tokyo but 01:01 in Amsterdam.
    report = digest_pass(busy_day, DAY + timedelta(minutes=1))
    assert report.sent == 1
    assert dms_to(standin, "U0TOKYO") and not dms_to(standin, "U0ANN")


def test_digest_settings_command(kring: Running) -> None:
    shown = command(kring, "digest")
    # Ann's Slack locale is en-US, whose clock is 12-hour (CLDR's "h:mm a").
    assert "every day at 9:00\u202fAM" in shown and "Europe/Amsterdam" in shown
    assert "8:30\u202fAM" in command(kring, "digest at 8:30")
    assert "every weekday" in command(kring, "digest weekdays")
    assert "every Friday" in command(kring, "digest weekly friday")
    assert "paused" in command(kring, "digest off")
    assert "paused" in command(kring, "digest")
    assert "every day" in command(kring, "digest daily")
    for bad, says in [
        ("at 25:00", "25:00"),
        ("at soon", "soon"),
        ("hourly", "hourly"),
        ("weekly blursday", "blursday"),
    ]:
        answer = command(kring, f"digest {bad}")
        assert says in answer and "/kring digest" in answer


def test_digest_times_follow_the_persons_slack_locale(
    kring: Running, standin: StandinSlack
) -> None:
    standin.add_user("U0GEO", "george", real_name="George", tz="Europe/London", locale="en-GB")
    standin.add_user("U0EVA", "eva", real_name="Eva", locale="nl-NL")
    george = kring.slack.command("digest at 6:30pm", user_id="U0GEO", user_name="george")
    assert "every day at 18:30 (Europe/London)" in george.json()["text"]
    eva = kring.slack.command("digest wekelijks op vrijdag", user_id="U0EVA", user_name="eva")
    assert "elke vrijdag om 09:00" in eva.json()["text"]
    assert "every day at 9:00\u202fAM" in command(kring, "digest")


def test_weekly_digest_only_on_its_day(busy_day: Running) -> None:
    command(busy_day, "digest weekly saturday")  # 2026-11-27 is a Friday
    assert digest_pass(busy_day, DAY + timedelta(hours=8, minutes=1)).due == 0
    assert digest_pass(busy_day, DAY + timedelta(days=1, hours=8, minutes=1)).sent == 1


def test_digest_now_sends_at_once_and_counts_as_today(
    busy_day: Running, standin: StandinSlack, clock: Clock
) -> None:
    clock.now = DAY + timedelta(hours=7)  # 08:00 local, before the usual time
    answer = command(busy_day, "digest now")
    assert "in a moment" in answer
    [followup] = standin.wait_for("response_url")
    assert "2 posts" in str(followup.params["text"])
    assert len(dms_to(standin, "U0ANN")) == 1
    assert digest_pass(busy_day, DAY + timedelta(hours=8, minutes=1)).claimed == 0


def test_follow_button_in_digest_follows_and_confirms_without_a_new_digest(
    busy_day: Running, standin: StandinSlack
) -> None:
    digest_pass(busy_day, DAY + timedelta(hours=8, minutes=1))
    before = len(standin.posted_messages())
    payload = {
        "type": "block_actions",
        "user": {"id": "U0ANN", "username": "ann", "team_id": "T0001"},
        "team": {"id": "T0001", "domain": "kring-test"},
        "api_app_id": "A0001",
        "container": {"type": "message", "channel_id": "DU0ANN", "message_ts": "1700000000.000100"},
        "channel": {"id": "DU0ANN", "name": "directmessage"},
        "trigger_id": "1.2.3",
        "response_url": standin.new_response_url(),
        "actions": [
            {
                "type": "button",
                "action_id": "kring_follow",
                "block_id": "b",
                "value": "person:U0CAT",
                "action_ts": "1700000001.0",
            }
        ],
    }
    assert busy_day.slack.action(payload).status == 200
    [confirm] = standin.wait_for("response_url")
    assert "You now follow <@U0CAT>" in str(confirm.params["text"])
    assert confirm.params.get("replace_original") is False
    assert len(standin.posted_messages()) == before
    assert "<@U0CAT>" in command(busy_day, "following")


def test_preview_prints_without_sending_or_recording(
    busy_day: Running, standin: StandinSlack
) -> None:
    text = preview(
        sessions=busy_day.sessions, user_id="U0ANN", team_id=None, now=DAY + timedelta(hours=8)
    )
    assert text is not None and "Roadmap for Q1" in text
    as_json = preview(
        sessions=busy_day.sessions,
        user_id="U0ANN",
        team_id=None,
        now=DAY + timedelta(hours=8),
        as_json=True,
    )
    assert as_json is not None and json.loads(as_json)["blocks"]
    assert dms_to(standin, "U0ANN") == []
    assert digest_pass(busy_day, DAY + timedelta(hours=8, minutes=1)).sent == 1


def test_muted_people_and_tags_never_appear_even_through_a_followed_tag(
    busy_day: Running, standin: StandinSlack
) -> None:
    evening = DAY - timedelta(hours=3)
    say(busy_day, "U0DAN", "Quarterly numbers #release #sales", evening, seq=11)
    say(busy_day, "U0CAT", "More #release notes #lunch", evening, seq=12)
    assert "Muted <@U0DAN> and #lunch" in command(busy_day, "mute <@U0DAN> #lunch")
    digest_pass(busy_day, DAY + timedelta(hours=8, minutes=1))
    shown = blocks_text(dms_to(standin, "U0ANN")[0])
    assert "Roadmap for Q1" in shown
    assert "Quarterly numbers" not in shown  # Dan is muted, though the post has #release
    assert "More #release notes" not in shown  # carries the muted #lunch


def test_stopping_mid_pass_releases_unsent_digests_for_a_later_pass(
    busy_day: Running, standin: StandinSlack
) -> None:
    for uid in ("U0BOB", "U0CAT", "U0DAN"):
        busy_day.slack.command("follow #release", user_id=uid)
    say(busy_day, "U0ANN", "Release notes are out #release", DAY - timedelta(hours=2), seq=20)
    stop = threading.Event()
    at = DAY + timedelta(hours=8, minutes=1)

    # One DM a second: stop as soon as the first one is out.
    def stop_after_first_dm() -> None:
        standin.wait_for("chat.postMessage", timeout=10)
        stop.set()

    stopper = threading.Thread(target=stop_after_first_dm)
    stopper.start()
    first = run_pass(
        sessions=busy_day.sessions, client=busy_day.kring.client, now=at, per_second=1.0, stop=stop
    )
    stopper.join()
    assert first.claimed == 4
    assert first.sent >= 1 and first.released >= 1
    assert first.sent + first.released + first.empty == 4
    second = digest_pass(busy_day, at + timedelta(minutes=1))
    assert second.sent == first.released
    receivers = [m["channel"] for m in standin.posted_messages()]
    assert sorted(receivers) == sorted(set(receivers))  # nobody got two
    assert len(receivers) == 4


def test_server_error_is_retried_with_backoff_and_sent_once(
    busy_day: Running, standin: StandinSlack
) -> None:
    standin.fail_next("chat.postMessage", status=503)
    report = digest_pass(busy_day, DAY + timedelta(hours=8, minutes=1))
    assert report.sent == 1
    assert [c.status for c in standin.calls("chat.postMessage")] == [503, 200]
    assert len(dms_to(standin, "U0ANN")) == 1


def test_slack_down_for_longer_leaves_the_digest_for_a_later_pass(
    busy_day: Running, standin: StandinSlack
) -> None:
    standin.fail_next("chat.postMessage", status=500, times=3)  # more than the client retries
    first = digest_pass(busy_day, DAY + timedelta(hours=8, minutes=1))
    assert (first.sent, first.failed) == (0, 1)
    assert digest_pass(busy_day, DAY + timedelta(hours=8, minutes=2)).sent == 1
    assert len(dms_to(standin, "U0ANN")) == 1
