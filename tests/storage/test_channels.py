"""Channels leaving Kring's public view: their posts go, and nothing from them comes back."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.channels import (
    LEFT,
    PRIVATE,
    cached_names,
    channels_with_posts,
    close_channel,
    is_closed,
    move_channel,
    remember_channel,
    reopen_channel,
)
from storage.digests import remember_permalinks
from storage.models import (
    ClosedChannel,
    DeletedMessage,
    Mention,
    Permalink,
    Post,
    PostTag,
    Reaction,
    TagDay,
)
from storage.people import Profile, upsert_profile
from storage.posts import NewPost, delete_post, edit_post, record_posts, set_reaction

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def post(channel: str, ts: str, *, team: str = "T1", user: str = "U1", **kw: object) -> NewPost:
    return NewPost(
        team,
        channel,
        ts,
        user,
        "text",
        tags=frozenset({"release"}),
        mentions=frozenset({"U2"}),
        **kw,  # type: ignore[arg-type]
    )


def talk(s: Session) -> None:
    """Two channels of team T1 and one of T2, each with a tagged post, a mention, a reply, a
    reaction and a cached permalink."""
    for team, channel in (("T1", "C1"), ("T1", "C2"), ("T2", "C1")):
        record_posts(
            session=s,
            posts=[
                post(channel, "1700000000.000100", team=team),
                post(channel, "1700000100.000200", team=team, thread_ts="1700000000.000100"),
            ],
        )
        set_reaction(
            session=s,
            team_id=team,
            channel_id=channel,
            ts="1700000000.000100",
            user_id="U3",
            name="tada",
            present=True,
        )
        remember_permalinks(
            session=s,
            team_id=team,
            links={(channel, "1700000000.000100"): f"https://x/{team}/{channel}"},
        )
        remember_channel(session=s, team_id=team, channel_id=channel, name="general", now=NOW)


def rows(s: Session) -> dict[str, list[tuple[str, str]]]:
    """(team, channel) of what each table holds, sorted."""

    def of_posts(model: type[PostTag | Mention | Reaction]) -> list[tuple[str, str]]:
        return sorted(
            (t, c)
            for t, c in s.execute(
                select(Post.team_id, Post.channel_id).join(model, model.post_id == Post.id)
            )
        )

    return {
        "posts": sorted((t, c) for t, c in s.execute(select(Post.team_id, Post.channel_id))),
        "tags": of_posts(PostTag),
        "mentions": of_posts(Mention),
        "reactions": of_posts(Reaction),
        "permalinks": sorted(
            (t, c) for t, c in s.execute(select(Permalink.team_id, Permalink.channel_id))
        ),
    }


def tag_day_total(s: Session, team: str) -> int:
    return int(
        s.scalar(select(func.coalesce(func.sum(TagDay.posts), 0)).where(TagDay.team_id == team))
        or 0
    )


def test_closing_a_channel_deletes_its_posts_with_everything_on_them(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        talk(s)
    with sessions.begin() as s:
        deleted = close_channel(session=s, team_id="T1", channel_id="C1", reason=LEFT, now=NOW)
    assert deleted == 2
    with sessions.begin() as s:
        kept = [("T1", "C2"), ("T1", "C2"), ("T2", "C1"), ("T2", "C1")]
        assert rows(s) == {
            "posts": kept,
            "tags": kept,
            "mentions": kept,
            "reactions": [("T1", "C2"), ("T2", "C1")],
            "permalinks": [("T1", "C2"), ("T2", "C1")],
        }
        # The per-day tag counts follow; the other thread keeps its reply count.
        assert tag_day_total(s, "T1") == 2
        assert s.scalar(select(func.count()).select_from(PostTag)) == 4
        parent = s.scalars(
            select(Post).where(Post.channel_id == "C2", Post.ts == "1700000000.000100")
        ).one()
        assert (parent.reply_count, parent.reaction_count) == (1, 1)
        # A private channel's name must not turn links to it into tags any more.
        assert cached_names(session=s, team_id="T1", channel_ids=["C1", "C2"]) == {"C2": "general"}
        assert is_closed(session=s, team_id="T1", channel_id="C1")
        assert not is_closed(session=s, team_id="T2", channel_id="C1")
        assert channels_with_posts(session=s, team_id="T1") == ["C2"]


def test_closed_channel_records_nothing_until_it_reopens(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        close_channel(session=s, team_id="T1", channel_id="C1", reason=PRIVATE, now=NOW)
        # Closing twice is harmless and keeps the first reason.
        close_channel(session=s, team_id="T1", channel_id="C1", reason=LEFT, now=NOW)
    with sessions.begin() as s:
        assert record_posts(session=s, posts=[post("C1", "1700000200.000100")]) == [False]
        assert not edit_post(session=s, post=post("C1", "1700000200.000100"))
        assert record_posts(session=s, posts=[post("C2", "1700000200.000100")]) == [True]
        assert s.scalars(select(ClosedChannel.reason)).all() == [PRIVATE]
    with sessions.begin() as s:
        assert reopen_channel(session=s, team_id="T1", channel_id="C1")
        assert not reopen_channel(session=s, team_id="T1", channel_id="C1")
    with sessions.begin() as s:
        assert record_posts(session=s, posts=[post("C1", "1700000300.000100")]) == [True]


def test_posts_by_bot_profiles_are_not_recorded(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        upsert_profile(session=s, team_id="T1", profile=Profile("UBOT", is_bot=True), now=NOW)
    with sessions.begin() as s:
        stored = record_posts(
            session=s,
            posts=[post("C1", "1700000000.000100", user="UBOT"), post("C1", "1700000001.000100")],
        )
    assert stored == [False, True]


def test_new_channel_id_takes_posts_links_markers_and_closure_along(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        talk(s)
        delete_post(session=s, team_id="T1", channel_id="C2", ts="1700000100.000200", now=NOW)
        # An event that already used the new id: its post wins over the old copy.
        record_posts(session=s, posts=[post("C9", "1700000000.000100")])
        close_channel(session=s, team_id="T1", channel_id="C3", reason=LEFT, now=NOW)
    with sessions.begin() as s:
        move_channel(session=s, team_id="T1", old_id="C2", new_id="C9")
        move_channel(session=s, team_id="T1", old_id="C3", new_id="C8")
    with sessions.begin() as s:
        assert rows(s)["posts"] == [
            ("T1", "C1"),
            ("T1", "C1"),
            ("T1", "C9"),
            ("T2", "C1"),
            ("T2", "C1"),
        ]
        assert rows(s)["permalinks"] == [("T1", "C1"), ("T1", "C9"), ("T2", "C1")]
        assert s.scalars(select(DeletedMessage.channel_id)).all() == ["C9"]
        assert cached_names(session=s, team_id="T1", channel_ids=["C2", "C9"]) == {"C9": "general"}
        assert is_closed(session=s, team_id="T1", channel_id="C8")
        assert not is_closed(session=s, team_id="T1", channel_id="C3")
        assert tag_day_total(s, "T1") == s.scalar(
            select(func.count()).select_from(PostTag).where(PostTag.team_id == "T1")
        )


def test_channels_are_found_by_name_while_open_and_by_their_new_name_after_a_rename(
    sessions: sessionmaker[Session],
) -> None:
    from storage.channels import open_channels, open_channels_named

    with sessions.begin() as s:
        for cid, name in (("C1", "design"), ("C2", "ops"), ("C3", "Release-Notes-")):
            remember_channel(session=s, team_id="T1", channel_id=cid, name=name, now=NOW)
        remember_channel(session=s, team_id="T2", channel_id="C9", name="design", now=NOW)
    with sessions.begin() as s:
        found = open_channels_named(session=s, team_id="T1", tags=["design", "ops", "nothing"])
        assert found == {"design": ["C1"], "ops": ["C2"]}
        assert open_channels_named(session=s, team_id="T1", tags=[]) == {}
        remember_channel(session=s, team_id="T1", channel_id="C1", name="ux", now=NOW)
        close_channel(session=s, team_id="T1", channel_id="C2", reason=LEFT, now=NOW)
        # A closed channel named again (a link in a post looked up) is still closed.
        remember_channel(session=s, team_id="T1", channel_id="C2", name="ops", now=NOW)
    with sessions.begin() as s:
        assert open_channels_named(session=s, team_id="T1", tags=["design", "ops", "ux"]) == {
            "ux": ["C1"]
        }
        assert open_channels(session=s, team_id="T1", channel_ids=["C2", "C1", "C1"]) == ["C1"]
