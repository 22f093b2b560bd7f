"""References from shares and links: stored once, counted on the original, removed with what
they hang on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.channels import LEFT, close_channel
from storage.discovery import experts, profile
from storage.models import Person, Post, Reference
from storage.people import Profile, upsert_profile
from storage.posts import NewPost, Ref, delete_post, edit_post, record_posts
from storage.privacy import export, forget
from storage.retention import purge
from storage.stats import weekly_stats

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
ORIGINAL = "1764316800.000100"  # Ann's post in C1


def post(
    ts: str, user: str, *, channel: str = "C1", refs: tuple[Ref, ...] = (), **kw: object
) -> NewPost:
    return NewPost(
        team_id="T1",
        channel_id=channel,
        ts=ts,
        user_id=user,
        text="text #ops",
        tags=frozenset({"ops"}),
        refs=refs,
        **kw,  # type: ignore[arg-type]
    )


def share(ts: str, user: str, *, channel: str = "C2", author: str | None = None) -> NewPost:
    return post(ts, user, channel=channel, refs=(Ref("C1", ORIGINAL, author),))


def count_of(s: Session, ts: str = ORIGINAL) -> int:
    return int(s.scalar(select(Post.reference_count).where(Post.ts == ts)) or 0)


def references(s: Session) -> list[tuple[str, str, str | None]]:
    return [
        (user, ts, author)
        for user, ts, author in s.execute(
            select(Reference.user_id, Reference.ts, Reference.author_id).order_by(
                Reference.user_id, Reference.ts
            )
        )
    ]


def seed(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        record_posts(session=s, posts=[post(ORIGINAL, "UANN")])


def test_shares_by_others_count_once_per_person_and_retries_store_one(
    sessions: sessionmaker[Session],
) -> None:
    seed(sessions)
    for _ in range(2):  # a retried event
        with sessions.begin() as s:
            record_posts(session=s, posts=[share("1764320000.000001", "UBOB")])
    with sessions.begin() as s:
        record_posts(
            session=s,
            posts=[
                share("1764320000.000002", "UBOB"),  # Bob again: still one person
                share("1764320000.000003", "UCAT"),
                share("1764320000.000004", "UANN"),  # quoting yourself adds nothing
            ],
        )
    with sessions.begin() as s:
        assert count_of(s) == 2
        # The author was not in the share: taken from the stored original.
        assert references(s) == [
            ("UANN", ORIGINAL, "UANN"),
            ("UBOB", ORIGINAL, "UANN"),
            ("UBOB", ORIGINAL, "UANN"),
            ("UCAT", ORIGINAL, "UANN"),
        ]


def test_a_post_linking_itself_is_no_reference(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        record_posts(session=s, posts=[post(ORIGINAL, "UANN", refs=(Ref("C1", ORIGINAL),))])
    with sessions.begin() as s:
        assert references(s) == [] and count_of(s) == 0


def test_share_of_a_message_kring_never_stored_keeps_the_shares_author(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        record_posts(session=s, posts=[share("1764320000.000001", "UBOB", author="UANN")])
    with sessions.begin() as s:
        assert references(s) == [("UBOB", ORIGINAL, "UANN")]


def test_deleting_the_share_removes_the_reference_and_the_count(
    sessions: sessionmaker[Session],
) -> None:
    seed(sessions)
    with sessions.begin() as s:
        record_posts(session=s, posts=[share("1764320000.000001", "UBOB")])
    with sessions.begin() as s:
        assert count_of(s) == 1
        delete_post(session=s, team_id="T1", channel_id="C2", ts="1764320000.000001", now=NOW)
    with sessions.begin() as s:
        assert references(s) == [] and count_of(s) == 0


def test_an_edit_replaces_the_references(sessions: sessionmaker[Session]) -> None:
    seed(sessions)
    with sessions.begin() as s:
        record_posts(session=s, posts=[post("1764320000.000001", "UBOB", channel="C2")])
    with sessions.begin() as s:
        edit_post(session=s, post=share("1764320000.000001", "UBOB"))  # the unfurl arrives
        edit_post(session=s, post=share("1764320000.000001", "UBOB"))  # and again
    with sessions.begin() as s:
        assert count_of(s) == 1 and len(references(s)) == 1
        edit_post(session=s, post=post("1764320000.000001", "UBOB", channel="C2"))
    with sessions.begin() as s:
        assert count_of(s) == 0 and references(s) == []


def test_closing_the_sharing_channel_uncounts_its_shares(sessions: sessionmaker[Session]) -> None:
    seed(sessions)
    with sessions.begin() as s:
        record_posts(session=s, posts=[share("1764320000.000001", "UBOB")])
    with sessions.begin() as s:
        close_channel(session=s, team_id="T1", channel_id="C2", reason=LEFT, now=NOW)
    with sessions.begin() as s:
        assert references(s) == [] and count_of(s) == 0


def test_retention_removes_old_shares(sessions: sessionmaker[Session]) -> None:
    seed(sessions)
    with sessions.begin() as s:
        record_posts(session=s, posts=[share("1764320000.000001", "UBOB")])
    with sessions.begin() as s:
        purge(session=s, before=NOW + timedelta(days=1), now=NOW)
    with sessions.begin() as s:
        assert references(s) == []


def test_forget_me_removes_their_shares_and_their_name_on_shares_of_theirs(
    sessions: sessionmaker[Session],
) -> None:
    seed(sessions)
    with sessions.begin() as s:
        record_posts(
            session=s,
            posts=[
                share("1764320000.000001", "UBOB"),
                share("1764320000.000002", "UCAT"),
                post("1764320000.000003", "UBOB", refs=(Ref("C9", "1764310000.000001", "UCAT"),)),
            ],
        )
    with sessions.begin() as s:
        data = export(session=s, team_id="T1", user_id="UBOB")
        assert [r["referenced_ts"] for r in data["references_made"]] == [
            ORIGINAL,
            "1764310000.000001",
        ]
        gone = forget(session=s, team_id="T1", user_id="UBOB", now=NOW)
        assert gone.references == 2
    with sessions.begin() as s:
        assert references(s) == [("UCAT", ORIGINAL, "UANN")]
        assert count_of(s) == 1
        forget(session=s, team_id="T1", user_id="UANN", now=NOW)
    with sessions.begin() as s:
        assert references(s) == [("UCAT", ORIGINAL, None)]


def test_shares_raise_expertise_and_show_on_the_profile(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        record_posts(
            session=s,
            posts=[post(ORIGINAL, "UANN"), post("1764316800.000200", "UDAN")],
        )
    with sessions.begin() as s:
        before = {e.user_id: e.score for e in experts(session=s, team_id="T1", tag="ops", now=NOW)}
        record_posts(
            session=s,
            posts=[
                share("1764320000.000001", "UBOB"),
                share("1764320000.000002", "UCAT"),
                share("1764320000.000003", "UCAT"),
                share("1764320000.000004", "UANN"),
            ],
        )
    with sessions.begin() as s:
        after = {e.user_id: e.score for e in experts(session=s, team_id="T1", tag="ops", now=NOW)}
        seen = profile(session=s, team_id="T1", user_id="UANN", viewer_id="UDAN")
    assert after["UANN"] > before["UANN"]
    assert after["UDAN"] == before["UDAN"]
    assert seen.quoted_by == [("UCAT", 2), ("UBOB", 1)]  # never herself


def test_admin_stats_count_shares_across_departments(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        for user, department in (("UANN", "Finance"), ("UBOB", "Engineering"), ("UCAT", "Finance")):
            upsert_profile(
                session=s,
                team_id="T1",
                profile=Profile(user_id=user, name=user.lower(), department=department),
                now=NOW,
            )
    now = datetime.fromtimestamp(1764320000, UTC) + timedelta(hours=1)
    seed(sessions)
    with sessions.begin() as s:
        record_posts(
            session=s,
            posts=[share("1764320000.000001", "UBOB"), share("1764320000.000002", "UCAT")],
        )
    with sessions.begin() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 3
        weeks = weekly_stats(session=s, team_id="T1", now=now, weeks=2)
    assert [w.cross_department_references for w in weeks] == [0, 1]


def test_original_stored_after_its_share_gets_the_count_and_the_share_its_author(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:  # a history import reads newest first
        record_posts(session=s, posts=[share("1764320000.000001", "UBOB")])
    with sessions.begin() as s:
        assert references(s) == [("UBOB", ORIGINAL, None)]
        record_posts(session=s, posts=[post(ORIGINAL, "UANN")])
    with sessions.begin() as s:
        assert count_of(s) == 1
        assert references(s) == [("UBOB", ORIGINAL, "UANN")]
