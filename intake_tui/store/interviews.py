"""Service functions for interviews: what the UI calls. Each is one transaction; rows stay inside.

Every write commits before the function returns, so "saved" on screen means saved on disk.
Each change of an answer also writes its old and new value to the (encrypted) answer history,
which serves undo and review, and an audit entry that names the question id, never the value.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import func, literal_column
from sqlmodel import Session, col, select

from intake_tui.core.engine import Interview, Key, Step
from intake_tui.core.questionnaire import Bundle
from intake_tui.core.text_refs import context_names
from intake_tui.core.values import Answer
from intake_tui.i18n import _, ngettext
from intake_tui.store import erasures
from intake_tui.store.answer_rows import _encode, _stored_answers
from intake_tui.store.bundle_copies import pin_bundle, pinned_bundle
from intake_tui.store.case_context import context_for, shown_values
from intake_tui.store.models import (
    InterviewRow,
    NoteRow,
)
from intake_tui.store.name_search import name_condition, searched_page
from intake_tui.store.search import fold
from intake_tui.store.session import Store, StoreError

Status = Literal["in_progress", "finalized"]
PAGE_SIZE = 50


@dataclass(frozen=True)
class Interpreter:
    """Whether an interpreter took part, how, and in which language."""

    used: bool
    how: str | None = None  # telefonisch | fysiek | video
    language: str | None = None


@dataclass(frozen=True)
class InterviewSummary:
    """One line of the cases table."""

    id: str
    client_display_name: str
    client_language: str
    status: str
    bundle_id: str
    bundle_version: str
    created_at: dt.datetime
    updated_at: dt.datetime
    duo_notice_date: dt.date | None
    finalized_at: dt.datetime | None = None

    @property
    def pip_due(self) -> dt.date | None:
        """The PIP is due 10 weeks after DUO's notice (Besluit inburgering 2021 art. 5.3)."""
        return self.duo_notice_date + dt.timedelta(weeks=10) if self.duo_notice_date else None


@dataclass(frozen=True)
class Page:
    items: list[InterviewSummary]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True)
class Note:
    text: str
    flagged: bool


@dataclass
class OpenInterview:
    """An interview as the UI works with it: its summary, its pinned bundle, the live engine."""

    summary: InterviewSummary
    bundle: Bundle
    interview: Interview
    notes: dict[Key, Note]
    current_step: str | None
    # name → language → text of the intake./plan. names its texts show (core/text_refs.py)
    shown: dict[str, dict[str, str]] = field(default_factory=dict)


class FinalizeBlocked(StoreError):
    """Finalizing was refused: `steps` are the required questions still without an answer."""

    def __init__(self, steps: Sequence[Step]) -> None:
        self.steps = tuple(steps)
        super().__init__(
            ngettext(
                "{n} required question still needs an answer before finalizing",
                "{n} required questions still need an answer before finalizing",
                len(self.steps),
            ).format(n=len(self.steps))
        )


def _summary(row: InterviewRow) -> InterviewSummary:
    return InterviewSummary(
        id=row.id,
        client_display_name=row.client_display_name,
        client_language=row.client_language,
        status=row.status,
        bundle_id=row.bundle_id,
        bundle_version=row.bundle_version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        duo_notice_date=row.duo_notice_date,
        finalized_at=row.finalized_at,
    )


def _get(session: Session, interview_id: str) -> InterviewRow:
    row = session.get(InterviewRow, interview_id)
    if row is None:
        raise StoreError(_("no interview with id {id}").format(id=interview_id))
    return row


