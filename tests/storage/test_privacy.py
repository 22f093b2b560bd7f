"""Opting out, exporting and forgetting, on both databases."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from digests.rank import AUTHOR
from digests.select import candidates
from storage.digests import DigestSettings, claim, finish, remember_permalinks, save_settings
from storage.discovery import experts, suggest, trending
from storage.follows import Target, follow
from storage.models import (
    DigestDelivery,
    DigestSetting,
    Follow,
    Mention,
    Mute,
    Permalink,
    Person,
    Post,
    PostTag,
    Reaction,
)
from storage.mutes import mute
from storage.people import Profile, upsert_profile
from storage.posts import NewPost, delete_post, edit_post, get_post, record_post, set_reaction
from storage.privacy import Forgotten, export, forget, is_unrecorded, set_opted_out

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
T = "T1"
P1 = "1764300000.000100"  # U1: "#release notes <@U2>"
P2 = "1764300100.000200"  # U2: "#design <@U1>", a thread parent
P3 = "1764300200.000300"  # U1's reply in P2's thread
P4 = "1764300300.000400"  # U3's reply in P2's thread


def new_post(ts: str, user: str, **kw: object) -> NewPost:
    values: dict[str, object] = {
        "team_id": T,
        "channel_id": "C1",
        "ts": ts,
        "user_id": user,
        "text": f"post {ts}",
    }
    values.update(kw)
    values["mentions"] = frozenset(kw.get("mentions") or ())  # type: ignore[call-overload]
    return NewPost(**values)  # type: ignore[arg-type]


def react(s: Session, ts: str, user: str, name: str, present: bool = True) -> bool:
    return set_reaction(
        session=s, team_id=T, channel_id="C1", ts=ts, user_id=user, name=name, present=present
    )


def rows(s: Session, model: type, *where: object) -> int:
    return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def world(sessions: sessionmaker[Session]) -> None:
    """U1 (the one who will be forgotten), U2 and U3, with a bit of everything."""
    with sessions.begin() as s:
        for uid, name in (("U1", "ann"), ("U2", "bob"), ("U3", "cat")):
            upsert_profile(
                session=s,
                team_id=T,
                profile=Profile(
                    uid, name=name, real_name=name.title(), title="Designer", department="UX"
                ),
                now=NOW,
            )
        record_post(
            session=s,
            post=new_post(
                P1,
                "U1",
                text="#release notes <@U2> https://example.com",
                tags=frozenset({"release"}),
                mentions=frozenset({"U2"}),
                links=("https://example.com",),
                files=("F1",),
            ),
        )
        record_post(
            session=s,
            post=new_post(
                P2, "U2", text="#design <@U1>", tags=frozenset({"design"}), mentions={"U1"}
            ),
        )
        record_post(session=s, post=new_post(P3, "U1", thread_ts=P2))
        record_post(session=s, post=new_post(P4, "U3", thread_ts=P2))
        # The same person in another workspace is someone else.
        record_post(session=s, post=new_post(P1, "U1", team_id="T2"))
        react(s, P2, "U1", "tada")
        react(s, P2, "U1", "eyes")
        react(s, P2, "U3", "tada")
        react(s, P1, "U2", "+1")
        follow(
            session=s,
            team_id=T,
            follower_id="U1",
            targets=[Target("person", "U2"), Target("tag", "release")],
            now=NOW,
        )
        follow(session=s, team_id=T, follower_id="U2", targets=[Target("person", "U1")], now=NOW)
        follow(
            session=s,
            team_id=T,
            follower_id="U3",
            targets=[Target("person", "U1"), Target("person", "U2")],
            now=NOW,
        )
        mute(
            session=s,
            team_id=T,
            user_id="U1",
            targets=[Target("person", "U3"), Target("tag", "lunch")],
            now=NOW,
        )
        mute(session=s, team_id=T, user_id="U2", targets=[Target("person", "U1")], now=NOW)
        save_settings(
            session=s,
            team_id=T,
            user_id="U1",
            settings=DigestSettings(480, "weekdays", 0),
            now=NOW,
        )
        won = claim(
            session=s,
            wanted=[
                (T, "U1", date(2026, 11, 28), NOW - timedelta(days=1)),
                (T, "U2", date(2026, 11, 28), NOW - timedelta(days=1)),
            ],
            now=NOW,
        )
        for c in won:
            finish(session=s, delivery_id=c.delivery_id, status="sent", now=NOW, post_count=1)
        remember_permalinks(
            session=s,
            team_id=T,
            links={("C1", P1): "https://x/p1", ("C1", P2): "https://x/p2"},
        )


def test_export_holds_everything_about_the_person(sessions: sessionmaker[Session]) -> None:
    world(sessions)
    with sessions.begin() as s:
        data = export(session=s, team_id=T, user_id="U1")
    json.dumps(data)  # serialisable as it is
    assert data["profile"]["name"] == "ann" and data["profile"]["title"] == "Designer"
    assert data["profile"]["department"] == "UX"
    posts = {p["ts"]: p for p in data["posts"]}
    assert set(posts) == {P1, P3}
    first = posts[P1]
    assert first["text"].startswith("#release notes")
    assert first["tags"] == ["release"] and first["mentions"] == ["U2"]
    assert first["links"] == ["https://example.com"] and first["files"] == ["F1"]
    assert first["reaction_count"] == 1 and first["reactions"] == {"+1": 1}
    assert first["permalink"] == "https://x/p1"
    assert first["posted_at"].startswith("2025-11-28")
    assert posts[P3]["thread_ts"] == P2 and posts[P3]["permalink"] is None
    assert sorted(r["reaction"] for r in data["reactions_given"]) == ["eyes", "tada"]
    assert [m["ts"] for m in data["mentioned_in"]] == [P2]
    assert [(f["kind"], f["target"]) for f in data["following"]] == [
        ("person", "U2"),
        ("tag", "release"),
    ]
    assert [f["user_id"] for f in data["followers"]] == ["U2", "U3"]
    assert [(m["kind"], m["target"]) for m in data["mutes"]] == [
        ("person", "U3"),
        ("tag", "lunch"),
    ]
    assert data["digest_settings"]["frequency"] == "weekdays"
    assert [d["status"] for d in data["digest_deliveries"]] == ["sent"]
    assert data["digest_deliveries"][0]["local_date"] == "2026-11-28"


def test_export_of_a_stranger_is_empty(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        data = export(session=s, team_id=T, user_id="UNOBODY")
    assert data["profile"] is None and data["posts"] == [] and data["digest_settings"] is None


def test_forget_deletes_everything_and_leaves_only_the_marker(
    sessions: sessionmaker[Session],
) -> None:
    world(sessions)
    with sessions.begin() as s:
        gone = forget(session=s, team_id=T, user_id="U1", now=NOW)
    assert gone == Forgotten(
        posts=2,
        post_tags=1,
        mentions=2,  # U2's mention of U1, and U1's mention of U2
        reactions=3,  # two given by U1, one on U1's post
        follows=2,
        followers=2,
        mutes=3,  # two of U1's, and U2's mute of U1
        digest_settings=1,
        digest_deliveries=1,
        permalinks=1,
    )
    with sessions.begin() as s:
        in_team = Post.team_id == T
        assert sorted(s.scalars(select(Post.ts).where(in_team))) == [P2, P4]
        assert rows(s, Post, Post.user_id == "U1", in_team) == 0
        assert rows(s, Post, Post.team_id == "T2") == 1  # another workspace is untouched
        assert sorted(s.scalars(select(PostTag.tag).where(PostTag.team_id == T))) == ["design"]
        assert rows(s, Mention, Mention.team_id == T) == 0
        assert [(r.user_id, r.name) for r in s.scalars(select(Reaction))] == [("U3", "tada")]
        assert [(f.follower_id, f.target) for f in s.scalars(select(Follow))] == [("U3", "U2")]
        assert rows(s, Mute) == 0
        assert rows(s, DigestSetting) == 0
        assert list(s.scalars(select(DigestDelivery.user_id))) == ["U2"]
        assert list(s.scalars(select(Permalink.ts))) == [P2]
        parent = get_post(session=s, team_id=T, channel_id="C1", ts=P2)
        assert parent is not None
        assert (parent.reaction_count, parent.reactor_count, parent.reply_count) == (1, 1, 1)
        marker = s.get(Person, (T, "U1"))
        assert marker is not None and marker.forgotten and marker.opted_out
        assert (marker.name, marker.real_name, marker.display_name, marker.title) == ("",) * 4
        assert (marker.tz, marker.locale, marker.language, marker.fetched_at) == (None,) * 4
        assert (marker.department_field, marker.department) == (None, "")
        others = s.get(Person, (T, "U2"))
        assert others is not None and others.name == "bob" and not others.forgotten


def test_forgotten_person_is_not_recorded_again_until_they_opt_in(
    sessions: sessionmaker[Session],
) -> None:
    world(sessions)
    with sessions.begin() as s:
        forget(session=s, team_id=T, user_id="U1", now=NOW)
    later = "1764400000.000100"
    with sessions.begin() as s:
        assert is_unrecorded(session=s, team_id=T, user_ids=["U1", "U2"]) == {"U1"}
        assert record_post(session=s, post=new_post(later, "U1")) is False
        assert react(s, P2, "U1", "tada") is False
        record_post(session=s, post=new_post("1764400000.000200", "U2", mentions={"U1", "U3"}))
        # A profile refresh (user_change, users.info) keeps only the marker.
        upsert_profile(
            session=s,
            team_id=T,
            profile=Profile("U1", name="ann", real_name="Ann", title="Designer", deleted=True),
            now=NOW,
        )
    with sessions.begin() as s:
        assert rows(s, Post, Post.user_id == "U1", Post.team_id == T) == 0
        assert list(s.scalars(select(Mention.user_id))) == ["U3"]
        assert rows(s, Reaction, Reaction.user_id == "U1") == 0
        marker = s.get(Person, (T, "U1"))
        assert marker is not None and marker.name == "" and marker.title == ""
        assert marker.deleted  # the flags that hide them are still kept
    with sessions.begin() as s:
        assert set_opted_out(session=s, team_id=T, user_id="U1", opted_out=False, now=NOW)
    with sessions.begin() as s:
        marker = s.get(Person, (T, "U1"))
        assert marker is not None and not marker.forgotten and not marker.opted_out
        assert record_post(session=s, post=new_post(later, "U1")) is True
        assert react(s, P2, "U1", "tada") is True


def test_opted_out_author_reactions_and_mentions_are_not_recorded(
    sessions: sessionmaker[Session],
) -> None:
    world(sessions)
    with sessions.begin() as s:
        assert set_opted_out(session=s, team_id=T, user_id="U1", opted_out=True, now=NOW)
        assert not set_opted_out(session=s, team_id=T, user_id="U1", opted_out=True, now=NOW)
    with sessions.begin() as s:
        assert record_post(session=s, post=new_post("1764400000.000100", "U1")) is False
        edited = new_post(P1, "U1", text="edited", tags=frozenset({"x"}), edited_at=NOW)
        assert edit_post(session=s, post=edited) is False
        assert react(s, P2, "U1", "rocket") is False
        assert react(s, P2, "U1", "eyes", present=False) is True  # removals still apply
        record_post(session=s, post=new_post("1764400000.000300", "U2", mentions={"U1"}))
        edit_post(session=s, post=new_post(P4, "U3", thread_ts=P2, mentions={"U1", "U2"}))
    with sessions.begin() as s:
        # What was held before stays as it was.
        kept = get_post(session=s, team_id=T, channel_id="C1", ts=P1)
        assert kept is not None and kept.text.startswith("#release notes")
        assert rows(s, Post, Post.user_id == "U1", Post.team_id == T) == 2
        assert sorted(s.scalars(select(Reaction.name).where(Reaction.user_id == "U1"))) == ["tada"]
        parent = get_post(session=s, team_id=T, channel_id="C1", ts=P2)
        assert parent is not None and parent.reaction_count == 2
        new_mentions = select(Mention.user_id).join(Post, Post.id == Mention.post_id)
        assert list(s.scalars(new_mentions.where(Post.ts == "1764400000.000300"))) == []
        assert list(s.scalars(new_mentions.where(Post.ts == P4))) == ["U2"]
    with sessions.begin() as s:
        assert set_opted_out(session=s, team_id=T, user_id="U1", opted_out=False, now=NOW)
        assert not set_opted_out(session=s, team_id=T, user_id="U1", opted_out=False, now=NOW)
        assert record_post(session=s, post=new_post("1764400000.000400", "U1")) is True


def test_opting_out_someone_never_seen_creates_their_row(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        assert set_opted_out(session=s, team_id=T, user_id="UNEW", opted_out=True, now=NOW)
    with sessions.begin() as s:
        assert is_unrecorded(session=s, team_id=T, user_ids=["UNEW", "UOTHER"]) == {"UNEW"}
        assert record_post(session=s, post=new_post("1764400000.000100", "UNEW")) is False


def test_opted_out_people_leave_rankings(sessions: sessionmaker[Session]) -> None:
    base = NOW - timedelta(days=2)
    with sessions.begin() as s:
        for uid in ("UOUT", "UIN", "UME"):
            upsert_profile(session=s, team_id=T, profile=Profile(uid, name=uid), now=NOW)
        for i in range(3):
            for uid in ("UOUT", "UIN"):
                stamp = f"{(base + timedelta(minutes=i)).timestamp():.0f}.00000{i}"
                record_post(
                    session=s,
                    post=new_post(stamp, uid, channel_id=uid, tags=frozenset({"design"})),
                )
        follow(session=s, team_id=T, follower_id="UME", targets=[Target("tag", "design")], now=NOW)

    def ranked(s: Session) -> tuple[list[str], int, list[str]]:
        who = [e.user_id for e in experts(session=s, team_id=T, tag="design", now=NOW)]
        [trend] = trending(session=s, team_id=T, now=NOW, days=7)
        suggested = [x.user_id for x in suggest(session=s, team_id=T, user_id="UME", now=NOW)]
        return sorted(who), trend.current, sorted(suggested)

    with sessions.begin() as s:
        assert ranked(s) == (["UIN", "UOUT"], 6, ["UIN", "UOUT"])
        set_opted_out(session=s, team_id=T, user_id="UOUT", opted_out=True, now=NOW)
    with sessions.begin() as s:
        assert ranked(s) == (["UIN"], 3, ["UIN"])


def authors_of(
    session: Session, windows: dict[str, tuple[datetime, datetime]]
) -> dict[str, set[str]]:
    return {
        reader: {entry[AUTHOR] for entry in pool.values()}
        for reader, pool in candidates(session=session, team_id=T, windows=windows, now=NOW)
    }


def test_deactivated_and_opted_out_authors_are_left_out_of_digests(
    sessions: sessionmaker[Session],
) -> None:
    world(sessions)
    window = {"U3": (NOW - timedelta(days=400), NOW)}
    with sessions.begin() as s:
        before = authors_of(s, window)
        assert before == {"U3": {"U1", "U2"}}
        upsert_profile(session=s, team_id=T, profile=Profile("U2", deleted=True), now=NOW)
        set_opted_out(session=s, team_id=T, user_id="U1", opted_out=True, now=NOW)
    with sessions.begin() as s:
        assert authors_of(s, window) == {}


def test_deleting_a_message_also_drops_its_permalink(sessions: sessionmaker[Session]) -> None:
    world(sessions)
    with sessions.begin() as s:
        assert delete_post(session=s, team_id=T, channel_id="C1", ts=P1, now=NOW)
    with sessions.begin() as s:
        assert list(s.scalars(select(Permalink.ts))) == [P2]
