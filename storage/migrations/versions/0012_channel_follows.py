"""channel follows: a channel's posts by time

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 14:00:00.000000

`/kring follow #design` also follows the public channel named design (a ``follows`` row of
kind ``channel``, no schema change). The Home feed and the digest then read a followed
channel's posts of a window, newest first: ``ix_posts_channel_time`` makes that an index range
per channel instead of a walk over every post of the workspace's window.
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_posts_channel_time", ["team_id", "channel_id", "posted_at"], unique=False
        )


def downgrade() -> None:
    # Channel follows stay: older code reads them as tags no post carries, and they work
    # again after the next upgrade.
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_channel_time")
