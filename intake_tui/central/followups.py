"""A completed or missed talk as a record of its own on the central server (docs/sync-protocol.md,
"Records"): its submission (`kind: "followup"`), its receipt, and the read route
`GET /v1/plans/{interview_id}/followups`. Part of `intake_tui.central.app`; storage.py calls
these inside its transactions, so a talk is taken exactly as a plan revision is: deduplicated by
its record id for ever, 409 record_conflict for another version (kept for a person), the same
idempotency-key replay, and the same owner: the device that sent the case's first record, be it
a plan revision or a talk (a talk of a case nobody sent yet makes it the sender's)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlmodel import Session, col, select

from intake_tui.central.authz import require_writer
from intake_tui.central.models import Case, FollowupConflict, FollowupRecord, iso
from intake_tui.central.protocol import FollowupSubmissionIn, Problem, canonical
from intake_tui.central.records import idempotency_record


def receipt(row: FollowupRecord, *, replayed: bool) -> dict[str, Any]:
    return {
        "receipt_id": row.receipt_id,
        "kind": "followup",
        "interview_id": row.interview_id,
        "followup_id": row.followup_id,
        "payload_sha256": row.payload_sha256,
        "received_at": iso(row.received_at),
        "replayed": replayed,
    }


def submit_in(
    session: Session,
    device_id: str,
    key: str,
    request_sha: str,
    sub: FollowupSubmissionIn,
    now: dt.datetime,
) -> tuple[int, dict[str, Any]]:
    """One talk inside the caller's transaction (the caller commits; it has looked up the
    idempotency key already). The contract's table, as for a plan revision."""
    require_writer(session, device_id, sub.interview_id)  # another laptop's: as if unknown
    stored = session.get(FollowupRecord, (sub.interview_id, sub.followup_id))
    if stored is not None and stored.payload_sha256 == sub.payload_sha256:
        body = receipt(stored, replayed=True)
        session.add(idempotency_record(device_id, key, request_sha, 200, body, now))
        session.flush()
        return 200, body
    document = canonical(sub.document).decode("utf-8")
    if stored is not None:
        _keep_conflict(session, device_id, sub, document, now)
        raise Problem(
            409,
            "record_conflict",
            "A different version of this talk is stored; a person must decide.",
            extra={
                "interview_id": sub.interview_id,
                "followup_id": sub.followup_id,
                "stored_payload_sha256": stored.payload_sha256,
            },
        )
    if session.get(Case, sub.interview_id) is None:  # the case's first record: the sender's
        session.add(Case(interview_id=sub.interview_id, device_id=device_id, created_at=now))
    row = FollowupRecord(
        interview_id=sub.interview_id,
        followup_id=sub.followup_id,
        status=sub.status,
        payload_sha256=sub.payload_sha256,
        document=document,
        device_id=device_id,
        receipt_id=str(uuid.uuid4()),
        received_at=now,
    )
    session.add(row)
    body = receipt(row, replayed=False)
    session.add(idempotency_record(device_id, key, request_sha, 201, body, now))
    session.flush()  # the next item of a batch sees this one
    return 201, body


def _keep_conflict(
    session: Session, device_id: str, sub: FollowupSubmissionIn, document: str, now: dt.datetime
) -> None:
    exists = session.exec(
        select(FollowupConflict.id)
        .where(FollowupConflict.interview_id == sub.interview_id)
        .where(FollowupConflict.followup_id == sub.followup_id)
        .where(FollowupConflict.payload_sha256 == sub.payload_sha256)
    ).first()
    if exists is None:
        session.add(
            FollowupConflict(
                interview_id=sub.interview_id,
                followup_id=sub.followup_id,
                device_id=device_id,
                payload_sha256=sub.payload_sha256,
                document=document,
                received_at=now,
            )
        )
        session.flush()


def listed(session: Session, interview_id: str) -> list[dict[str, Any]]:
    """The case's talks as received, in the order they arrived (the caller checked that the
    caller may see the case)."""
    import json

    rows = session.exec(
        select(FollowupRecord)
        .where(FollowupRecord.interview_id == interview_id)
        .order_by(col(FollowupRecord.received_at), col(FollowupRecord.followup_id))
    ).all()
    return [
        {
            "followup_id": r.followup_id,
            "status": r.status,
            "payload_sha256": r.payload_sha256,
            "received_at": iso(r.received_at),
            "document": json.loads(r.document),
        }
        for r in rows
    ]
