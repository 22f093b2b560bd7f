"""departments: the department on each person's row

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 09:00:00.000000

``people.department_field`` holds the value of the workspace's Department custom profile
field (None until Kring reads it); ``people.department`` is the department people are compared
by: that value, else the one guessed from the title. Existing rows get the guess from their
title here, so readers never need the title heuristic themselves.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 1000

people = sa.table(
    "people",
    sa.column("team_id", sa.String),
    sa.column("user_id", sa.String),
    sa.column("title", sa.String),
    sa.column("department", sa.String),
)


def _from_title(title: str) -> str:
    # The title heuristic as it stood at this revision (storage.discovery.department_of).
    for sep in (",", " - ", " – ", "|", "@"):
        if sep in title:
            title = title.rsplit(sep, 1)[1]
            break
    return " ".join(title.split()).casefold()[:255]


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_field", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("department", sa.String(length=255), server_default="", nullable=False)
        )
    op.create_index("ix_people_department", "people", ["team_id", "department"], unique=False)

    bind = op.get_bind()
    rows = bind.execute(
        sa.select(people.c.team_id, people.c.user_id, people.c.title).where(people.c.title != "")
    ).all()
    update = (
        sa.update(people)
        .where(people.c.team_id == sa.bindparam("t"), people.c.user_id == sa.bindparam("u"))
        .values(department=sa.bindparam("d"))
    )
    changes = [{"t": t, "u": u, "d": d} for t, u, title in rows if (d := _from_title(title or ""))]
    for start in range(0, len(changes), BATCH):
        bind.execute(update, changes[start : start + BATCH])


def downgrade() -> None:
    op.drop_index("ix_people_department", table_name="people")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("department")
        batch_op.drop_column("department_field")
