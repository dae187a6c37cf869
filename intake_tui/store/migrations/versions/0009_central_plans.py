"""Plans as the central server has them, and the central version each revision was based on.

Revision ID: 0009
Revises: 0008

`central_plan` keeps, per case, the latest plan version the laptop pulled from the central
server: a central edit of one of its own cases, or a case handed over to this laptop
(`intake-central transfer`). It lives in the encrypted database like every other answer.
`outbox.based_on_version` is the central version the caseworker had in front of them when the
revision was frozen (NULL: none); the server refuses a revision that has not seen a newer
central edit (409 central_edit), so a central edit is never overwritten unseen.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "central_plan",
        sa.Column("interview_id", sa.String(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("document_json", sa.String(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
    )
    # Plain ADD COLUMN: the outbox refers to plan_revision, a batch copy would trip on it.
    op.add_column("outbox", sa.Column("based_on_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("outbox", "based_on_version")
    op.drop_table("central_plan")
