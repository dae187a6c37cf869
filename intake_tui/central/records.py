"""Small rules of the central server's records: enrolment codes and idempotency keys as typed,
receipts, ETags, and plan versions (the newest one, adding one, and the central-edit check a
submission must pass). Part of `intake_tui.central.app`; used by storage.py."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from intake_tui.central.models import IdempotencyRecord, PlanVersion, Submission, iso
from intake_tui.central.protocol import KEY_PATTERN, Problem, SubmissionIn


def normalize_code(code: str) -> str:
    """Codes are typed by people: case, spaces and dashes do not matter."""
    return re.sub(r"[\s-]", "", code).upper()


def check_key(key: Any) -> str:
    if key is None or key == "":
        raise Problem(400, "idempotency_key_missing")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise Problem(400, "bad_request", "Idempotency-Key must be 1-255 visible ASCII characters.")
    return key


def receipt(row: Submission, *, replayed: bool) -> dict[str, Any]:
    return {
        "receipt_id": row.receipt_id,
        "interview_id": row.interview_id,
        "revision": row.revision,
        "payload_sha256": row.payload_sha256,
        "received_at": iso(row.received_at),
        "replayed": replayed,
    }


def idempotency_record(
    device_id: str, key: str, request_sha: str, status: int, body: dict[str, Any], now: dt.datetime
) -> IdempotencyRecord:
    return IdempotencyRecord(
        device_id=device_id,
        key=key,
        request_sha256=request_sha,
        status=status,
        body=json.dumps(body, sort_keys=True),
        created_at=now,
    )


def etag(version: int) -> str:
    return f'"{version}"'


def etag_matches(if_match: str, current: str) -> bool:
    """Strong comparison (RFC 9110 §13.1.1); `*` matches any current version."""
    for tag in (t.strip() for t in if_match.split(",")):
        if tag == "*" or tag == current or f'"{tag}"' == current:
            return True
    return False


def require_seen_central_edit(session: Session, sub: SubmissionIn) -> None:
    """409 central_edit when the case has a central edit newer than the version this revision
    was based on: the laptop downloads it, shows it beside its own, and the caseworker makes a
    new revision that takes it into account. Nothing is stored, so nothing is overwritten."""
    edited = session.exec(
        select(func.max(PlanVersion.version))
        .where(PlanVersion.interview_id == sub.interview_id)
        .where(PlanVersion.source == "central")
    ).one()
    if edited is not None and (sub.based_on_version or 0) < edited:
        raise Problem(
            409,
            "central_edit",
            "The plan was edited centrally after the version this revision is based on.",
            extra={
                "interview_id": sub.interview_id,
                "revision": sub.revision,
                "central_version": edited,
                "etag": etag(edited),
            },
        )


def latest_version(session: Session, interview_id: str) -> PlanVersion | None:
    return session.exec(
        select(PlanVersion)
        .where(PlanVersion.interview_id == interview_id)
        .order_by(col(PlanVersion.version).desc())
        .limit(1)
    ).first()


def add_plan_version(
    session: Session,
    interview_id: str,
    document: str,
    source: str,
    author_id: str,
    now: dt.datetime,
) -> int:
    top = session.exec(
        select(func.max(PlanVersion.version)).where(PlanVersion.interview_id == interview_id)
    ).one()
    version = (top or 0) + 1
    session.add(
        PlanVersion(
            interview_id=interview_id,
            version=version,
            document=document,
            etag=etag(version),
            source=source,
            author_id=author_id,
            created_at=now,
        )
    )
    return version
