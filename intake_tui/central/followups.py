"""A completed or missed talk as a record of its own on the central server (docs/sync-protocol.md,
"Records"): its submission (`kind: "followup"`), its receipt, and the read route
`GET /v1/plans/{interview_id}/followups`. Part of `intake_tui.central.app`; central/batch.py
judges a talk inside the transaction exactly as a plan revision: deduplicated by
its record id for ever, 409 record_conflict for another version (kept for a person), the same
idempotency-key replay, and the same owner: the device that sent the case's first record, be it
a plan revision or a talk (a talk of a case nobody sent yet makes it the sender's)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from intake_tui.central.models import FollowupRecord, iso
from intake_tui.central.protocol import FollowupSubmissionIn, Problem


def receipt(
    *,
    interview_id: str,
    followup_id: str,
    payload_sha256: str,
    receipt_id: str,
    received_at: dt.datetime,
) -> dict[str, Any]:
    """A talk's receipt (`replayed` false: a replay says true)."""
    return {
        "receipt_id": receipt_id,
        "kind": "followup",
        "interview_id": interview_id,
        "followup_id": followup_id,
        "payload_sha256": payload_sha256,
        "received_at": iso(received_at),
        "replayed": False,
    }


def conflict(sub: FollowupSubmissionIn, stored_payload_sha256: str) -> Problem:
    """409 record_conflict: another version of this talk is stored (this one is kept for a
    person, central/batch.py)."""
    return Problem(
        409,
        "record_conflict",
        "A different version of this talk is stored; a person must decide.",
        extra={
            "interview_id": sub.interview_id,
            "followup_id": sub.followup_id,
            "stored_payload_sha256": stored_payload_sha256,
        },
    )


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
