"""The newcomer's given and family names as the new-intake form recorded them.

Revision ID: 0008
Revises: 0007

They prefill the questionnaire's name questions (a `default:` reads `case.given_name` and
`case.family_name`); the display name is made of them. Interviews started before this have
neither (NULL): their name questions are simply not prefilled.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: a batch (copy-and-move) would drop the interview table that the answers
    # refer to, which SQLite refuses with foreign keys on.
    op.add_column("interview", sa.Column("given_name", sa.String(), nullable=True))
    op.add_column("interview", sa.Column("family_name", sa.String(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), for the same reason.
    op.drop_column("interview", "family_name")
    op.drop_column("interview", "given_name")
