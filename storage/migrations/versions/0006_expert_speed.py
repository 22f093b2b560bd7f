"""expert speed: a covering index on posts by id

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 09:00:00.000000

`who` sums, per author, every post carrying a tag (tens of thousands on a busy tag), reading
each post's author, time and counts by id. On PostgreSQL ``ix_posts_id_cover`` carries those
columns so the look-ups are an index-only scan instead of a heap page per post; SQLite ignores
the INCLUDE and gets a plain index on ``id``.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_posts_id_cover",
            ["id"],
            unique=False,
            postgresql_include=["user_id", "ts", "reaction_count", "reply_count"],
        )


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_id_cover")
