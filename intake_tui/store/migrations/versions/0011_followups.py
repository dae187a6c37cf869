"""Follow-up conversations: a case holds its intake and any number of voortgangsgesprekken.

Revision ID: 0011
Revises: 0010

A follow-up conversation is an interview of its own (its own pinned bundle, answers, notes and
history), tied to its case by `interview.case_id` = the intake's id; an intake has none, and its
id stays the case id. `talk` holds the talks the plan schedules: due date, a reschedule with its
reason, missed with its reason, or the follow-up interview that holds it. Existing folders need
no data change: every interview so far is an intake. `extension` records DUO's verlengingen
of the termijn (ground, DUO's decision date, the new end): the only thing that moves its end.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite allows a REFERENCES clause with a NULL default): a batch copy of
    # `interview` would trip over the tables that refer to it.
    op.execute("ALTER TABLE interview ADD COLUMN case_id VARCHAR REFERENCES interview (id)")
    # Partial: the cases list asks for `case_id IS NULL`; a full index on a column that is NULL
    # for every intake would be chosen for that and cost a sort of every case (benchmarks).
    op.create_index(
        "ix_interview_case_id",
        "interview",
        ["case_id"],
        sqlite_where=sa.text("case_id IS NOT NULL"),
    )
    op.create_table(
        "talk",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("case_id", sa.String(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("rescheduled_from", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("missed", sa.Boolean(), nullable=False),
        sa.Column("followup_id", sa.String(), nullable=True),
        sa.Column("updated_by", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["interview.id"]),
        sa.ForeignKeyConstraint(["followup_id"], ["interview.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_talk_case_id", "talk", ["case_id"])
    op.create_table(
        "extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(), nullable=False),
        sa.Column("ground", sa.String(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("new_end", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["interview.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_extension_case_id", "extension", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_extension_case_id", table_name="extension")
    op.drop_table("extension")
    op.drop_index("ix_talk_case_id", table_name="talk")
    op.drop_table("talk")
    op.drop_index("ix_interview_case_id", table_name="interview")
    op.drop_column("interview", "case_id")
