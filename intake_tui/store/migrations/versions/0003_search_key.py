"""A folded search key for each case, so search ignores case and accents and stays fast.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# A copy of intake_tui.store.search.fold as it was when this revision was written: a
# migration must keep doing what it did, whatever the app's code becomes.
_SPECIAL = str.maketrans({"ı": "i", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d"})


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


def upgrade() -> None:
    with op.batch_alter_table("interview") as batch:
        batch.add_column(sa.Column("search_key", sa.String(), nullable=False, server_default=""))
    connection = op.get_bind()
    rows = connection.exec_driver_sql("SELECT id, client_display_name FROM interview").fetchall()
    for interview_id, name in rows:
        connection.exec_driver_sql(
            "UPDATE interview SET search_key = ? WHERE id = ?", (_fold(name), interview_id)
        )


def downgrade() -> None:
    with op.batch_alter_table("interview") as batch:
        batch.drop_column("search_key")
