"""Plans as the central server has them, pulled by sync (docs/sync-protocol.md, "Central edits"
and "Hand-over"): a central edit of one of this laptop's cases, shown on the plan screen beside
the laptop's own plan until the caseworker makes a revision that takes it into account; and
cases handed over to this laptop, kept as the documents the server sent.

Everything here is in the encrypted database, and every version received is audited."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, func, select

from intake_tui.store.models import CentralPlanRow, InterviewRow, OutboxRow
from intake_tui.store.session import Store


@dataclass(frozen=True)
class CentralVersion:
    """One case's latest plan version on the central server, as this laptop received it."""

    interview_id: str
    version: int
    source: str  # "submission" | "central"
    received_at: dt.datetime
    document: dict[str, Any]


def _version(row: CentralPlanRow) -> CentralVersion:
    return CentralVersion(
        interview_id=row.interview_id,
        version=row.version,
        source=row.source,
        received_at=row.received_at,
        document=json.loads(row.document_json),
    )


def known_versions(store: Store) -> dict[str, int]:
    """The version this laptop holds per case (to pull only what is newer)."""
    with store.session() as session:
        rows = session.exec(select(CentralPlanRow.interview_id, CentralPlanRow.version)).all()
    return {interview_id: version for interview_id, version in rows}


def local_cases(store: Store) -> set[str]:
    """The ids of the interviews on this laptop."""
    with store.session() as session:
        return set(session.exec(select(InterviewRow.id)).all())


def save(
    store: Store, interview_id: str, version: int, etag: str, source: str, document_json: str
) -> bool:
    """Keep a pulled version unless a newer one is here already; True when it was kept."""
    with store.session() as session:
        row = session.get(CentralPlanRow, interview_id)
        if row is not None and row.version >= version:
            return False
        if row is None:
            row = CentralPlanRow(
                interview_id=interview_id,
                version=version,
                etag=etag,
                source=source,
                document_json=document_json,
                received_at=store.now(),
            )
        else:
            row.version, row.etag, row.source = version, etag, source
            row.document_json, row.received_at = document_json, store.now()
        session.add(row)
        store.audit(session, "central_plan_received", "plan", f"{interview_id}/v{version}")
    return True


def pending_edit(store: Store, interview_id: str) -> CentralVersion | None:
    """The central edit the caseworker has not yet answered with a revision based on it."""
    with store.session() as session:
        row = session.get(CentralPlanRow, interview_id)
        if row is None or row.source != "central":
            return None
        seen = session.exec(
            select(func.max(OutboxRow.based_on_version)).where(
                OutboxRow.interview_id == interview_id
            )
        ).one()
    if seen is not None and seen >= row.version:
        return None
    return _version(row)


def received_cases(store: Store) -> list[CentralVersion]:
    """Cases handed over to this laptop: a central plan, no interview here."""
    with store.session() as session:
        rows = session.exec(
            select(CentralPlanRow)
            .where(col(CentralPlanRow.interview_id).not_in(select(InterviewRow.id)))
            .order_by(col(CentralPlanRow.received_at))
        ).all()
    return [_version(r) for r in rows]
