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
    with op.batch_alter_table("interview") as batch:
        batch.add_column(sa.Column("given_name", sa.String(), nullable=True))
        batch.add_column(sa.Column("family_name", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("interview") as batch:
        batch.drop_column("family_name")
        batch.drop_column("given_name")
