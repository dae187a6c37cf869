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
from intake_tui.store import interviews, talk_records
from intake_tui.store.models import ExtensionRow, InterviewRow, TalkRow
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
    held_on: dt.date | None = None  # the day its conversation was finalized (often not `due`)


def plan_talks(session: Session, store: Store, case_id: str, dates: Iterable[dt.date]) -> int:
    """The talks of the latest final plan's dates, in the caller's transaction (the plan and
    its talks are stored together). The i-th date is the i-th talk: a talk nobody touched yet
    (planned, never rescheduled) takes the new plan's date; one that was started, held, missed
    or rescheduled keeps its own; a date with no talk yet gets one. A talk nobody touched
    beyond the new plan's dates is taken off. Returns how many talks were added."""
    wanted = sorted(set(dates))
    existing = sorted(
        session.exec(select(TalkRow).where(TalkRow.case_id == case_id)).all(),
        key=lambda t: t.rescheduled_from or t.due,
    )
    added = 0
    for index, due in enumerate(wanted):
        if index < len(existing):
            talk = existing[index]
            if _untouched(talk) and talk.due != due:
                talk.due, talk.updated_by, talk.updated_at = due, store.actor, store.now()
                session.add(talk)
            continue
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
    for talk in existing[len(wanted) :]:
        if _untouched(talk):
            session.delete(talk)
    return added


def _untouched(talk: TalkRow) -> bool:
    return talk.followup_id is None and not talk.missed and talk.rescheduled_from is None


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


def _overdue_talks(today: dt.date) -> Any:
    """The case ids of talks due before `today` that are neither missed nor held (their
    follow-up not finalized): the same rule as `Talk.overdue`, in SQL, read from the talks
    (few) rather than tried on every case."""
    followup = aliased(InterviewRow)
    held = exists().where(followup.id == TalkRow.followup_id, followup.status == "finalized")
    return select(TalkRow.case_id).where(
        ~col(TalkRow.missed),
        col(TalkRow.due) < today,
        or_(col(TalkRow.followup_id).is_(None), ~held),
    )


