"""Whom a newcomer is pointed at first, and the welcome DM built from it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from handlers.welcome import welcome_blocks
from storage.follows import Target, follow
from storage.models import Person
from storage.people import Profile, upsert_profile
from storage.posts import NewPost, record_post, set_reaction
from storage.welcome import busy_tags, starter_people

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
TEAM = "T1"
NEW = "UNEW"
seq = iter(range(1, 1_000_000))


def person(
    s: Session, uid: str, title: str = "", *, bot: bool = False, deleted: bool = False
) -> None:
    upsert_profile(
        session=s,
        team_id=TEAM,
        profile=Profile(uid, name=uid.lower(), title=title, is_bot=bot, deleted=deleted),
        now=NOW,
    )


def post(
    s: Session,
    user: str,
    *,
    tags: frozenset[str] = frozenset(),
    days_ago: float = 1,
    reactions: int = 0,
) -> None:
    stamp = f"{(NOW - timedelta(days=days_ago)).timestamp():.0f}.{next(seq):06d}"
    record_post(session=s, post=NewPost(TEAM, "C1", stamp, user, "text", tags=tags))
    for i in range(reactions):
        set_reaction(
            session=s,
            team_id=TEAM,
            channel_id="C1",
            ts=stamp,
            user_id=f"UR{i}",
            name="+1",
            present=True,
        )


def followed_by(s: Session, target: str, followers: list[str]) -> None:
    for follower in followers:
        follow(
            session=s,
            team_id=TEAM,
            follower_id=follower,
            targets=[Target("person", target)],
            now=NOW,
        )


def workspace(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        person(s, NEW, "Product designer, Design")
        person(s, "UDES1", "Illustrator, Design")
        person(s, "UDES2", "UX researcher - design")
        person(s, "UDESIGNER", "Designer")  # another department: "designer"
        person(s, "UPOP", "Head of Sales, Sales")
        person(s, "UHELP", "Support, Customer Care")
        person(s, "UBOT", bot=True)
        person(s, "UGONE", "Illustrator, Design", deleted=True)
        person(s, "USLACKBOT", "")
        person(s, "UPRIVATE", "Illustrator, Design")
        s.get_one(Person, (TEAM, "UPRIVATE")).opted_out = True
        followed_by(s, "UPRIVATE", ["UA", "UB", "UC", "UD"])
        followed_by(s, "UPOP", ["UA", "UB", "UC"])
        followed_by(s, "UDES2", ["UA"])
        followed_by(s, "UGONE", ["UA", "UB", "UC", "UD"])
        followed_by(s, "UBOT", ["UA", "UB", "UC", "UD"])
        post(s, "UHELP", tags=frozenset({"support"}), reactions=6)
        post(s, "UHELP", tags=frozenset({"support"}), days_ago=120, reactions=20)  # too long ago
        post(s, "UGONE", reactions=9)
        post(s, "UPOP", tags=frozenset({"sales", "support"}))
        post(s, "UPOP", tags=frozenset({"sales"}), days_ago=45)


def test_department_first_then_most_followed_then_most_helpful(
    sessions: sessionmaker[Session],
) -> None:
    workspace(sessions)
    with sessions.begin() as s:
        picked = starter_people(
            session=s, team_id=TEAM, user_id=NEW, department="design", now=NOW, limit=5
        )
    assert [p.user_id for p in picked] == ["UDES2", "UDES1", "UPOP", "UHELP"]
    assert [p.same_department for p in picked] == [True, True, False, False]
    assert (picked[2].followers, picked[3].helpful) == (3, 6)


def test_department_takes_at_most_three_places(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        person(s, NEW, "Engineer, Platform")
        for i in range(6):
            person(s, f"UPLAT{i}", "Engineer, Platform")
        person(s, "UPOP", "Sales")
        followed_by(s, "UPOP", ["UA"])
    with sessions.begin() as s:
        picked = starter_people(
            session=s, team_id=TEAM, user_id=NEW, department="platform", now=NOW, limit=5
        )
    ids = [p.user_id for p in picked]
    assert len(ids) == 5 and ids[3] == "UPOP"
    assert sum(p.same_department for p in picked) == 4  # the fifth place fills from the team


def test_busy_tags_are_recent_and_not_followed(sessions: sessionmaker[Session]) -> None:
    workspace(sessions)
    with sessions.begin() as s:
        assert busy_tags(session=s, team_id=TEAM, user_id=NEW, now=NOW) == [
            ("support", 2),
            ("sales", 1),
        ]
        follow(
            session=s, team_id=TEAM, follower_id=NEW, targets=[Target("tag", "support")], now=NOW
        )
        assert busy_tags(session=s, team_id=TEAM, user_id=NEW, now=NOW) == [("sales", 1)]


def test_busy_tags_leave_out_what_hidden_people_posted(sessions: sessionmaker[Session]) -> None:
    workspace(sessions)
    with sessions.begin() as s:
        s.get_one(Person, (TEAM, "UPRIVATE")).opted_out = False
    with sessions.begin() as s:
        post(s, "UPRIVATE", tags=frozenset({"reorg", "support"}))
        post(s, "UPRIVATE", tags=frozenset({"reorg"}))
        post(s, "UGONE", tags=frozenset({"sales"}))  # deactivated
    with sessions.begin() as s:
        assert busy_tags(session=s, team_id=TEAM, user_id=NEW, now=NOW) == [
            ("support", 3),
            ("reorg", 2),
            ("sales", 1),
        ]
        # Opted out afterwards: neither their posts nor a tag only they used may show.
        s.get_one(Person, (TEAM, "UPRIVATE")).opted_out = True
    with sessions.begin() as s:
        assert busy_tags(session=s, team_id=TEAM, user_id=NEW, now=NOW) == [
            ("support", 2),
            ("sales", 1),
        ]
        assert busy_tags(session=s, team_id=TEAM, user_id=NEW, now=NOW, limit=1) == [("support", 2)]


def test_welcome_blocks_list_people_and_tags_with_follow_buttons(
    sessions: sessionmaker[Session],
) -> None:
    workspace(sessions)
    with sessions.begin() as s:
        text, blocks = welcome_blocks(session=s, team_id=TEAM, user_id=NEW, lang="en", now=NOW)
    assert "Welcome" in text
    assert len(blocks) <= 50
    buttons = [b["accessory"] for b in blocks if "accessory" in b]
    assert {b["action_id"] for b in buttons} == {"kring_follow"}
    assert [b["value"] for b in buttons] == [
        "person:UDES2",
        "person:UDES1",
        "person:UPOP",
        "person:UHELP",
        "tag:support",
        "tag:sales",
    ]
    shown = json.dumps(blocks)
    assert "in your team" in shown and "followed by 3 colleagues" in shown
    assert "/kring follow" in shown and "Home" in shown
    intro = blocks[1]["text"]["text"]
    assert len(intro.split("\n")) == 3


def test_welcome_in_dutch(sessions: sessionmaker[Session]) -> None:
    workspace(sessions)
    with sessions.begin() as s:
        text, blocks = welcome_blocks(session=s, team_id=TEAM, user_id=NEW, lang="nl", now=NOW)
    assert text.startswith("Welkom")
    assert "in jouw team" in json.dumps(blocks, ensure_ascii=False)


def test_nobody_known_yet(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        person(s, NEW)
        text, blocks = welcome_blocks(session=s, team_id=TEAM, user_id=NEW, lang="en", now=NOW)
    assert not [b for b in blocks if "accessory" in b]
    assert "/kring follow @" in json.dumps(blocks)


def test_the_department_field_decides_who_is_a_colleague(sessions: sessionmaker[Session]) -> None:
    def colleague(s: Session, uid: str, title: str, department: str) -> None:
        profile = Profile(uid, name=uid.lower(), title=title, department=department)
        upsert_profile(session=s, team_id=TEAM, profile=profile, now=NOW)

    with sessions.begin() as s:
        colleague(s, NEW, "Trainee, Design", "Finance")
        colleague(s, "UFIN", "Engineer, Engineering", "Finance")
        colleague(s, "UDES", "Illustrator, Design", "Marketing")
        followed_by(s, "UDES", ["UA"])
        department = s.get_one(Person, (TEAM, NEW)).department
    with sessions.begin() as s:
        picked = starter_people(
            session=s, team_id=TEAM, user_id=NEW, department=department, now=NOW, limit=5
        )
    assert [(p.user_id, p.same_department) for p in picked] == [("UFIN", True), ("UDES", False)]
