"""Who may touch which case on the central server (docs/sync-protocol.md, "Whose case it is";
the route x caller matrix is tests/test_central_authz.py): the device that sent a case's first
revision owns it; any other device gets the 404 of an unknown id."""

from __future__ import annotations

from sqlmodel import Session, col, select

from intake_tui.central.models import (
    Submission,
)
from intake_tui.central.protocol import Problem


def owner_of(session: Session, interview_id: str) -> str | None:
    """The device that sent the interview's first revision: the only one that may read and
    write it (a hand-over to another device is a later, audited central action)."""
    first = session.exec(
        select(Submission.device_id)
        .where(Submission.interview_id == interview_id)
        .order_by(col(Submission.received_at), col(Submission.revision))
        .limit(1)
    ).first()
    return first


def require_owner(session: Session, device_id: str, interview_id: str) -> None:
    """404 for another device's interview: the answer does not reveal that the id exists."""
    owner = owner_of(session, interview_id)
    if owner is not None and owner != device_id:
        raise Problem(404, "not_found", "No plan with this interview id.")
