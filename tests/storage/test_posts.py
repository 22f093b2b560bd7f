"""Posts are stored once, edits replace, deletions remove what hangs on them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Mention, Post, PostTag, Reaction
from storage.posts import (
    NewPost,
    delete_post,
    edit_post,
    get_post,
    mentions_of,
    record_post,
    set_reaction,
    tags_of,
)

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def post(ts: str = "1700000000.000100", **kw: object) -> NewPost:
    values: dict[str, object] = {
        "team_id": "T1",
        "channel_id": "C1",
        "ts": ts,
        "user_id": "U1",
        "text": "hello #release <@U2>",
        "tags": frozenset({"release"}),
        "mentions": frozenset({"U2"}),
    }
    values.update(kw)
    return NewPost(**values)  # type: ignore[arg-type]


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_recording_the_same_message_twice_stores_one_post(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        assert record_post(session=s, post=post()) is True
    with sessions.begin() as s:
        assert record_post(session=s, post=post()) is False
    with sessions.begin() as s:
        assert count(s, Post) == 1
        assert count(s, PostTag) == 1
        assert count(s, Mention) == 1


def test_edit_replaces_text_tags_and_mentions(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        record_post(session=s, post=post())
    edited = post(
        text="now #design", tags=frozenset({"design"}), mentions=frozenset(), edited_at=NOW
    )
    with sessions.begin() as s:
        assert edit_post(session=s, post=edited)
    with sessions.begin() as s:
        stored = get_post(session=s, team_id="T1", channel_id="C1", ts="1700000000.000100")
        assert stored is not None
        assert stored.text == "now #design"
        assert tags_of(session=s, post_ids=[stored.id]) == {stored.id: ["design"]}
        assert mentions_of(session=s, post_ids=[stored.id]) == {stored.id: []}


def test_edit_of_unknown_message_records_it(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        assert edit_post(session=s, post=post(edited_at=NOW))
    with sessions.begin() as s:
        assert count(s, Post) == 1


def test_deleted_message_is_gone_with_tags_mentions_and_reactions(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        record_post(session=s, post=post())
        set_reaction(
            session=s,
            team_id="T1",
            channel_id="C1",
            ts=post().ts,
            user_id="U3",
            name="tada",
            present=True,
        )
    with sessions.begin() as s:
        assert delete_post(session=s, team_id="T1", channel_id="C1", ts=post().ts, now=NOW)
    with sessions.begin() as s:
        assert [count(s, m) for m in (Post, PostTag, Mention, Reaction)] == [0, 0, 0, 0]


def test_late_retry_of_a_deleted_message_does_not_bring_it_back(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        record_post(session=s, post=post())
    with sessions.begin() as s:
        delete_post(session=s, team_id="T1", channel_id="C1", ts=post().ts, now=NOW)
    with sessions.begin() as s:
        assert record_post(session=s, post=post()) is False
        assert count(s, Post) == 0


def test_reactions_count_people_and_are_idempotent(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        record_post(session=s, post=post())
    for user, name in [("U2", "tada"), ("U2", "tada"), ("U2", "eyes"), ("U3", "tada")]:
        with sessions.begin() as s:
            set_reaction(
                session=s,
                team_id="T1",
                channel_id="C1",
                ts=post().ts,
                user_id=user,
                name=name,
                present=True,
            )
    with sessions.begin() as s:
        stored = get_post(session=s, team_id="T1", channel_id="C1", ts=post().ts)
        assert stored is not None
        assert (stored.reaction_count, stored.reactor_count) == (3, 2)
    with sessions.begin() as s:
        set_reaction(
            session=s,
            team_id="T1",
            channel_id="C1",
            ts=post().ts,
            user_id="U2",
            name="eyes",
            present=False,
        )
    with sessions.begin() as s:
        stored = get_post(session=s, team_id="T1", channel_id="C1", ts=post().ts)
        assert stored is not None
        assert (stored.reaction_count, stored.reactor_count) == (2, 2)


def test_reaction_on_unrecorded_message_is_ignored(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        assert not set_reaction(
            session=s, team_id="T1", channel_id="G9", ts="1.0", user_id="U2", name="x", present=True
        )
        assert count(s, Reaction) == 0


def test_thread_replies_count_on_their_parent(sessions: sessionmaker[Session]) -> None:
    parent = post()
    with sessions.begin() as s:
        record_post(session=s, post=parent)
        record_post(session=s, post=post("1700000001.000100", thread_ts=parent.ts, user_id="U2"))
        record_post(session=s, post=post("1700000002.000100", thread_ts=parent.ts, user_id="U3"))
        record_post(session=s, post=post("1700000002.000100", thread_ts=parent.ts, user_id="U3"))
    with sessions.begin() as s:
        stored = get_post(session=s, team_id="T1", channel_id="C1", ts=parent.ts)
        assert stored is not None and stored.reply_count == 2
    with sessions.begin() as s:
        delete_post(session=s, team_id="T1", channel_id="C1", ts="1700000001.000100", now=NOW)
    with sessions.begin() as s:
        stored = get_post(session=s, team_id="T1", channel_id="C1", ts=parent.ts)
        assert stored is not None and stored.reply_count == 1


def test_rows_are_scoped_by_team(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        assert record_post(session=s, post=post())
        assert record_post(session=s, post=post(team_id="T2"))
    with sessions.begin() as s:
        assert count(s, Post) == 2


def test_an_edit_arriving_after_the_deletion_does_not_bring_the_message_back(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        record_post(session=s, post=post())
    with sessions.begin() as s:
        delete_post(session=s, team_id="T1", channel_id="C1", ts=post().ts, now=NOW)
    with sessions.begin() as s:
        assert edit_post(session=s, post=post(text="edited", edited_at=NOW)) is False
        assert count(s, Post) == 0


def test_an_edited_reply_never_seen_counts_on_its_parent(sessions: sessionmaker[Session]) -> None:
    parent = post()
    reply = post("1700000001.000100", thread_ts=parent.ts, user_id="U2", edited_at=NOW)
    with sessions.begin() as s:
        record_post(session=s, post=parent)
    with sessions.begin() as s:
        assert edit_post(session=s, post=reply)
    with sessions.begin() as s:
        stored = get_post(session=s, team_id="T1", channel_id="C1", ts=parent.ts)
        assert stored is not None and stored.reply_count == 1
