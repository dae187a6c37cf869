"""Answers kept as history when a draft moves to a newer version of its bundle.

Revision ID: 0010
Revises: 0009

`answer_archive` holds an answer that no longer fits the newer version (its question removed,
its type changed, its option gone): out of the interview, never dropped, in the encrypted
database like every answer; a person's access export lists it, an erasure removes it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_archive",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column("question_id", sa.String(), nullable=False),
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("value_json", sa.String(), nullable=False),
        sa.Column("bundle_version", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("archived_by", sa.String(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_answer_archive_interview_id", "answer_archive", ["interview_id"])


def downgrade() -> None:
    op.drop_index("ix_answer_archive_interview_id", table_name="answer_archive")
    op.drop_table("answer_archive")
