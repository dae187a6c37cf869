"""A covering index on the talks by due date: the cases screen counts the cases with a talk
overdue on every refresh.

Revision ID: 0012
Revises: 0011

Without it the count read every talk through the case index (166 ms at 10,000 cases with three
talks each; 4 ms with it and the count over the intakes; benchmarks/cases.py, `*_talks`).
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_talk_due", "talk", ["due", "missed", "case_id", "followup_id"])


def downgrade() -> None:
    op.drop_index("ix_talk_due", table_name="talk")
