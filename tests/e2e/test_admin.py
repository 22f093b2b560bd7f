"""`/kring admin channels|stats`, for workspace admins and owners only."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta

from PIL import Image

from handlers.charts import PNG_SIGNATURE
from standin.harness import Running, running_kring
from standin.slack import StandinSlack, UploadedFile
from storage.posts import NewPost, record_post
from tests.e2e.test_commands import ask
from tests.payloads import event

ADA = {"user_id": "U0ADA", "user_name": "ada"}  # admin
OWEN = {"user_id": "U0OWEN", "user_name": "owen"}  # owner
NOOR = {"user_id": "U0NOOR", "user_name": "noor"}  # Dutch-speaking admin
ANN = {"user_id": "U0ANN", "user_name": "ann"}  # everyone else


def add_admins(standin: StandinSlack) -> None:
    standin.add_user("U0ADA", "ada", real_name="Ada Admin", title="IT, Operations", is_admin=True)
    standin.add_user("U0OWEN", "owen", real_name="Owen Owner", is_owner=True)
    standin.add_user("U0NOOR", "noor", real_name="Noor", locale="nl-NL", is_admin=True)


def seed_posts(kring: Running, *posts: tuple[str, str, float]) -> None:
    """(channel, author, days ago) posts, stored as Kring would have recorded them."""
    now = time.time()
    with kring.sessions.begin() as session:
        for i, (channel, user, days_ago) in enumerate(posts):
            ts = f"{now - days_ago * 86400:.0f}.{i:06d}"
            record_post(session=session, post=NewPost("T0001", channel, ts, user, "hello"))


def chart(standin: StandinSlack) -> UploadedFile:
    standin.wait_for("files.completeUploadExternal")
    (uploaded,) = standin.uploaded_files()
    return uploaded


def assert_png(uploaded: UploadedFile) -> None:
    assert uploaded.content is not None and uploaded.content.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(uploaded.content))
    assert (image.format, image.size) == ("PNG", (800, 400))


def test_admin_channels_lists_the_public_channels_kring_is_in(
    kring: Running, standin: StandinSlack
) -> None:
    add_admins(standin)
    standin.add_channel("C0OTHER", "not-invited", is_member=False)
    standin.add_channel("C0OLD", "archived", is_archived=True)
    seed_posts(
        kring, ("C0GENERAL", "U0ANN", 1), ("C0GENERAL", "U0BOB", 3), ("C0DESIGN", "U0ANN", 2)
    )

    answer = ask(kring, "admin channels", **ADA)

    assert "Channels Kring records: 3" in answer
    assert "only reads public channels it was invited to" in answer
    assert "doesn't moderate" in answer
    lines = answer.splitlines()
    general = next(line for line in lines if "<#C0GENERAL>" in line)
    today = datetime.now(UTC).date()
    assert "posts stored: 2" in general
    assert (today - timedelta(days=1)).isoformat() in general
    assert "posts stored: 1" in next(line for line in lines if "<#C0DESIGN>" in line)
    assert "no posts stored yet" in next(line for line in lines if "<#C0RELEASE>" in line)
    for absent in ("C0SECRET", "C0OTHER", "C0OLD"):
        assert absent not in answer
    (call,) = standin.calls("users.conversations")
    assert call.params["types"] == "public_channel"
    assert call.params["exclude_archived"] in ("1", "true")
    assert "user" not in call.params  # the bot's own membership


def test_admin_channels_pages_through_many_channels(kring: Running, standin: StandinSlack) -> None:
    add_admins(standin)
    for i in range(250):
        standin.add_channel(f"C1{i:04d}", f"team-{i:04d}")

    answer = ask(kring, "admin channels", **ADA)

    assert "Channels Kring records: 253" in answer
    assert "…and 153 more." in answer
    assert len(standin.calls("users.conversations")) == 2


def test_admin_stats_answers_at_once_and_sends_a_chart_to_the_admins_dm(
    kring: Running, standin: StandinSlack
) -> None:
    add_admins(standin)
    seed_posts(
        kring, ("C0GENERAL", "U0ANN", 1), ("C0GENERAL", "U0ANN", 2), ("C0DESIGN", "U0BOB", 1)
    )
    ask(kring, "follow <@U0BOB>")  # a designer following a backend engineer: crosses
    ask(kring, "follow #design")

    answer = ask(kring, "admin stats", **ADA)

    assert "Kring over the last 4 weeks" in answer
    assert answer.count("• *") == 4
    this_week = answer.splitlines()[4]
    assert "posts 3 · active posters 2 · new follows 2" in this_week
    assert "across departments 100% (1 of 1)" in this_week
    assert "digests delivered 0" in this_week
    assert "chart is on its way" in answer
    uploaded = chart(standin)
    assert uploaded.filename == "kring-stats.png"
    assert uploaded.channels == ["DU0ADA"]
    assert uploaded.title == "Kring: the last 4 weeks"
    assert_png(uploaded)
    (opened,) = standin.calls("conversations.open")
    assert opened.params["users"] == "U0ADA"


def test_people_who_are_not_admins_are_refused(kring: Running, standin: StandinSlack) -> None:
    for command in ("admin channels", "admin stats", "admin"):
        assert "Only workspace admins and owners" in ask(kring, command, **ANN)
    time.sleep(0.5)  # the lazy listener must not upload anything either
    assert standin.calls("users.conversations") == []
    assert standin.calls("files.getUploadURLExternal") == []
    assert standin.uploaded_files() == []


def test_owners_are_allowed_and_unknown_admin_commands_explain_usage(
    kring: Running, standin: StandinSlack
) -> None:
    add_admins(standin)
    assert "Channels Kring records: 3" in ask(kring, "admin channels", **OWEN)
    usage = ask(kring, "admin xyz", **OWEN)
    assert "`/kring admin channels`" in usage and "`/kring admin stats`" in usage
    assert "`/kring admin stats`" in ask(kring, "admin help", **ANN)
    assert "/kring admin" in ask(kring, "help", **ANN)


def test_a_dutch_admin_gets_dutch(kring: Running, standin: StandinSlack) -> None:
    add_admins(standin)

    answer = ask(kring, "admin stats", **NOOR)

    assert "Kring in de afgelopen 4 weken" in answer
    assert "berichten 0 · actieve schrijvers 0 · nieuw gevolgd 0" in answer
    assert "tussen afdelingen –" in answer
    uploaded = chart(standin)
    assert (uploaded.title, uploaded.channels) == ("Kring: de afgelopen 4 weken", ["DU0NOOR"])
    assert_png(uploaded)
    assert "Kanalen die Kring vastlegt: 3" in ask(kring, "admin kanalen", **NOOR)


def test_a_mention_answers_the_admin_alone_and_sends_the_chart(
    kring: Running, standin: StandinSlack
) -> None:
    add_admins(standin)
    mention = event("app_mention", user="U0ADA", text="<@UKRING> admin stats")

    assert kring.slack.post_event(mention, event_id="EvAdmin").status == 200

    posted = standin.wait_for("chat.postEphemeral")[0].params
    assert posted["user"] == "U0ADA"
    assert "Kring over the last 4 weeks" in posted["text"]
    assert standin.calls("chat.postMessage") == []
    assert_png(chart(standin))


def test_a_demoted_admin_loses_access_within_minutes(db_url: str, standin: StandinSlack) -> None:
    add_admins(standin)
    now = [datetime.now(UTC)]
    with running_kring(db_url, standin, clock=lambda: now[0]) as kring:
        assert "Channels Kring records" in ask(kring, "admin channels", **ADA)
        standin.add_user("U0ADA", "ada", real_name="Ada Admin", is_admin=False)
        now[0] += timedelta(minutes=11)
        assert "Only workspace admins and owners" in ask(kring, "admin channels", **ADA)


def test_admin_rights_fail_closed_when_slack_cannot_confirm_them(
    db_url: str, standin: StandinSlack
) -> None:
    add_admins(standin)
    now = [datetime.now(UTC)]
    with running_kring(db_url, standin, clock=lambda: now[0]) as kring:
        assert "Channels Kring records" in ask(kring, "admin channels", **ADA)
        # Slack can't answer users.info any more.
        standin.fail_next("users.info", error="fatal_error", times=100)

        # Slack's word from 40 minutes ago still counts.
        now[0] += timedelta(minutes=40)
        assert "Channels Kring records" in ask(kring, "admin channels", **ADA)

        # Past an hour it no longer does: refused, and nothing an admin would see is read.
        now[0] += timedelta(minutes=30)
        standin.clear()
        for command in ("admin channels", "admin stats"):
            answer = ask(kring, command, **ADA)
            assert "can't confirm that you're a workspace admin" in answer
            assert "Kring over the last" not in answer
        time.sleep(0.5)  # the lazy listener must not upload the chart either
        assert standin.calls("users.info")
        assert standin.calls("users.conversations") == []
        assert standin.uploaded_files() == []

        # Once Slack answers again, so does Kring.
        standin.clear_faults()
        assert "Channels Kring records" in ask(kring, "admin channels", **ADA)


def test_a_dutch_admin_hears_in_dutch_that_slack_cannot_confirm(
    db_url: str, standin: StandinSlack
) -> None:
    add_admins(standin)
    now = [datetime.now(UTC)]
    with running_kring(db_url, standin, clock=lambda: now[0]) as kring:
        assert "Kanalen die Kring vastlegt" in ask(kring, "admin kanalen", **NOOR)
        standin.fail_next("users.info", error="fatal_error", times=100)
        now[0] += timedelta(hours=2)
        assert "Slack antwoordt nu niet" in ask(kring, "admin kanalen", **NOOR)
