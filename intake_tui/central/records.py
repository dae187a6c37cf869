"""Small rules of the central server's records: enrolment codes and idempotency keys as typed,
receipts, ETags, and plan versions (the newest one, adding one, and the central edit a
submission must have seen). Part of `intake_tui.central.app`; used by storage.py."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from intake_tui.central.models import PlanVersion, iso
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


def receipt(
    *,
    interview_id: str,
    revision: int,
    payload_sha256: str,
    receipt_id: str,
    received_at: dt.datetime,
) -> dict[str, Any]:
    """A plan revision's receipt (`replayed` false: a replay says true)."""
    return {
        "receipt_id": receipt_id,
        "interview_id": interview_id,
        "revision": revision,
        "payload_sha256": payload_sha256,
        "received_at": iso(received_at),
        "replayed": False,
    }


def etag(version: int) -> str:
    return f'"{version}"'


def etag_matches(if_match: str, current: str) -> bool:
    """Strong comparison (RFC 9110 §13.1.1); `*` matches any current version."""
    for tag in (t.strip() for t in if_match.split(",")):
        if tag == "*" or tag == current or f'"{tag}"' == current:
            return True
    return False


def central_edit(sub: SubmissionIn, edited: int) -> Problem:
    """409 central_edit: the case has a central edit (version `edited`) newer than the version
    this revision was based on. The laptop downloads it, shows it beside its own, and the
    caseworker makes a new revision that takes it into account. Nothing is stored, so nothing
    is overwritten."""
    return Problem(
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