def create_interview(
    store: Store,
    bundle: Bundle,
    *,
    client_display_name: str,
    client_language: str,
    interpreter: Interpreter | None = None,
    duo_notice_date: dt.date | None = None,
    given_name: str | None = None,
    family_name: str | None = None,
    interview_id: str | None = None,  # the demo's are fixed, so its screens look the same
    case_id: str | None = None,  # a follow-up conversation: the intake it follows (followups.py)
) -> InterviewSummary:
    """Start an interview, pinning the bundle it uses (the names prefill its name questions)."""
    name = client_display_name.strip()
    if not name:
        raise StoreError(_("a display name is needed to find the case again"))
    now = store.now()
    row = InterviewRow(
        id=interview_id or uuid.uuid4().hex,
        bundle_id=bundle.id,
        bundle_version=bundle.version,
        bundle_sha256=bundle.sha256,
        client_display_name=name,
        search_key=fold(name),
        client_language=client_language,
        interpreter_json=json.dumps((interpreter or Interpreter(False)).__dict__),
        given_name=(given_name or "").strip() or None,
        family_name=(family_name or "").strip() or None,
        status="in_progress",
        created_by=store.actor,
        created_at=now,
        updated_at=now,
        duo_notice_date=duo_notice_date,
        case_id=case_id,
    )
    with store.session() as session:
        pin_bundle(session, bundle)
        session.add(row)
        store.audit(session, "interview_create", "interview", row.id)
    return _summary(row)


def open_interview(store: Store, interview_id: str, clock_today: object = None) -> OpenInterview:
    """Load an interview with its answers into the engine (and record that it was opened)."""
    with store.session() as session:
        row = _get(session, interview_id)
        bundle = pinned_bundle(session, row.bundle_sha256)
        answers = _stored_answers(session, interview_id, bundle)
        notes = {
            (n.question_id, n.instance or None): Note(n.text, n.flagged)
            for n in session.exec(select(NoteRow).where(NoteRow.interview_id == interview_id))
        }
        store.audit(session, "interview_open", "interview", interview_id)
        summary = _summary(row)
        current = row.current_step
        case = case_facts(row)
        context = context_for(session, row, store.clock.today)  # intake., plan., followup.
        names = context_names(bundle.items[i].spec for i in bundle.order)
        languages = (*bundle.languages, "nl", "en")
        shown = shown_values(session, row, names, languages, context)
    interview = Interview(bundle, answers, today=store.clock.today, case=case, context=context)
    return OpenInterview(summary, bundle, interview, notes, current, shown)


def case_facts(row: InterviewRow) -> dict[str, object]:
    """What a question's `default:` reads as `case.<field>` (bundle_model.CASE_FIELDS)."""
    interpreter = json.loads(row.interpreter_json or "{}")
    return {
        "given_name": row.given_name,
        "family_name": row.family_name,
        "client_language": row.client_language,
        "interpreter": bool(interpreter.get("used")),
        "interpreter_mode": interpreter.get("how"),
        "interpreter_language": interpreter.get("language"),
    }


