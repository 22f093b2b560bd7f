"""channel lifecycle: the channels that left Kring's public view

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 09:00:00.000000

``closed_channels`` holds the channels Kring was removed from, that were deleted or made
private: their posts are gone and posts from them are not recorded until Kring is invited
again as a public channel. Dropping it would let such a channel be recorded again, so the
downgrade refuses while it holds rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "closed_channels",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "channel_id", name=op.f("pk_closed_channels")),
    )


def downgrade() -> None:
    closed = op.get_bind().execute(sa.text("SELECT count(*) FROM closed_channels")).scalar()
    if closed:
        raise RuntimeError(
            f"Refusing to downgrade below 0007: {closed} channels that left Kring's public view "
            "(removed, deleted or made private) would be recorded again. Kring must not read "
            "them; delete the rows of closed_channels yourself if that is really what you want."
        )
    op.drop_table("closed_channels")
