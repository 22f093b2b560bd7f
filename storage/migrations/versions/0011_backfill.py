"""backfill: where each channel's history import stands

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 06:30:00.000000

``backfill_state`` holds, per channel, the history import in progress (the ``oldest`` ts it
reaches back to and the ``cursor`` of the next page of conversations.history) so that an
import cut off by a restart goes on from the page it stopped at; ``finished_at`` is set when
the last page is in. Dropping it only makes unfinished imports start again, which is safe.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backfill_state",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("oldest", sa.String(length=32), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("team_id", "channel_id", name=op.f("pk_backfill_state")),
    )


def downgrade() -> None:
    op.drop_table("backfill_state")