def sql_time(moment: dt.datetime) -> str:
    """A datetime as the UTC text SQLAlchemy stores in SQLite (for the hand-written SQL below)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def save_answer(
    store: Store,
    interview_id: str,
    question_id: str,
    answer: Answer | None,
    instance: str | None = None,
    *,
    language_shown: str | None = None,
    current_step: str | None = None,
) -> dt.datetime:
    """Store one answer (None clears it) in one transaction; returns when it is on disk.

    Hand-written SQL rather than the ORM: this runs on every answer, and building ORM
    statements cost ten times the durable commit itself (benchmarks/run.py, docs/decisions.md).
    """
    key_instance = instance or ""
    now = store.now()
    at = sql_time(now)
    new_state, new_value = _encode(answer)
    with store.session() as session:
        sql = session.connection().exec_driver_sql
        found = sql(
            "SELECT status, bundle_sha256 FROM interview WHERE id = ?", (interview_id,)
        ).first()
        if found is None:
            raise StoreError(_("no interview with id {id}").format(id=interview_id))
        if found[0] != "in_progress":
            raise StoreError(_("this interview is finalized; reopen it to change answers"))
        where = (interview_id, question_id, key_instance)
        existing = sql(
            "SELECT id, state, value_json FROM answer"
            " WHERE interview_id = ? AND question_id = ? AND instance = ?",
            where,
        ).first()
        old_state, old_value = (existing[1], existing[2]) if existing else (None, "null")
        if (old_state, old_value) == (new_state, new_value):
            return now  # nothing changed: no history, no audit noise
        if new_state is None:
            sql(
                "DELETE FROM answer WHERE interview_id = ? AND question_id = ? AND instance = ?",
                where,
            )
        elif existing is None:
            sql(
                "INSERT INTO answer (interview_id, question_id, instance, state, value_json,"
                " language_shown, answered_by, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*where, new_state, new_value, language_shown, store.actor, at),
            )
        else:
            sql(
                "UPDATE answer SET state = ?, value_json = ?, language_shown = ?, answered_by = ?,"
                " answered_at = ? WHERE id = ?",
                (new_state, new_value, language_shown, store.actor, at, existing[0]),
            )
        sql(
            "INSERT INTO answer_history (interview_id, question_id, instance, old_state,"
            " old_value_json, new_state, new_value_json, actor, at, undone, is_undo)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)",
            (*where, old_state, old_value, new_state, new_value, store.actor, at),
        )
        sql(
            "UPDATE interview SET updated_at = ?, current_step = coalesce(?, current_step)"
            " WHERE id = ?",
            (at, current_step, interview_id),
        )
        notice_question = pinned_bundle(session, found[1]).roles.get("duo_notice_date")
        if question_id == notice_question and key_instance == "":
            # One date, two places: the answer (for the plan) and the case (for the table).
            notice = answer.value if answer is not None and answer.state == "answered" else None
            sql(
                "UPDATE interview SET duo_notice_date = ? WHERE id = ?",
                (notice.isoformat() if isinstance(notice, dt.date) else None, interview_id),
            )
        sql(
            "DELETE FROM answer_draft WHERE interview_id = ? AND question_id = ? AND instance = ?",
            where,
        )
        store.audit(session, "answer_save", "answer", f"{interview_id}/{question_id}")
    return now


def set_note(
    store: Store,
    interview_id: str,
    question_id: str,
    text: str,
    *,
    flagged: bool = False,
    instance: str | None = None,
) -> None:
    """The caseworker's note and follow-up flag on a question (never exported)."""
    now = store.now()
    with store.session() as session:
        _get(session, interview_id)
        note = session.exec(
            select(NoteRow).where(
                NoteRow.interview_id == interview_id,
                NoteRow.question_id == question_id,
                NoteRow.instance == (instance or ""),
            )
        ).first()
        if note is None:
            note = NoteRow(
                interview_id=interview_id,
                question_id=question_id,
                instance=instance or "",
                updated_by=store.actor,
                updated_at=now,
            )
        note.text = text
        note.flagged = flagged
        note.updated_by = store.actor
        note.updated_at = now
        session.add(note)
        store.audit(session, "note_save", "answer", f"{interview_id}/{question_id}")


# The cases: intakes, not the follow-up conversations that belong to them (followups.py).
_INTAKES = col(InterviewRow.case_id).is_(None)
_FOLLOW_UPS = col(InterviewRow.case_id).is_not(None)


def count_intakes(session: Session, *conditions: Any) -> int:
    """How many intakes meet `conditions`: all rows that do, less the follow-ups that do. Both
    counts use an index (the follow-ups' is partial and small); `case_id IS NULL` in the query
    would make SQLite read every row of the table (30x slower at 50,000 cases)."""

    every = select(func.count()).select_from(InterviewRow).where(*conditions)
    # The follow-ups by id from their own (partial) index: with `case_id IS NOT NULL` beside the
    # conditions, SQLite would walk the status index and read every case's row instead.
    # By rowid, which every index of the table holds: an id would mean reading each row.
    rowid = literal_column("interview.rowid")
    ids = select(rowid).select_from(InterviewRow).where(_FOLLOW_UPS)
    follow_ups = select(func.count()).select_from(InterviewRow).where(rowid.in_(ids), *conditions)
    return int(session.exec(every).one()) - int(session.exec(follow_ups).one())


