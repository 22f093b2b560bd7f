"""references: posts that share or link to other messages, and each post's reference count

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 06:20:00.000000

``post_references`` holds one row per (referencing post, referenced message);
``posts.reference_count`` counts the distinct people other than the author who referenced a
post, kept at ingest and delete like ``reply_count``, so digests rank by it without a join.
``ix_posts_id_cover`` carries the new count too, for `who`'s index-only scan on PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID = sa.String(length=32)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "post_references",
        sa.Column("post_id", BigId, nullable=False),
        sa.Column("channel_id", ID, nullable=False),
        sa.Column("ts", ID, nullable=False),
        sa.Column("team_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=True),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_post_references_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("post_id", "channel_id", "ts", name=op.f("pk_post_references")),
    )
    op.create_index(
        "ix_post_references_message", "post_references", ["team_id", "channel_id", "ts"]
    )
    op.create_index("ix_post_references_author", "post_references", ["team_id", "author_id"])
    op.create_index("ix_post_references_user", "post_references", ["team_id", "user_id"])
    op.create_index("ix_post_references_time", "post_references", ["team_id", "shared_at"])
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reference_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.drop_index("ix_posts_id_cover")
        batch_op.create_index(
            "ix_posts_id_cover",
            ["id"],
            unique=False,
            postgresql_include=[
                "user_id",
                "ts",
                "reaction_count",
                "reply_count",
                "reference_count",
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_id_cover")
        batch_op.create_index(
            "ix_posts_id_cover",
            ["id"],
            unique=False,
            postgresql_include=["user_id", "ts", "reaction_count", "reply_count"],
        )
        batch_op.drop_column("reference_count")
    for name in ("time", "user", "author", "message"):
        op.drop_index(f"ix_post_references_{name}", table_name="post_references")
    op.drop_table("post_references")