def _overdue(today: dt.date) -> Any:
    """An intake with a talk overdue (see `_overdue_talks`)."""
    return col(InterviewRow.id).in_(_overdue_talks(today))


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
    conditions: list[Any] = [
        interviews._INTAKES,
        _overdue(today),
        *interviews.search_conditions(query, statuses),
    ]
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
        # Counted over the intakes, so SQLite reads the overdue talks by the due-date index
        # (0012) instead of every talk by case (4 ms against 166 ms at 10,000 cases × 3 talks).
        return int(
            session.exec(
                select(func.count()).select_from(InterviewRow).where(_overdue(today))
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
        # A missed talk is a sync record of its own, written with the miss.
        entry = talk_records.open_entry(row.id, row.due, reason, missed=True)
        talk_records.freeze(session, store, row, entry)


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
    """The installed bundles that follow `intake_bundle_id`, the newest version of each, by id."""
    from intake_tui.core.related import header

    found: dict[tuple[str, str], Bundle] = {}
    for folder in folders:
        light = header(folder)
        if light is None or light[2] != intake_bundle_id:
            continue  # read whole only the bundles that follow this intake's
        bundle, _problems = check_bundle(folder)
        if bundle is not None and bundle.spec.follows == intake_bundle_id:
            found.setdefault((bundle.id, bundle.version), bundle)
    newest: dict[str, Bundle] = {}
    for bundle in sorted(found.values(), key=lambda b: version_key(b.version), reverse=True):
        newest.setdefault(bundle.id, bundle)
    return sorted(newest.values(), key=lambda b: b.id)  # a stable order to choose from


def case_of(store: Store, interview_id: str) -> str | None:
    """The case a follow-up conversation belongs to (None for an intake)."""
    with store.session() as session:
        row = session.get(InterviewRow, interview_id)
        return row.case_id if row is not None else None


def _talk(row: TalkRow, finalized: dict[str, dt.date], today: dt.date) -> Talk:
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
        finalized.get(row.followup_id) if row.followup_id else None,
    )


def _finalized(session: Session, ids: list[str]) -> dict[str, dt.date]:
    """The finalized ones of these interviews, with the day each was finalized."""
    if not ids:
        return {}
    rows = session.exec(
        select(InterviewRow.id, InterviewRow.finalized_at).where(  # type: ignore[call-overload]
            col(InterviewRow.id).in_(ids), InterviewRow.status == "finalized"
        )
    ).all()
    return {row[0]: (row[1].date() if row[1] is not None else dt.date.min) for row in rows}


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


# -- the termijn's end: only a verlenging moves it -------------------------------------------------


@dataclass(frozen=True)
class Extension:
    ground: str
    decided_on: dt.date
    new_end: dt.date


def extensions(store: Store, case_id: str) -> list[Extension]:
    """DUO's verlengingen of the case's termijn, in the order they were recorded."""
    with store.session() as session:
        rows = session.exec(
            select(ExtensionRow)
            .where(ExtensionRow.case_id == case_id)
            .order_by(col(ExtensionRow.id))
        ).all()
    return [Extension(r.ground, r.decided_on, r.new_end) for r in rows]


def extended_to(store: Store, case_id: str) -> dt.date | None:
    """The end of the termijn after DUO's latest verlenging (None: never extended)."""
    found = extensions(store, case_id)
    return max(e.new_end for e in found) if found else None


def record_extension(
    store: Store,
    case_id: str,
    ground: str,
    decided_on: dt.date,
    new_end: dt.date,
    *,
    end_so_far: dt.date,
) -> None:
    """Record DUO's decision to extend the termijn (Wet inburgering 2021 art. 12): its ground,
    the date DUO decided, and the new end, later than `end_so_far` (the termijn as the plan
    has it: `plans.extend_termijn` is the way in)."""
    from typing import get_args

    from intake_tui.core.plan.fields import EXTENSION

    if ground not in get_args(EXTENSION):
        raise StoreError(
            _("unknown ground {ground!r}; the grounds are: {grounds}").format(
                ground=ground, grounds=", ".join(get_args(EXTENSION))
            )
        )
    if decided_on > store.clock.today():
        raise StoreError(_("DUO's decision date cannot be in the future"))
    if new_end <= end_so_far:
        raise StoreError(
            _("the new end must be after the end so far ({date})").format(
                date=end_so_far.strftime("%d-%m-%Y")
            )
        )
    with store.session() as session:
        session.add(
            ExtensionRow(
                case_id=case_id,
                ground=ground,
                decided_on=decided_on,
                new_end=new_end,
                recorded_by=store.actor,
                recorded_at=store.now(),
            )
        )
        store.audit(session, "termijn_extend", "case", case_id)


# -- in the export document (intake-export/2) ------------------------------------------------------


def export_entries(store: Store, case_id: str) -> list[Any]:
    """The case's talks as the export document lists them (core/export_model.FollowupOut):
    a held talk with its follow-up's answers (health marked `special`, withheld from a plain
    document), a missed one with why, the others as planned. A held or missed talk's sync
    record (store/talk_records.py) is built by the same two functions."""
    found = []
    for talk in talks(store, case_id):
        if talk.status != "held" or talk.followup_id is None:
            found.append(
                talk_records.open_entry(
                    talk.id, talk.due, talk.reason, missed=talk.status == "missed"
                )
            )
            continue
        opened = interviews.open_interview(store, talk.followup_id)
        with store.session() as session:
            row = session.get(InterviewRow, talk.followup_id)
            assert row is not None
            caseworker, interpreter = row.created_by, row.interpreter_json
        held_on = opened.summary.finalized_at or opened.summary.updated_at
        found.append(
            talk_records.completed_entry(
                talk.id,
                talk.reason,
                opened.bundle,
                opened.interview,
                caseworker=caseworker,
                interpreter_json=interpreter,
                client_language=opened.summary.client_language,
                held_on=held_on.date(),
            )
        )
    return found