def list_interviews(
    store: Store,
    query: str = "",
    page: int = 0,
    *,
    page_size: int = PAGE_SIZE,
    statuses: Sequence[str] | None = None,
    due_by: dt.date | None = None,
    order: str = "changed",
) -> Page:
    """A page of interviews; `query` matches the display name or the id.

    `due_by`: only cases without a final plan whose PIP is due on or before that day (the PIP
    is due 10 weeks after DUO's notice). `order`: one of ORDERS — newest change first (the
    default), name, PIP due date (soonest first, cases without a notice date last), or newest
    case first.
    """
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}")
    order_by = [*_order_by(order), col(InterviewRow.id)]
    with store.session() as session:
        conditions: list[Any] = []  # a case is its intake; follow-ups are in its timeline
        if due_by is not None:
            conditions.extend(_due_conditions(due_by))
        folded = fold(query)
        if folded:  # name_search: the trigram index, or LIKE for one or two letters
            conditions += search_conditions("", statuses)
            rows, total = searched_page(
                session, folded, conditions, order_by, order in WALKED, page, page_size
            )
            return Page([_summary(r) for r in rows], total, page, page_size)
        conditions += search_conditions(query, statuses)
        total = count_intakes(session, *conditions)
        rows = session.exec(
            select(InterviewRow)
            .where(_INTAKES, *conditions)
            .order_by(*order_by)
            .offset(page * page_size)
            .limit(page_size)
        ).all()
    return Page([_summary(r) for r in rows], int(total), page, page_size)


ORDERS = ("changed", "name", "due", "created")
WALKED = ("changed", "name")  # an index gives these orders (updated_at, search_key)


def _order_by(order: str) -> list[Any]:
    if order == "name":
        return [col(InterviewRow.search_key)]
    if order == "due":
        notice = col(InterviewRow.duo_notice_date)
        return [notice.is_(None), notice]
    if order == "created":
        return [col(InterviewRow.created_at).desc()]
    return [col(InterviewRow.updated_at).desc()]


def _due_conditions(due_by: dt.date) -> list[Any]:
    from sqlalchemy import exists

    from intake_tui.store.models import PlanRevisionRow

    final = exists().where(
        PlanRevisionRow.interview_id == InterviewRow.id, PlanRevisionRow.status == "final"
    )
    return [
        col(InterviewRow.duo_notice_date).is_not(None),
        col(InterviewRow.duo_notice_date) <= due_by - dt.timedelta(weeks=10),
        ~final,
    ]


@dataclass(frozen=True)
class Counts:
    """The one-line summary of the cases table."""

    in_progress: int
    finalized: int
    overdue: int
    due_soon: int  # within 14 days, not yet overdue


def case_counts(store: Store, today: dt.date) -> Counts:
    with store.session() as session:

        def count(*conditions: Any) -> int:
            return count_intakes(session, *conditions)

        overdue = count(*_due_conditions(today - dt.timedelta(days=1)))
        return Counts(
            in_progress=count(InterviewRow.status == "in_progress"),
            finalized=count(InterviewRow.status == "finalized"),
            overdue=overdue,
            due_soon=count(*_due_conditions(today + dt.timedelta(days=14))) - overdue,
        )


def search_conditions(query: str, statuses: Sequence[str] | None) -> list[Any]:
    """What the cases screen's search box and status filter ask (a piece of the folded name or
    of the id: name_search.py, the trigram index from three characters on)."""
    found: list[Any] = []
    name = name_condition(query)
    if name is not None:
        found.append(name)
    if statuses:
        found.append(col(InterviewRow.status).in_(list(statuses)))
    return found


def finalize_interview(store: Store, interview_id: str) -> None:
    """Mark an interview finalized (the review is done) and write an encrypted backup copy.

    FinalizeBlocked, and nothing written, while a required question has no answer (or a
    "weet niet" / "wil niet zeggen" its `allow:` does not list): `Interview.finalize_blockers`.
    """
    now = store.now()
    with store.session() as session:
        row = _get(session, interview_id)
        if row.status == "finalized":
            return
        bundle = pinned_bundle(session, row.bundle_sha256)
        answers = _stored_answers(session, interview_id, bundle)
        context = context_for(session, row, store.clock.today)
        engine = Interview(bundle, answers, today=store.clock.today, context=context)
        blockers = engine.finalize_blockers()
        if blockers:
            raise FinalizeBlocked(blockers)
        row.status = "finalized"
        row.finalized_at = now
        row.updated_at = now
        session.add(row)
        store.audit(session, "interview_finalize", "interview", interview_id)
        if row.case_id is not None:  # a follow-up: its talk is held, a sync record of its own
            from intake_tui.store import talk_records

            held = Interview(
                bundle, answers, today=store.clock.today, case=case_facts(row), context=context
            )  # as open_interview loads it: the record is what the export lists
            talk_records.freeze_held(session, store, row, held)
    store.backup("finalize")


