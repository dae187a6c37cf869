"""The central database's schema: tables that are missing are created, and the steps a database
made by an older version still needs are run once, in one transaction, recorded in
`central_schema`.

Schema 2 (issue 15, least privilege): devices and enrolment codes get an organisation; devices
enrolled before it move to `DEFAULT_ORG` ("unassigned"), where no back-office account sees
their cases until an admin runs `intake-central device-org ID --org CODE`; every case gets an
owner row (`central_case`), the device that sent its first revision, as before. The step is
audited. Schema 3 (issue 19): a completed or missed talk is a record of its own
(`central_followup`, and `central_followup_conflict` for a different version kept for a
person); the tables are new, so the step only records that it ran. Every step is idempotent,
so a crash halfway is finished by the next start; one audit entry names the steps a start ran.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text
from sqlmodel import col, select

from intake_tui.central.models import (
    DEFAULT_ORG,
    AuditEntry,
    Case,
    CentralModel,
    SchemaState,
    Submission,
    utc,
)

SCHEMA_VERSION = 3


def init_db(engine: Engine, *, clock: Any = None) -> None:
    """Create the tables that are missing and bring an older database up to date (several
    processes may do this at once: the database's lock serializes them)."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Concurrent CREATE TABLE IF NOT EXISTS can collide in pg_type; serialize it.
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(746174)")
        fresh = not inspect(connection).has_table(Submission.__tablename__)
        CentralModel.metadata.create_all(connection)
        state = connection.execute(
            text("SELECT version FROM central_schema WHERE id = 1")
        ).scalar_one_or_none()
        if state is not None and state >= SCHEMA_VERSION:
            return
        if not fresh:
            steps = []
            if state is None or state < 2:
                steps.append(_to_version_2(connection))
            # Schema 3: talks' records (central_followup, central_followup_conflict), new
            # tables that create_all made above; nothing to move.
            steps.append("follow-up records")
            _audit(connection, clock, "; ".join(steps))
        values = {"id": 1, "version": SCHEMA_VERSION}
        if state is None:
            connection.execute(SchemaState.__table__.insert().values(**values))  # type: ignore[attr-defined]
        else:
            connection.execute(
                SchemaState.__table__.update().values(version=SCHEMA_VERSION)  # type: ignore[attr-defined]
            )


def _to_version_2(connection: Connection) -> str:
    """Organisations on devices and codes; an owner row for every case already sent."""
    for table in ("central_device", "central_enrolment_code"):
        columns = {c["name"] for c in inspect(connection).get_columns(table)}
        if "org" not in columns:
            connection.exec_driver_sql(
                f"ALTER TABLE {table} ADD COLUMN org VARCHAR(64) NOT NULL DEFAULT '{DEFAULT_ORG}'"
            )
    connection.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_central_device_org ON central_device (org)"
    )
    owned = set(connection.execute(text("SELECT interview_id FROM central_case")).scalars())
    rows = connection.execute(
        select(Submission.interview_id, Submission.device_id, Submission.received_at).order_by(
            col(Submission.interview_id), col(Submission.received_at), col(Submission.revision)
        )
    ).all()
    first: dict[str, tuple[str, Any]] = {}
    for interview_id, device_id, received_at in rows:
        if interview_id not in owned:
            first.setdefault(interview_id, (device_id, received_at))
    if first:
        connection.execute(
            Case.__table__.insert(),  # type: ignore[attr-defined]
            [
                {"interview_id": i, "device_id": d, "created_at": at, "transferred_at": None}
                for i, (d, at) in first.items()
            ],
        )
    return f"devices without an organisation -> {DEFAULT_ORG}; {len(first)} case owners"


def _audit(connection: Connection, clock: Any, detail: str) -> None:
    """One audit entry for the steps this start ran (ids and counts only)."""
    connection.execute(
        AuditEntry.__table__.insert().values(  # type: ignore[attr-defined]
            at=utc(clock.now() if clock else dt.datetime.now(dt.UTC)),
            actor="server",
            action="schema_migrated",
            object_type="schema",
            object_id=str(SCHEMA_VERSION),
            result="ok",
            detail=detail,
        )
    )
