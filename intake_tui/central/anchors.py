"""Audit anchors (docs/sync-protocol.md, "Audit anchors"): the head of each laptop's audit chain,
sent with every sync, so that a laptop whose data folder was put back to an older copy is found
out — by the server, which the copy cannot roll back.

An anchor is accepted when it goes forward: its seq is not lower than the last accepted one,
and the laptop's own entry at that last seq (`confirms`) has the hash the server kept. Otherwise
it is a rollback (409 `anchor_rollback`), audited — unless the laptop declared a restore of a
backup and an admin acknowledged that declaration (`intake-central anchors ack DEVICE`); then
the anchor is accepted and is the new starting point.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from intake_tui.central import audit
from intake_tui.central.models import Anchor, RestoreDeclaration, iso
from intake_tui.central.protocol import AnchorIn, Problem, _validate


def last_accepted(session: Session, device_id: str) -> Anchor | None:
    return session.exec(
        select(Anchor)
        .where(Anchor.device_id == device_id)
        .order_by(col(Anchor.received_at).desc(), col(Anchor.seq).desc())
        .limit(1)
    ).first()


def latest(engine: Engine, device_id: str) -> dict[str, Any]:
    """The device's last accepted anchor (404 when it has none)."""
    with Session(engine) as session:
        row = last_accepted(session, device_id)
    if row is None:
        raise Problem(404, "not_found", "No anchor for this device yet.")
    return {"seq": row.seq, "hash": row.hash, "received_at": iso(row.received_at)}


def _goes_back(anchor: AnchorIn, last: Anchor) -> bool:
    digest = anchor.hash.lower()
    if anchor.seq < last.seq or (anchor.seq == last.seq and digest != last.hash):
        return True
    confirms = anchor.confirms
    return confirms is not None and (confirms.seq, confirms.hash.lower()) != (last.seq, last.hash)


def receive(engine: Engine, now: dt.datetime, device_id: str, data: Any) -> dict[str, Any]:
    """Accept an anchor that goes forward; refuse one that goes back (see the module)."""
    anchor: AnchorIn = _validate(AnchorIn, data, "bad_request", 400)
    digest = anchor.hash.lower()
    with Session(engine, expire_on_commit=False) as session:
        same = session.exec(
            select(Anchor)
            .where(Anchor.device_id == device_id)
            .where(Anchor.seq == anchor.seq)
            .where(Anchor.hash == digest)
        ).first()
        last = last_accepted(session, device_id)
        if same is not None and last is not None and same.id == last.id:
            return {"anchor_id": same.id, "received_at": iso(same.received_at)}  # a resend
        if last is not None and _goes_back(anchor, last):
            _refuse_or_restore(session, now, device_id, anchor, last)
        row = Anchor(
            id=str(uuid.uuid4()),
            device_id=device_id,
            seq=anchor.seq,
            hash=digest,
            received_at=now,
        )
        session.add(row)
        session.commit()
        return {"anchor_id": row.id, "received_at": iso(row.received_at)}


def _refuse_or_restore(
    session: Session, now: dt.datetime, device_id: str, anchor: AnchorIn, last: Anchor
) -> None:
    """Return when an acknowledged restore allows this anchor; raise 409 otherwise."""
    digest = anchor.hash.lower()
    extra: dict[str, Any] = {"last_seq": last.seq}
    if anchor.restore:
        declared = session.exec(
            select(RestoreDeclaration)
            .where(RestoreDeclaration.device_id == device_id)
            .where(col(RestoreDeclaration.used_at).is_(None))
            .order_by(col(RestoreDeclaration.id).desc())
            .limit(1)
        ).first()
        if declared is not None and declared.acknowledged_at is not None:
            declared.used_at = now
            session.add(declared)
            audit.record(
                session,
                actor="server",
                action="anchor_restore_accepted",
                object_type="device",
                object_id=device_id,
                detail=f"from_seq={last.seq} to_seq={anchor.seq}",
                at=now,
            )
            return
        if declared is None:
            session.add(
                RestoreDeclaration(
                    device_id=device_id, seq=anchor.seq, hash=digest, declared_at=now
                )
            )
        extra["restore"] = "pending"
    audit.record(
        session,
        actor="server",
        action="anchor_rollback",
        object_type="device",
        object_id=device_id,
        result="409",
        detail=f"last_seq={last.seq} sent_seq={anchor.seq}"
        + (" restore=pending" if anchor.restore else ""),
        at=now,
    )
    session.commit()
    detail = (
        "A restore was declared; an admin must acknowledge it (intake-central anchors ack)."
        if anchor.restore
        else "The audit chain does not continue the last anchor: the data was put back."
    )
    raise Problem(409, "anchor_rollback", detail, extra=extra)


def pending(engine: Engine) -> list[dict[str, Any]]:
    """Restore declarations not yet used, oldest first."""
    with Session(engine) as session:
        rows = session.exec(
            select(RestoreDeclaration)
            .where(col(RestoreDeclaration.used_at).is_(None))
            .order_by(col(RestoreDeclaration.declared_at))
        ).all()
    return [
        {
            "device_id": r.device_id,
            "seq": r.seq,
            "declared_at": iso(r.declared_at),
            "acknowledged_at": iso(r.acknowledged_at) if r.acknowledged_at else None,
        }
        for r in rows
    ]


def acknowledge(session: Session, device_id: str, now: dt.datetime, actor: str) -> bool:
    """Accept the device's open restore declaration; False when it has none."""
    declared = session.exec(
        select(RestoreDeclaration)
        .where(RestoreDeclaration.device_id == device_id)
        .where(col(RestoreDeclaration.used_at).is_(None))
        .where(col(RestoreDeclaration.acknowledged_at).is_(None))
    ).first()
    if declared is None:
        return False
    declared.acknowledged_at = now
    declared.acknowledged_by = actor
    session.add(declared)
    return True