def reopen_interview(store: Store, interview_id: str, reason: str) -> None:
    """Reopen a finalized interview; the reason is required and audited by its kind only."""
    if not reason.strip():
        raise StoreError(_("a reason is required to reopen a finalized interview"))
    now = store.now()
    with store.session() as session:
        row = _get(session, interview_id)
        if row.status != "finalized":
            return
        row.status = "in_progress"
        row.updated_at = now
        session.add(row)
        from intake_tui.store.models import InterviewReopenRow

        session.add(
            InterviewReopenRow(
                interview_id=interview_id, reason=reason.strip(), actor=store.actor, at=now
            )
        )
        store.audit(session, "interview_reopen", "interview", interview_id)


def reopen_reasons(store: Store, interview_id: str) -> list[tuple[str, str, dt.datetime]]:
    """Every reopening of an interview: (reason, who, when), oldest first."""
    from intake_tui.store.models import InterviewReopenRow

    with store.session() as session:
        rows = session.exec(
            select(InterviewReopenRow)
            .where(InterviewReopenRow.interview_id == interview_id)
            .order_by(col(InterviewReopenRow.id))
        ).all()
    return [(r.reason, r.actor, r.at) for r in rows]


def delete_draft(store: Store, interview_id: str) -> None:
    """Erase an interview that was never finalized, with everything stored about it (audited)."""
    from intake_tui.store.models import PlanRevisionRow

    with store.session() as session:
        row = _get(session, interview_id)
        frozen = session.exec(
            select(PlanRevisionRow.id).where(PlanRevisionRow.interview_id == interview_id)  # type: ignore[call-overload]
        ).first()
        if row.status != "in_progress" or row.finalized_at is not None or frozen is not None:
            raise StoreError(
                _(
                    "only a draft that was never finalized can be erased here; a finalized or "
                    "discussed case is kept for the municipality's own erasure process"
                )
            )
        # In the erasure log first, outside intake.db: a restore of an older backup re-applies
        # it (store/erasures.py), so the erased person does not come back.
        erasures.record(store.data_dir, store._dek, interview_id, store.now())
        # Children first, in plain SQL: the ORM does not know these tables' order.
        sql = session.connection().exec_driver_sql
        # A follow-up erased: its talk is planned again (a talk missed meanwhile keeps its
        # record: it holds none of the follow-up's answers). An intake erased: its talks go
        # too, with any record of theirs, so nothing of the person is sent after the erasure.
        sql("UPDATE talk SET followup_id = NULL WHERE followup_id = ?", (interview_id,))
        sql("DELETE FROM outbox WHERE interview_id = ? AND kind = 'followup'", (interview_id,))
        sql("DELETE FROM talk WHERE case_id = ?", (interview_id,))
        for table in (
            "answer",
            "answer_archive",
            "answer_history",
            "note",
            "answer_draft",
            "plan_override",
            "interview_reopen",
        ):
            sql(f"DELETE FROM {table} WHERE interview_id = ?", (interview_id,))
        sql("DELETE FROM interview WHERE id = ?", (interview_id,))
        store.audit(session, "interview_delete", "interview", interview_id)


def stale_drafts(store: Store, days: int) -> list[InterviewSummary]:
    """Drafts untouched for more than `days` days (to be flagged for a decision)."""
    cutoff = store.now() - dt.timedelta(days=days)
    with store.session() as session:
        rows = session.exec(
            select(InterviewRow).where(
                InterviewRow.status == "in_progress", col(InterviewRow.updated_at) < cutoff
            )
        ).all()
    return [_summary(r) for r in rows]
