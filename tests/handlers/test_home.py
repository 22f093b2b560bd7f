"""The Home view as built from storage: limits, the digest controls, empty states."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from handlers.home import (
    FEED_SHOWN,
    FOLLOWS_SHOWN,
    FREQUENCY_ACTION,
    MAX_BLOCKS,
    TIME_ACTION,
    UNFOLLOW_ACTION,
    build_home,
    from_home,
    minute_of_day,
)
from storage.digests import DigestSettings, save_settings
from storage.follows import Target, follow
from storage.people import Profile, upsert_profile
from storage.posts import NewPost, record_post

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
TEAM = "T1"
ME = "UME"


def person(s: Session, uid: str, title: str = "", *, bot: bool = False) -> None:
    upsert_profile(
        session=s,
        team_id=TEAM,
        profile=Profile(uid, name=uid.lower(), real_name=uid, title=title, is_bot=bot),
        now=NOW,
    )


def post(
    s: Session, user: str, text: str, at: datetime, seq: int, tags: frozenset[str] = frozenset()
) -> None:
    stamp = f"{at.timestamp():.0f}.{seq:06d}"
    record_post(session=s, post=NewPost(TEAM, "C1", stamp, user, text, tags=tags))


def home(sessions: sessionmaker[Session], lang: str = "en", user: str = ME) -> dict[str, Any]:
    with sessions.begin() as s:
        return build_home(session=s, team_id=TEAM, user_id=user, lang=lang, now=NOW)


def of_type(view: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [b for b in view["blocks"] if b["type"] == kind]


def elements(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["action_id"]: e for b in of_type(view, "actions") for e in b["elements"]}


def accessories(view: dict[str, Any], action_id: str) -> list[str]:
    return [
        b["accessory"]["value"]
        for b in view["blocks"]
        if b.get("accessory", {}).get("action_id") == action_id
    ]


def texts(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def test_home_stays_within_slack_limits_with_many_follows_and_posts(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        person(s, ME, "Designer, Design")
        people = [f"UP{i:03d}" for i in range(60)]
        for i, uid in enumerate(people):
            person(s, uid, f"Engineer {i}, " + ("Design" if i % 2 else "Engineering"))
        follow(
            session=s,
            team_id=TEAM,
            follower_id=ME,
            targets=[Target("person", u) for u in people]
            + [Target("tag", f"topic{i}") for i in range(40)],
            now=NOW,
        )
        # The people I follow follow others too, so there are suggestions.
        for uid in people[:10]:
            follow(
                session=s,
                team_id=TEAM,
                follower_id=uid,
                targets=[Target("person", f"UX{i}") for i in range(8)],
                now=NOW,
            )
        for i in range(8):
            person(s, f"UX{i}", "Sales")
        for i in range(400):
            author = people[i % len(people)]
            text = f"Post number {i} " + "long words & <b> " * 200
            post(
                s,
                author,
                text,
                NOW - timedelta(minutes=10 * i + 5),
                i,
                frozenset({f"topic{i % 40}"}),
            )
    # How fast it builds is measured in `make bench`, not here.
    view = home(sessions)
    assert view["type"] == "home"
    assert len(view["blocks"]) <= MAX_BLOCKS
    for block in view["blocks"]:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
    shown = texts(view)
    # The feed: newest first, at most FEED_SHOWN posts, user text escaped.
    assert "Post number 0 " in shown and f"Post number {FEED_SHOWN - 1} " in shown
    assert f"Post number {FEED_SHOWN} " not in shown
    assert shown.index("Post number 0 ") < shown.index("Post number 1 ")
    assert "&lt;b&gt;" in shown and "<b>" not in shown
    # Follows: capped, with the rest counted.
    assert len(accessories(view, UNFOLLOW_ACTION)) == FOLLOWS_SHOWN
    assert f"and {100 - FOLLOWS_SHOWN} more" in shown
    # Suggestions: people the people I follow follow, with a Follow button each.
    assert "person:UX0" in accessories(view, "kring_follow")


def test_digest_controls_show_the_stored_settings(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        person(s, ME)
        save_settings(
            session=s,
            team_id=TEAM,
            user_id=ME,
            settings=DigestSettings(7 * 60 + 45, "weekly", 4),
            now=NOW,
        )
    view = home(sessions)
    controls = elements(view)
    picker = controls[TIME_ACTION]
    assert picker["type"] == "timepicker" and picker["initial_time"] == "07:45"
    menu = controls[FREQUENCY_ACTION]
    assert menu["type"] == "static_select"
    assert [o["value"] for o in menu["options"]] == ["daily", "weekdays", "weekly", "off"]
    assert menu["initial_option"] == menu["options"][2]
    assert menu["options"][2]["text"]["text"] == "Every Friday"
    assert "every Friday at 07:45" in texts(view)


def test_defaults_and_paused_digest(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        person(s, ME)
    controls = elements(home(sessions))
    assert controls[TIME_ACTION]["initial_time"] == "09:00"
    assert controls[FREQUENCY_ACTION]["initial_option"]["value"] == "daily"
    with sessions.begin() as s:
        save_settings(
            session=s, team_id=TEAM, user_id=ME, settings=DigestSettings(frequency="off"), now=NOW
        )
    view = home(sessions)
    assert elements(view)[FREQUENCY_ACTION]["initial_option"]["value"] == "off"
    assert "paused" in texts(view)


def test_someone_new_gets_a_how_to_and_starting_points(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        person(s, ME, "Designer, Design")
        person(s, "UDES", "Illustrator, Design")
        person(s, "UPOP", "Sales")
        person(s, "UBOT", bot=True)
        follow(
            session=s,
            team_id=TEAM,
            follower_id="UDES",
            targets=[Target("person", "UPOP")],
            now=NOW,
        )
        post(s, "UPOP", "Quarter closed #sales", NOW - timedelta(days=2), 1, frozenset({"sales"}))
    view = home(sessions)
    shown = texts(view)
    assert "don't follow anyone" in shown and "/kring follow" in shown
    assert accessories(view, UNFOLLOW_ACTION) == []
    suggested = accessories(view, "kring_follow")
    assert suggested[:2] == ["person:UDES", "person:UPOP"]
    assert "tag:sales" in suggested
    assert "person:UBOT" not in suggested and f"person:{ME}" not in suggested


def test_home_speaks_dutch(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        person(s, ME)
    view = home(sessions, "nl")
    assert view["blocks"][0]["text"]["text"] == "Jouw Kring"
    menu = elements(view)[FREQUENCY_ACTION]
    assert [o["text"]["text"] for o in menu["options"]][0] == "Elke dag"


def test_time_picker_values() -> None:
    assert minute_of_day("07:45") == 465
    assert minute_of_day("00:00") == 0
    assert minute_of_day("23:59") == 1439
    for bad in ("24:00", "7:5", "", None, "aa:bb", "12:60", "1245"):
        assert minute_of_day(bad) is None


def test_home_clicks_are_told_apart_from_message_clicks() -> None:
    assert from_home({"view": {"type": "home"}, "container": {"type": "view"}})
    assert not from_home({"container": {"type": "message"}})
    assert not from_home({"view": {"type": "modal"}, "container": {"type": "view"}})
