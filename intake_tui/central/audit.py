"""The central audit log: every request a back-office account makes on a plan, and every admin
action (codes, devices, transfers, accounts). Who, when, which action on which id, and the
result; never a value from a case. Devices' own syncing is not in it (its traces are the
submissions themselves)."""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from intake_tui.central.models import AuditEntry, iso, utc


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    result: str = "ok",
    detail: str = "",
    at: dt.datetime,
) -> None:
    """Add one entry to the caller's transaction (it commits with the action, or not at all)."""
    session.add(
        AuditEntry(
            at=utc(at),
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            result=result,
            detail=detail,
        )
    )


def admin_actor() -> str:
    """The admin at the `intake-central` command: their login on the server."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        login = "unknown"
    return f"admin:{login}"


def entries(
    engine: Engine, *, limit: int = 100, object_id: str | None = None, actor: str | None = None
) -> list[dict[str, Any]]:
    """The newest entries first, optionally for one id or one actor."""
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    with Session(engine) as session:
        rows = session.exec(query).all()
    return [
        {
            "id": r.id,
            "at": iso(r.at),
            "actor": r.actor,
            "action": r.action,
            "object_type": r.object_type,
            "object_id": r.object_id,
            "result": r.result,
            "detail": r.detail,
        }
        for r in rows
    ]
