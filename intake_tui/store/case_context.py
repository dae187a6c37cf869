"""What an interview may read of the rest of its case (issue 19, references across a case).

A follow-up conversation reads the intake's answers as `intake.<id>` and the current plan as
`plan.<field>` (the latest final revision; the draft plan's before there is one); the intake's
plan rules read the latest completed follow-up as `followup.<id>`. Read once when an interview
is opened: while it is open, the other parts of the case do not change under it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from sqlmodel import Session, col, select

from intake_tui.core.engine import Interview
from intake_tui.store.answer_rows import _stored_answers
from intake_tui.store.bundle_copies import pinned_bundle
from intake_tui.store.models import InterviewRow, PlanRevisionRow

Context = dict[str, dict[str, object]]


def context_for(session: Session, row: InterviewRow, today: Callable[[], dt.date]) -> Context:
    if row.case_id is not None:
        intake = session.get(InterviewRow, row.case_id)
        if intake is None:
            return {}
        return {"intake": _values(session, intake, today), "plan": _plan(session, intake.id)}
    latest = session.exec(
        select(InterviewRow)
        .where(InterviewRow.case_id == row.id, InterviewRow.status == "finalized")
        .order_by(col(InterviewRow.finalized_at).desc())
    ).first()
    return {"followup": _values(session, latest, today)} if latest is not None else {}


def _values(session: Session, row: InterviewRow, today: Callable[[], dt.date]) -> dict[str, object]:
    """The visible top-level answers of an interview (hidden ones read as unanswered)."""
    bundle = pinned_bundle(session, row.bundle_sha256)
    engine = Interview(bundle, _stored_answers(session, row.id, bundle), today=today)
    return {
        item.id: engine.value(item.id)
        for item in bundle.value_questions()
        if item.repeat is None and engine.value(item.id) is not None
    }


def _plan(session: Session, case_id: str) -> dict[str, object]:
    """The current plan: the fields of the latest final revision (values as exported)."""
    found = session.exec(
        select(PlanRevisionRow.document_json)  # type: ignore[call-overload]
        .where(PlanRevisionRow.interview_id == case_id, PlanRevisionRow.status == "final")
        .order_by(col(PlanRevisionRow.revision).desc())
    ).first()
    if not found:  # none yet, or removed after retention by a version before issue 19's
        return {}
    fields = json.loads(found).get("plan", {}).get("fields", {})
    return {
        key: field.get("value") for key, field in fields.items() if field.get("value") is not None
    }
