"""Every table is classified: either `/kring export` holds a person's rows of it and
`/kring forget-me` removes them, or it holds no personal data (with the reason). A new table, or
a new person column, fails here until it is classified and covered, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, and_, func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.digests import DigestSettings, claim, remember_permalinks, save_settings
from storage.follows import Target, follow
from storage.models import Base, Person, Post
from storage.mutes import mute
from storage.people import Profile, upsert_profile
from storage.posts import NewPost, Ref, record_post, set_reaction
from storage.privacy import export, forget

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
T = "T1"
ME, OTHER = "UME", "UOTHER"
MINE, THEIRS, SHARE = "1764300000.000100", "1764300100.000200", "1764300200.000300"

# Columns that name a person. ``target`` names one where the row's ``kind`` is "person".
PERSON_COLUMNS = {"user_id", "follower_id", "author_id", "target"}

Data = dict[str, Any]
# Table → where its rows about ME are in the export (True when they are there).
EXPORTED: dict[str, Callable[[Data], bool]] = {
    "people": lambda d: d["profile"] is not None and d["profile"]["name"] == "me",
    "posts": lambda d: [p["ts"] for p in d["posts"]] == [MINE, SHARE],
    "post_tags": lambda d: d["posts"][0]["tags"] == ["design"],
    "mentions": lambda d: (
        [m["ts"] for m in d["mentioned_in"]] == [THEIRS] and d["posts"][0]["mentions"] == [OTHER]
    ),
    "reactions": lambda d: (
        d["reactions_given"] == [{"channel_id": "C1", "ts": THEIRS, "reaction": "tada"}]
        and d["posts"][0]["reactions"] == {"eyes": 1}
    ),
    "post_references": lambda d: [r["referenced_ts"] for r in d["references_made"]] == [THEIRS],
    "follows": lambda d: (
        [f["target"] for f in d["following"]] == [OTHER]
        and [f["user_id"] for f in d["followers"]] == [OTHER]
    ),
    "mutes": lambda d: [m["target"] for m in d["mutes"]] == ["lunch"],
    "digest_settings": lambda d: d["digest_settings"]["frequency"] == "weekly",
    "digest_deliveries": lambda d: (
        [x["local_date"] for x in d["digest_deliveries"]] == ["2026-11-28"]
    ),
    "permalinks": lambda d: d["posts"][0]["permalink"] == "https://x.slack.com/p1",
}
# Tables whose rows about ME forget-me deletes (people: only the emptied marker stays).
FORGOTTEN = set(EXPORTED)
NOT_PERSONAL = {
    "channels": "channel names, the same for everyone",
    "closed_channels": "which channels left Kring's view, and why",
    "backfill_state": "how far a channel's history import got",
    "tag_days": "posts per tag and day, counts without authors",
    "deleted_messages": "(channel, ts) of messages deleted in Slack, no author or text",
    "processed_events": "Slack event ids already handled",
}


def person_columns(table: Table) -> set[str]:
    return {c.name for c in table.columns} & PERSON_COLUMNS


def test_every_table_is_classified_once() -> None:
    tables = set(Base.metadata.tables)
    unclassified = tables - set(EXPORTED) - set(NOT_PERSONAL)
    assert not unclassified, f"classify these tables in this test: {sorted(unclassified)}"
    assert not set(EXPORTED) & set(NOT_PERSONAL)
    assert set(EXPORTED) == FORGOTTEN
    assert set(EXPORTED) | set(NOT_PERSONAL) == tables, "a classified table no longer exists"


def test_tables_said_not_to_be_personal_name_no_one() -> None:
    for name in NOT_PERSONAL:
        table = Base.metadata.tables[name]
        assert not person_columns(table), f"{name} names people: cover it in export and forget"
        assert not [fk for fk in table.foreign_keys if fk.column.table.name in EXPORTED], name


def everything_about_me(s: Session) -> None:
    """A row about ME in every table that EXPORTED lists."""
    for uid in (ME, OTHER):
        upsert_profile(session=s, team_id=T, profile=Profile(uid, name=uid[1:].lower()), now=NOW)
    record_post(
        session=s,
        post=NewPost(
            T,
            "C1",
            MINE,
            ME,
            f"#design <@{OTHER}>",
            tags=frozenset({"design"}),
            mentions=frozenset({OTHER}),
        ),
    )
    record_post(
        session=s,
        post=NewPost(T, "C1", THEIRS, OTHER, f"hi <@{ME}>", mentions=frozenset({ME})),
    )
    # ME shares OTHER's message.
    record_post(
        session=s, post=NewPost(T, "C1", SHARE, ME, "look", refs=(Ref("C1", THEIRS, OTHER),))
    )
    # OTHER shares ME's message: the share stays OTHER's, without naming ME as its author.
    record_post(
        session=s,
        post=NewPost(T, "C1", "1764300300.000400", OTHER, "see", refs=(Ref("C1", MINE, ME),)),
    )
    set_reaction(
        session=s, team_id=T, channel_id="C1", ts=THEIRS, user_id=ME, name="tada", present=True
    )
    set_reaction(
        session=s, team_id=T, channel_id="C1", ts=MINE, user_id=OTHER, name="eyes", present=True
    )
    follow(session=s, team_id=T, follower_id=ME, targets=[Target("person", OTHER)], now=NOW)
    follow(session=s, team_id=T, follower_id=OTHER, targets=[Target("person", ME)], now=NOW)
    mute(session=s, team_id=T, user_id=ME, targets=[Target("tag", "lunch")], now=NOW)
    mute(session=s, team_id=T, user_id=OTHER, targets=[Target("person", ME)], now=NOW)
    save_settings(
        session=s,
        team_id=T,
        user_id=ME,
        settings=DigestSettings(frequency="weekly"),
        now=NOW,
    )
    claim(session=s, wanted=[(T, ME, date(2026, 11, 28), NOW)], now=NOW)
    remember_permalinks(session=s, team_id=T, links={("C1", MINE): "https://x.slack.com/p1"})


def rows_about_me(s: Session, name: str, my_posts: list[int]) -> int:
    """Rows of table ``name`` that name ME in a person column, or hang on one of my posts."""
    table = Base.metadata.tables[name]
    wheres = []
    for column in person_columns(table):
        about = table.c[column] == ME
        if column == "target":
            about = and_(about, table.c["kind"] == "person")
        wheres.append(about)
    if "post_id" in table.c:
        wheres.append(table.c["post_id"].in_(my_posts))
    if name == "permalinks":
        wheres.append(table.c["ts"].in_([MINE, SHARE]))
    n = 0
    for where in wheres:
        n += int(s.scalar(select(func.count()).select_from(table).where(where)) or 0)
    return n


def test_export_holds_and_forget_removes_every_personal_table(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        everything_about_me(s)
        my_posts = list(s.scalars(select(Post.id).where(Post.user_id == ME)))
        missing = [name for name in EXPORTED if not rows_about_me(s, name, my_posts)]
        assert not missing, f"the test made no row about ME in {missing}"
        data = export(session=s, team_id=T, user_id=ME)
    not_exported = [name for name, found in EXPORTED.items() if not found(data)]
    assert not not_exported, f"export misses {not_exported}"

    with sessions.begin() as s:
        forget(session=s, team_id=T, user_id=ME, now=NOW)
    with sessions.begin() as s:
        left = {
            name: n
            for name in sorted(FORGOTTEN - {"people"})
            if (n := rows_about_me(s, name, my_posts))
        }
        marker = s.get(Person, (T, ME))
    assert not left, f"forget-me left rows about the person: {left}"
    assert marker is not None and marker.forgotten and (marker.name, marker.real_name) == ("", "")
