"""The sync outbox and this laptop's enrolment (docs/sync-protocol.md).

Revision ID: 0006
Revises: 0005

Revisions frozen before this migration get an outbox row too: they were made to be synced.
"""

from __future__ import annotations

import hashlib
import json
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_revision_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(), nullable=False),
        sa.Column("payload_sha256", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("receipt_json", sa.String(), nullable=True),
        sa.Column("acked_at", sa.DateTime(), nullable=True),
        sa.Column("purged_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["plan_revision_id"], ["plan_revision.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_revision_id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_outbox_interview_id", "outbox", ["interview_id"])
    op.create_index("ix_outbox_state", "outbox", ["state"])
    op.create_table(
        "sync_device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("server_url", sa.String(), nullable=False),
        sa.Column("device_id", sa.String(), nullable=False),
        sa.Column("token", sa.String(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("enrolled_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, interview_id, revision, document_json, created_at FROM plan_revision")
    ).fetchall()
    for row_id, interview_id, number, document, created_at in rows:
        digest = hashlib.sha256(canonical(json.loads(document))).hexdigest()
        bind.execute(
            sa.text(
                "INSERT INTO outbox (plan_revision_id, interview_id, revision, idempotency_key,"
                " payload_sha256, state, attempts, created_at) VALUES (:p, :i, :r, :k, :h,"
                " 'pending', 0, :c)"
            ),
            {
                "p": row_id,
                "i": interview_id,
                "r": number,
                "k": str(uuid.uuid4()),
                "h": digest,
                "c": created_at,
            },
        )


def canonical(document: object) -> bytes:
    # Kept here as it is today: a migration must not change when the code changes.
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def downgrade() -> None:
    op.drop_table("sync_device")
    op.drop_index("ix_outbox_state", table_name="outbox")
    op.drop_index("ix_outbox_interview_id", table_name="outbox")
    op.drop_table("outbox")
