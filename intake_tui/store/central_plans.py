"""Plans as the central server has them, pulled by sync (docs/sync-protocol.md, "Central edits"
and "Hand-over"): a central edit of one of this laptop's cases, shown on the plan screen beside
the laptop's own plan until the caseworker makes a revision that takes it into account; and
cases handed over to this laptop, kept as the documents the server sent.

Everything here is in the encrypted database, and every version received is audited."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import col, func, select

from intake_tui.core.bundle_model import Bundle, bundle_sha256
from intake_tui.core.questionnaire import BundleError, bundle_files, load_bundle
from intake_tui.store.bundle_copies import pinned_bundle
from intake_tui.store.models import CentralPlanRow, InterviewRow, OutboxRow
from intake_tui.store.session import Store, StoreError


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


def _handed_over() -> Any:
    """No interview of it here. NOT EXISTS looks each central plan up in the interview's primary
    key; NOT IN would build a table of every interview id on each refresh of the cases screen."""
    return ~(
        select(InterviewRow.id)
        .where(col(InterviewRow.id) == col(CentralPlanRow.interview_id))
        .exists()
    )


def received_count(store: Store) -> int:
    """How many cases were handed over to this laptop (one indexed count; the cases screen)."""
    with store.session() as session:
        return int(
            session.exec(
                select(func.count()).select_from(CentralPlanRow).where(_handed_over())
            ).one()
        )


def received_cases(store: Store) -> list[CentralVersion]:
    """Cases handed over to this laptop: a central plan, no interview here."""
    with store.session() as session:
        rows = session.exec(
            select(CentralPlanRow).where(_handed_over()).order_by(col(CentralPlanRow.received_at))
        ).all()
    return [_version(r) for r in rows]


def bundle_of(store: Store, document: dict[str, Any], search: list[Path]) -> Bundle | None:
    """The questionnaire a received document was made with, when this laptop has it: a copy
    pinned by another interview, or one of the bundle folders in `search` with the same hash."""
    wanted = document.get("interview", {}).get("bundle", {}).get("sha256")
    if not isinstance(wanted, str):
        return None
    with store.session() as session:
        try:
            return pinned_bundle(session, wanted)
        except (StoreError, BundleError):
            pass
    for folder in search:
        try:
            if bundle_sha256(bundle_files(folder)) == wanted:
                return load_bundle(folder)
        except (OSError, BundleError):
            continue
    return None


def display_name(document: dict[str, Any], bundle: Bundle | None) -> str:
    """The newcomer's name from a received document: the answers to the questions the bundle
    prefills from the case's names (`default: case.given_name` / `case.family_name`)."""
    if bundle is None:
        return ""
    answers = document.get("answers", {})
    parts = []
    for fact in ("case.given_name", "case.family_name"):
        for item in bundle.items.values():
            if item.is_question and (item.question.default or "").strip() == fact:
                answer = answers.get(item.question.export or "")  # keyed by export name
                if isinstance(answer, dict) and isinstance(answer.get("value"), str):
                    parts.append(answer["value"])
                break
    return " ".join(parts)
