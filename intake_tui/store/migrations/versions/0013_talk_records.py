"""A completed or missed talk is a sync record of its own (docs/sync-protocol.md, "Records").

Revision ID: 0013
Revises: 0012

The outbox held frozen plan revisions only. It now holds two kinds of record: `kind` 'plan'
(every row so far: `plan_revision_id` and `revision` set, the document in `plan_revision`) and
'followup' (a talk completed or missed: `talk_id` set, the document in `document_json`). A
CHECK keeps each row one kind or the other. SQLite cannot make a column nullable in place, so
the table is copied into its new shape in this one transaction: every row keeps its id, key,
state, attempts, receipt and dates, so a pending plan revision is still sent, once, with the
key it always had. Talks held or missed before this revision get no record (building one would
need today's code in a migration); they reached the central system inside the plan revisions
frozen after them, as before.
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The columns the outbox had before this revision (0006, 0009), copied as they are.
OLD_COLUMNS = (
    "id, plan_revision_id, interview_id, revision, idempotency_key, payload_sha256,"
    " based_on_version, state, attempts, last_error, next_attempt_at, receipt_json, acked_at,"
    " purged_at, created_at"
)

NEW_TABLE = """
CREATE TABLE outbox_0012 (
    id INTEGER NOT NULL,
    kind VARCHAR DEFAULT 'plan' NOT NULL,
    plan_revision_id INTEGER,
    talk_id VARCHAR,
    interview_id VARCHAR NOT NULL,
    revision INTEGER,
    idempotency_key VARCHAR NOT NULL,
    payload_sha256 VARCHAR NOT NULL,
    document_json VARCHAR,
    based_on_version INTEGER,
    state VARCHAR NOT NULL,
    attempts INTEGER NOT NULL,
    last_error VARCHAR,
    next_attempt_at DATETIME,
    receipt_json VARCHAR,
    acked_at DATETIME,
    purged_at DATETIME,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT ck_outbox_kind CHECK (
        (kind = 'plan' AND plan_revision_id IS NOT NULL AND revision IS NOT NULL
         AND talk_id IS NULL AND document_json IS NULL)
        OR (kind = 'followup' AND talk_id IS NOT NULL AND document_json IS NOT NULL
            AND plan_revision_id IS NULL AND revision IS NULL)
    ),
    FOREIGN KEY(plan_revision_id) REFERENCES plan_revision (id),
    FOREIGN KEY(talk_id) REFERENCES talk (id),
    UNIQUE (plan_revision_id),
    UNIQUE (talk_id),
    UNIQUE (idempotency_key)
)
"""

OLD_TABLE = """
CREATE TABLE outbox_0011 (
    id INTEGER NOT NULL,
    plan_revision_id INTEGER NOT NULL,
    interview_id VARCHAR NOT NULL,
    revision INTEGER NOT NULL,
    idempotency_key VARCHAR NOT NULL,
    payload_sha256 VARCHAR NOT NULL,
    state VARCHAR NOT NULL,
    attempts INTEGER NOT NULL,
    last_error VARCHAR,
    next_attempt_at DATETIME,
    receipt_json VARCHAR,
    acked_at DATETIME,
    purged_at DATETIME,
    created_at DATETIME NOT NULL,
    based_on_version INTEGER,
    PRIMARY KEY (id),
    FOREIGN KEY(plan_revision_id) REFERENCES plan_revision (id),
    UNIQUE (plan_revision_id),
    UNIQUE (idempotency_key)
)
"""


def _swap(create: str, temporary: str, where: str = "") -> None:
    """Copy the outbox into `temporary` (made by `create`), then put it in the outbox's place
    with the outbox's indexes. Nothing refers to the outbox, so dropping it is safe."""
    op.execute(create)
    op.execute(f"INSERT INTO {temporary} ({OLD_COLUMNS}) SELECT {OLD_COLUMNS} FROM outbox{where}")
    op.execute("DROP INDEX IF EXISTS ix_outbox_interview_id")
    op.execute("DROP INDEX IF EXISTS ix_outbox_state")
    op.execute("DROP TABLE outbox")
    op.execute(f"ALTER TABLE {temporary} RENAME TO outbox")
    op.execute("CREATE INDEX ix_outbox_interview_id ON outbox (interview_id)")
    op.execute("CREATE INDEX ix_outbox_state ON outbox (state)")


def upgrade() -> None:
    _swap(NEW_TABLE, "outbox_0012")


def downgrade() -> None:
    # A talk's record has no place in the old outbox: it goes (tests make older folders so).
    _swap(OLD_TABLE, "outbox_0011", " WHERE kind = 'plan'")
