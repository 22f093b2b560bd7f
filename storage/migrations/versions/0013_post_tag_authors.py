"""post tags know their author

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 18:00:00.000000

Busy tags (the Home tab, the welcome DM) are summed from ``tag_days``, which counts every
author; the posts of the people storage.visibility hides are taken off again. Counting those
from ``post_tags`` alone needs the author there: ``post_tags.user_id``, a copy of the post's
(which never changes, like the ``team_id`` and ``posted_at`` copies), and
``ix_post_tags_author_time`` make it one index range per hidden person instead of a lookup of
every post of theirs.

The ``tag_days`` update triggers (0005) now fire only when a column they count changes: filling
the new column would otherwise take one away and add it back for every row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_SQLITE_UPDATE_TRIGGER = """
    CREATE TRIGGER tr_post_tags_days_update AFTER UPDATE {columns}ON post_tags
    BEGIN
        UPDATE tag_days SET posts = posts - 1
        WHERE team_id = OLD.team_id AND tag = OLD.tag AND day = date(OLD.posted_at);
        INSERT INTO tag_days (team_id, tag, day, posts)
        VALUES (NEW.team_id, NEW.tag, date(NEW.posted_at), 1)
        ON CONFLICT (team_id, tag, day) DO UPDATE SET posts = posts + 1;
    END
"""
_POSTGRESQL_TRIGGER = """
    CREATE TRIGGER tr_post_tags_days AFTER INSERT OR UPDATE {columns}OR DELETE ON post_tags
    FOR EACH ROW EXECUTE FUNCTION kring_tag_days()
"""
COUNTED = "OF team_id, tag, posted_at "


def _update_trigger(columns: str) -> None:
    """The tag_days trigger on updates of post_tags, on ``columns`` ("" for any)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS tr_post_tags_days_update")
        op.execute(_SQLITE_UPDATE_TRIGGER.format(columns=columns))
    else:
        op.execute("DROP TRIGGER IF EXISTS tr_post_tags_days ON post_tags")
        op.execute(_POSTGRESQL_TRIGGER.format(columns=columns))


def upgrade() -> None:
    _update_trigger(COUNTED)
    # Not in batch mode: SQLite adds a column in place, where a rebuilt table would lose its
    # triggers.
    op.add_column("post_tags", sa.Column("user_id", sa.String(length=32), nullable=True))
    op.execute(
        "UPDATE post_tags SET user_id ="
        " (SELECT posts.user_id FROM posts WHERE posts.id = post_tags.post_id)"
    )
    op.create_index(
        "ix_post_tags_author_time",
        "post_tags",
        ["team_id", "user_id", "posted_at", "tag"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_post_tags_author_time", table_name="post_tags")
    # SQLite (3.35 and later) drops a column in place too.
    op.execute("ALTER TABLE post_tags DROP COLUMN user_id")
    _update_trigger("")
