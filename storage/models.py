"""Kring's tables. Every row carries the Slack team id so one database can hold many workspaces."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false

# Stable constraint names so Alembic migrations read the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(32)  # Slack ids (T…, U…, C…) and message timestamps fit easily.
# SQLite only auto-increments INTEGER PRIMARY KEY, PostgreSQL wants BIGINT for growth.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Person(Base):
    """A cached Slack profile (users.info), refreshed on user_change."""

    __tablename__ = "people"
    # Colleagues of a newcomer's own department, for the welcome DM.
    __table_args__ = (Index("ix_people_department", "team_id", "department"),)

    team_id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    real_name: Mapped[str] = mapped_column(String(255), default="")
    display_name: Mapped[str] = mapped_column(String(255), default="")
    title: Mapped[str] = mapped_column(String(255), default="")
    tz: Mapped[str | None] = mapped_column(String(64), nullable=True)
    tz_offset: Mapped[int] = mapped_column(Integer, default=0)
    locale: Mapped[str | None] = mapped_column(String(16), nullable=True)
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    # `/kring opt-out`: nothing new of theirs is recorded, and they are left out of rankings.
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # `/kring forget-me`: everything else about them was deleted; this row is the marker that
    # keeps them unrecorded until they opt in again.
    forgotten: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # 'en' or 'nl' chosen with `/kring language`; None follows the Slack locale.
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # The value of the workspace's department field (a custom profile field, see
    # handlers.departments), "" when it is empty; None while Kring has not read it.
    department_field: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # The department people are compared by, casefolded: the field's value, else guessed from
    # the title (storage.people.department_key); "" when neither tells.
    department: Mapped[str] = mapped_column(String(255), default="", server_default="")
    # None while only the id is known (seen in a post, profile not fetched yet).
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Channel(Base):
    """A cached channel name, so `<#C123|>` references resolve to a tag without an API call."""

    __tablename__ = "channels"

    team_id: Mapped[str] = mapped_column(ID, primary_key=True)
    channel_id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ClosedChannel(Base):
    """A channel that left Kring's public view: Kring was removed, it was deleted or made private.

    Its posts were deleted when it closed, and posts from it are not recorded (the insert of a
    post checks for this row) until Kring joins it again as a public channel, which deletes
    the row. Archived public channels stay readable in Slack and are never closed for that.
    """

    __tablename__ = "closed_channels"

    team_id: Mapped[str] = mapped_column(ID, primary_key=True)
    channel_id: Mapped[str] = mapped_column(ID, primary_key=True)
    # left | deleted | private | not_member | not_found (the last two from the daily audit)
    reason: Mapped[str] = mapped_column(String(16))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BackfillState(Base):
    """A channel's history import: how far back it reaches and the next page to fetch.

    Written after every page, so an import cut off by a restart resumes at ``cursor``;
    ``finished_at`` is set once the last page is in (a later import starts afresh).
    """

    __tablename__ = "backfill_state"

    team_id: Mapped[str] = mapped_column(ID, primary_key=True)
    channel_id: Mapped[str] = mapped_column(ID, primary_key=True)
    # A Slack ts: conversations.history's `oldest`; a cursor is only valid with the same one.
    oldest: Mapped[str] = mapped_column(String(32))
    cursor: Mapped[str | None] = mapped_column(Text, nullable=True)
    pages: Mapped[int] = mapped_column(Integer)
    posts: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Post(Base):
    """A human message from a public channel Kring is a member of (thread replies included)."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("team_id", "channel_id", "ts", name="uq_posts_message"),
        Index("ix_posts_author_time", "team_id", "user_id", "posted_at"),
        Index("ix_posts_team_time", "team_id", "posted_at"),
        Index("ix_posts_thread", "team_id", "channel_id", "thread_ts"),
        # A followed channel's newest posts of a window (the Home feed, digest candidates).
        Index("ix_posts_channel_time", "team_id", "channel_id", "posted_at"),
        # `who` reads author, time and counts of every post with a tag by id: on PostgreSQL an
        # index-only scan of this instead of a heap fetch per post (SQLite reads its rowid
        # table directly and gets a plain index on id).
        Index(
            "ix_posts_id_cover",
            "id",
            postgresql_include=[
                "user_id",
                "ts",
                "reaction_count",
                "reply_count",
                "reference_count",
            ],
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ID)
    channel_id: Mapped[str] = mapped_column(ID)
    ts: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    text: Mapped[str] = mapped_column(Text, default="")
    # The parent's ts for a thread reply; None for a top-level post.
    thread_ts: Mapped[str | None] = mapped_column(ID, nullable=True)
    # A reply also sent to the channel counts as a post of its own in digests.
    is_broadcast: Mapped[bool] = mapped_column(Boolean, default=False)
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    files: Mapped[list[str]] = mapped_column(JSON, default=list)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Recomputed from the rows below after each change (never incremented) so retries are harmless.
    reaction_count: Mapped[int] = mapped_column(Integer, default=0)
    reactor_count: Mapped[int] = mapped_column(Integer, default=0)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    # People other than the author who shared or linked this message (post_references).
    reference_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class PostTag(Base):
    __tablename__ = "post_tags"
    __table_args__ = (
        Index("ix_post_tags_tag_time", "team_id", "tag", "posted_at"),
        # Experts read a tag's posts in post id order: the posts table is then read in order.
        Index("ix_post_tags_tag_post", "team_id", "tag", "post_id"),
        # Counting every tag within part of a day (the edges of a trending window).
        Index("ix_post_tags_time", "team_id", "posted_at", "tag"),
        # The tags of hidden people's posts, taken off counts of every author (busy tags).
        Index("ix_post_tags_author_time", "team_id", "user_id", "posted_at", "tag"),
    )

    post_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(80), primary_key=True)
    # Copies of the post's values so tag lookups need not touch the posts table.
    team_id: Mapped[str] = mapped_column(ID)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The post's author; always written (None only in a row written by code older than 0013,
    # which filled the rows it found).
    user_id: Mapped[str | None] = mapped_column(ID, nullable=True)


