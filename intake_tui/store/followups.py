"""A case over its termijn: the talks its plan schedules, and the follow-up conversations.

A case is the intake (its interview id is the case id), the plan's revisions, and any number of
follow-up conversations (voortgangsgesprekken), each an interview of its own pinned bundle with
`case_id` set to the intake. The final plan's dates become planned talks (`plan_talks`, in the
same transaction as the plan). A talk is rescheduled or missed with the caseworker's reason;
starting it makes its follow-up interview, and finalizing that interview makes it held. Its
status is worked out from those facts, never stored twice:

    planned ──start──▶ in progress ──finalize the follow-up──▶ held
       │  ╲
       │   reschedule (new date, reason; the first date is kept)
       ▼
    missed (reason)
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import exists, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from intake_tui.core.bundle_model import version_key
from intake_tui.core.questionnaire import Bundle, check_bundle
from intake_tui.i18n import _
from intake_tui.store import interviews
from intake_tui.store.models import InterviewRow, TalkRow
from intake_tui.store.search import fold
from intake_tui.store.session import Store, StoreError

Status = Literal["planned", "in_progress", "held", "missed"]
REASON_MAX = 2000


@dataclass(frozen=True)
class Talk:
    """One voortgangsgesprek of a case, as the timeline shows it."""

    id: str
    case_id: str
    due: dt.date
    status: Status
    rescheduled_from: dt.date | None
    reason: str | None
    followup_id: str | None
    overdue: bool  # due before today and neither held nor missed


def plan_talks(session: Session, store: Store, case_id: str, dates: Iterable[dt.date]) -> int:
    """Planned talks for the final plan's dates not planned yet (in the caller's transaction:
    the plan and its talks are stored together). A date moved by a reschedule counts as
    planned, so a later revision never brings a rescheduled talk back."""
    existing = session.exec(select(TalkRow).where(TalkRow.case_id == case_id)).all()
    known = {t.due for t in existing} | {t.rescheduled_from for t in existing}
    added = 0
    for due in sorted(set(dates) - known):
        session.add(
            TalkRow(
                id=uuid.uuid4().hex,
                case_id=case_id,
                due=due,
                updated_by=store.actor,
                updated_at=store.now(),
            )
        )
        added += 1
    return added


def talks(store: Store, case_id: str) -> list[Talk]:
    """The talks of a case, soonest first."""
    today = store.clock.today()
    with store.session() as session:
        rows = session.exec(
            select(TalkRow).where(TalkRow.case_id == case_id).order_by(col(TalkRow.due))
        ).all()
        finalized = _finalized(session, [r.followup_id for r in rows if r.followup_id])
    return [_talk(row, finalized, today) for row in rows]


def next_due(store: Store, case_ids: Sequence[str]) -> dict[str, dt.date]:
    """Per case, the due date of its next talk that is neither held nor missed."""
    if not case_ids:
        return {}
    with store.session() as session:
        rows = session.exec(
            select(TalkRow).where(col(TalkRow.case_id).in_(list(case_ids)), ~col(TalkRow.missed))
        ).all()
        finalized = _finalized(session, [r.followup_id for r in rows if r.followup_id])
    found: dict[str, dt.date] = {}
    for row in rows:
        if row.followup_id in finalized:
            continue
        if row.case_id not in found or row.due < found[row.case_id]:
            found[row.case_id] = row.due
    return found


def _overdue(today: dt.date) -> Any:
    """An intake with a talk due before `today` that is neither missed nor held (its follow-up
    not finalized): the same rule as `Talk.overdue`, in SQL."""
    followup = aliased(InterviewRow)
    held = exists().where(followup.id == TalkRow.followup_id, followup.status == "finalized")
    return exists().where(
        TalkRow.case_id == InterviewRow.id,
        ~col(TalkRow.missed),
        col(TalkRow.due) < today,
        or_(col(TalkRow.followup_id).is_(None), ~held),
    )


def overdue_cases(
    store: Store,
    today: dt.date,
    query: str = "",
    page: int = 0,
    *,
    page_size: int = interviews.PAGE_SIZE,
    statuses: Sequence[str] | None = None,
    order: str = "changed",
) -> interviews.Page:
    """A page of the cases with a talk overdue, searched and ordered as
    `interviews.list_interviews` does (paged and counted in SQL)."""
    if order not in interviews.ORDERS:
        raise ValueError(f"unknown order {order!r}")
    conditions: list[Any] = [interviews._INTAKES, _overdue(today)]
    if query.strip():
        pattern = f"%{interviews._escape_like(fold(query))}%"
        conditions.append(
            or_(
                col(InterviewRow.search_key).like(pattern, escape="\\"),
                col(InterviewRow.id).like(pattern, escape="\\"),
            )
        )
    if statuses:
        conditions.append(col(InterviewRow.status).in_(list(statuses)))
    with store.session() as session:
        total = session.exec(
            select(func.count()).select_from(InterviewRow).where(*conditions)
        ).one()
        rows = session.exec(
            select(InterviewRow)
            .where(*conditions)
            .order_by(*interviews._order_by(order), col(InterviewRow.id))
            .offset(page * page_size)
            .limit(page_size)
        ).all()
        items = [interviews._summary(r) for r in rows]
    return interviews.Page(items, int(total), page, page_size)


def overdue_count(store: Store, today: dt.date) -> int:
    """How many cases have a talk overdue (the cases screen's summary)."""
    with store.session() as session:
        return int(
            session.exec(
                select(func.count())
                .select_from(InterviewRow)
                .where(interviews._INTAKES, _overdue(today))
            ).one()
        )


def intake(store: Store, case_id: str) -> interviews.InterviewSummary:
    """The intake of a case (its status and dates, for the timeline)."""
    with store.session() as session:
        row = session.get(InterviewRow, case_id)
        if row is None:
            raise StoreError(_("no interview with id {id}").format(id=case_id))
        return interviews._summary(row)


def reschedule(store: Store, talk_id: str, due: dt.date, reason: str) -> None:
    """Move a planned talk to another date; the reason is required and the first date kept."""
    reason = _reason(reason)
    with store.session() as session:
        row = _open_talk(session, talk_id)
        if row.rescheduled_from is None:
            row.rescheduled_from = row.due
        row.due, row.reason = due, reason
        row.updated_by, row.updated_at = store.actor, store.now()
        session.add(row)
        store.audit(session, "talk_reschedule", "talk", f"{row.case_id}/{talk_id}")


def miss(store: Store, talk_id: str, reason: str) -> None:
    """Record that a talk did not take place, and why (the reason is required)."""
    reason = _reason(reason)
    with store.session() as session:
        row = _open_talk(session, talk_id)
        row.missed, row.reason = True, reason
        row.updated_by, row.updated_at = store.actor, store.now()
        session.add(row)
        store.audit(session, "talk_missed", "talk", f"{row.case_id}/{talk_id}")


def start(
    store: Store,
    talk_id: str,
    bundle: Bundle,
    *,
    interpreter: interviews.Interpreter | None = None,
    client_language: str | None = None,
) -> str:
    """Start the follow-up conversation of a talk (its own interview, pinned to `bundle`, a
    bundle that follows the case's intake bundle); its interview id. Starting a talk that was
    started already gives the conversation it has."""
    with store.session() as session:
        row = _open_talk(session, talk_id)
        if row.followup_id is not None:
            return row.followup_id
        case = session.get(InterviewRow, row.case_id)
        assert case is not None
    if bundle.spec.follows != case.bundle_id:
        raise StoreError(
            _("{bundle} is not a follow-up of {intake}").format(
                bundle=bundle.id, intake=case.bundle_id
            )
        )
    summary = interviews.create_interview(
        store,
        bundle,
        client_display_name=case.client_display_name,
        client_language=client_language or case.client_language,
        interpreter=interpreter,
        given_name=case.given_name,
        family_name=case.family_name,
        case_id=case.id,
    )
    with store.session() as session:
        row = _open_talk(session, talk_id)
        row.followup_id = summary.id
        row.updated_by, row.updated_at = store.actor, store.now()
        session.add(row)
        store.audit(session, "talk_start", "talk", f"{row.case_id}/{talk_id}")
    return summary.id


def followup_bundles(intake_bundle_id: str, folders: Iterable[Path]) -> list[Bundle]:
    """The installed bundles that follow `intake_bundle_id`, newest version of each first."""
    found: dict[tuple[str, str], Bundle] = {}
    for folder in folders:
        bundle, _problems = check_bundle(folder)
        if bundle is not None and bundle.spec.follows == intake_bundle_id:
            found.setdefault((bundle.id, bundle.version), bundle)
    newest: dict[str, Bundle] = {}
    for bundle in sorted(found.values(), key=lambda b: version_key(b.version), reverse=True):
        newest.setdefault(bundle.id, bundle)
    return list(newest.values())


def case_of(store: Store, interview_id: str) -> str | None:
    """The case a follow-up conversation belongs to (None for an intake)."""
    with store.session() as session:
        row = session.get(InterviewRow, interview_id)
        return row.case_id if row is not None else None


def _talk(row: TalkRow, finalized: set[str], today: dt.date) -> Talk:
    status: Status
    if row.missed:
        status = "missed"
    elif row.followup_id is None:
        status = "planned"
    elif row.followup_id in finalized:
        status = "held"
    else:
        status = "in_progress"
    return Talk(
        row.id,
        row.case_id,
        row.due,
        status,
        row.rescheduled_from,
        row.reason,
        row.followup_id,
        status in ("planned", "in_progress") and row.due < today,
    )


def _finalized(session: Session, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    rows = session.exec(
        select(InterviewRow.id).where(  # type: ignore[call-overload]
            col(InterviewRow.id).in_(ids), InterviewRow.status == "finalized"
        )
    ).all()
    return set(rows)


def _open_talk(session: Session, talk_id: str) -> TalkRow:
    row = session.get(TalkRow, talk_id)
    if row is None:
        raise StoreError(_("no talk with id {id}").format(id=talk_id))
    if row.missed:
        raise StoreError(_("this talk was recorded as missed"))
    if row.followup_id is not None:
        followup = session.get(InterviewRow, row.followup_id)
        if followup is not None and followup.status == "finalized":
            raise StoreError(_("this talk was held"))
    return row


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise StoreError(_("a reason is needed"))
    if len(text) > REASON_MAX:
        raise StoreError(_("the reason is too long (at most {n} characters)").format(n=REASON_MAX))
    return text
