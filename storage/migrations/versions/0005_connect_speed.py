"""connect speed: tag counts per day, and indexes for tag look-ups

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 05:40:00.000000

``tag_days`` holds, per team, tag and UTC day, how many ``post_tags`` rows there are. Triggers
on ``post_tags`` keep it exact whatever writes the rows (record_posts, edits, deletions,
cascades, bulk loads), so trending and busy tags sum a few hundred rows per day instead of
counting every tagged post in their window.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER tr_post_tags_days_insert AFTER INSERT ON post_tags
    BEGIN
        INSERT INTO tag_days (team_id, tag, day, posts)
        VALUES (NEW.team_id, NEW.tag, date(NEW.posted_at), 1)
        ON CONFLICT (team_id, tag, day) DO UPDATE SET posts = posts + 1;
    END
    """,
    """
    CREATE TRIGGER tr_post_tags_days_delete AFTER DELETE ON post_tags
    BEGIN
        UPDATE tag_days SET posts = posts - 1
        WHERE team_id = OLD.team_id AND tag = OLD.tag AND day = date(OLD.posted_at);
    END
    """,
    """
    CREATE TRIGGER tr_post_tags_days_update AFTER UPDATE ON post_tags
    BEGIN
        UPDATE tag_days SET posts = posts - 1
        WHERE team_id = OLD.team_id AND tag = OLD.tag AND day = date(OLD.posted_at);
        INSERT INTO tag_days (team_id, tag, day, posts)
        VALUES (NEW.team_id, NEW.tag, date(NEW.posted_at), 1)
        ON CONFLICT (team_id, tag, day) DO UPDATE SET posts = posts + 1;
    END
    """,
]

_POSTGRESQL_TRIGGERS = [
    """
    CREATE FUNCTION kring_tag_days() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            UPDATE tag_days SET posts = posts - 1
            WHERE team_id = OLD.team_id AND tag = OLD.tag
              AND day = (OLD.posted_at AT TIME ZONE 'UTC')::date;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO tag_days (team_id, tag, day, posts)
            VALUES (NEW.team_id, NEW.tag, (NEW.posted_at AT TIME ZONE 'UTC')::date, 1)
            ON CONFLICT (team_id, tag, day) DO UPDATE SET posts = tag_days.posts + 1;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER tr_post_tags_days AFTER INSERT OR UPDATE OR DELETE ON post_tags
    FOR EACH ROW EXECUTE FUNCTION kring_tag_days()
    """,
]


def upgrade() -> None:
    op.create_table(
        "tag_days",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("tag", sa.String(length=80), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "tag", "day", name=op.f("pk_tag_days")),
    )
    with op.batch_alter_table("post_tags", schema=None) as batch_op:
        batch_op.create_index("ix_post_tags_tag_post", ["team_id", "tag", "post_id"], unique=False)
        batch_op.create_index("ix_post_tags_time", ["team_id", "posted_at", "tag"], unique=False)
    sqlite = op.get_bind().dialect.name == "sqlite"
    day = "date(posted_at)" if sqlite else "(posted_at AT TIME ZONE 'UTC')::date"
    op.execute(
        "INSERT INTO tag_days (team_id, tag, day, posts)"
        f" SELECT team_id, tag, {day}, count(*) FROM post_tags GROUP BY team_id, tag, {day}"
    )
    for statement in _SQLITE_TRIGGERS if sqlite else _POSTGRESQL_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS tr_post_tags_days_{name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS tr_post_tags_days ON post_tags")
        op.execute("DROP FUNCTION IF EXISTS kring_tag_days()")
    with op.batch_alter_table("post_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_post_tags_time")
        batch_op.drop_index("ix_post_tags_tag_post")
    op.drop_table("tag_days")