class TagDay(Base):
    """How many posts carried a tag on one UTC day (``post_tags`` rows by their ``posted_at``).

    Kept exact by database triggers on ``post_tags`` (migration 0005), whatever writes or
    deletes the rows; never written by the application. Trending and busy tags sum these
    instead of counting every tagged post of their window.
    """

    __tablename__ = "tag_days"

    team_id: Mapped[str] = mapped_column(ID, primary_key=True)
    tag: Mapped[str] = mapped_column(String(80), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    posts: Mapped[int] = mapped_column(Integer)


class Mention(Base):
    __tablename__ = "mentions"
    __table_args__ = (Index("ix_mentions_user", "team_id", "user_id"),)

    post_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    team_id: Mapped[str] = mapped_column(ID)


class Reaction(Base):
    __tablename__ = "reactions"
    __table_args__ = (Index("ix_reactions_user", "team_id", "user_id"),)

    post_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    team_id: Mapped[str] = mapped_column(ID)


class Reference(Base):
    """A post that shares, quotes or links to another Slack message: (``post_id``, the message's
    channel and ts) is the key, so a retried or edited event stores it once.

    The referenced message need not be stored (another channel, older than Kring); its author is
    known from the share's attachment or from the stored original, else None. The referenced
    post's ``reference_count`` counts the distinct sharers other than its author.
    """

    __tablename__ = "post_references"
    __table_args__ = (
        Index("ix_post_references_message", "team_id", "channel_id", "ts"),
        Index("ix_post_references_author", "team_id", "author_id"),
        Index("ix_post_references_user", "team_id", "user_id"),
        Index("ix_post_references_time", "team_id", "shared_at"),
    )

    post_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[str] = mapped_column(ID, primary_key=True)
    ts: Mapped[str] = mapped_column(ID, primary_key=True)
    team_id: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)  # who shared (the referencing post's author)
    author_id: Mapped[str | None] = mapped_column(ID, nullable=True)  # the original's author
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeletedMessage(Base):
    """A message deleted in Slack: a late retry of its original event must not bring it back."""

    __tablename__ = "deleted_messages"

    team_id: Mapped[str] = mapped_column(ID, primary_key=True)
    channel_id: Mapped[str] = mapped_column(ID, primary_key=True)
    ts: Mapped[str] = mapped_column(ID, primary_key=True)
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Follow(Base):
    """One person following a person (kind 'person', target a user id), a tag ('tag') or a
    public channel Kring is in ('channel', target its channel id: renames keep it)."""

    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint("team_id", "follower_id", "kind", "target", name="uq_follows_edge"),
        Index("ix_follows_target", "team_id", "kind", "target"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ID)
    follower_id: Mapped[str] = mapped_column(ID)
    kind: Mapped[str] = mapped_column(String(8))
    target: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProcessedEvent(Base):
    """Slack event ids already acted on, for events whose effect is not a row of its own."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(ID)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DigestSetting(Base):
    """A person's digest preferences; no row means the defaults (daily at 09:00 local time)."""

    __tablename__ = "digest_settings"

    team_id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    minute_of_day: Mapped[int] = mapped_column(Integer, default=540)
    frequency: Mapped[str] = mapped_column(String(16), default="daily")
    weekday: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DigestDelivery(Base):
    """One person's digest for one local day: claimed before sending, so it goes out once.

    The unique (team, user, local day) key is the claim: whichever pass or instance inserts
    the row sends the digest; every other one skips that person for that day.
    """

    __tablename__ = "digest_deliveries"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id", "local_date", name="uq_digest_deliveries_day"),
        Index("ix_digest_deliveries_status", "status", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    local_date: Mapped[date] = mapped_column(Date)
    # claimed → sent | empty | failed (retried while attempts < limit) | gave_up
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    covered_from: Mapped[datetime] = mapped_column(UTCDateTime())
    covered_to: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    channel_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    message_ts: Mapped[str | None] = mapped_column(ID, nullable=True)
    error: Mapped[str | None] = mapped_column(String(255), nullable=True)


class Permalink(Base):
    """chat.getPermalink answers, cached: a message's permalink never changes."""

    __tablename__ = "permalinks"

    team_id: Mapped[str] = mapped_column(ID, primary_key=True)
    channel_id: Mapped[str] = mapped_column(ID, primary_key=True)
    ts: Mapped[str] = mapped_column(ID, primary_key=True)
    url: Mapped[str] = mapped_column(String(512))


class Mute(Base):
    """Someone a person muted, or a tag: never in their digests or suggestions."""

    __tablename__ = "mutes"

    team_id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    target: Mapped[str] = mapped_column(String(80), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
