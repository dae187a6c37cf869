"""The history of each answer: undo, and the list of changes the review shows.

Every change of an answer writes its old and new value to the (encrypted) answer history
(`interviews.save_answer`); undo walks it back one change at a time, and is itself a change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from intake_tui.core.engine import Key
from intake_tui.core.values import Answer
from intake_tui.i18n import _
from intake_tui.store.answer_rows import _decode
from intake_tui.store.bundle_copies import pinned_bundle
from intake_tui.store.interviews import _get
from intake_tui.store.models import AnswerHistoryRow, AnswerRow
from intake_tui.store.session import Store, StoreError


@dataclass(frozen=True)
class Undone:
    """What `undo_last_answer` put back."""

    question_id: str
    instance: str | None
    restored: Answer | None


def _last_change(session: Session, interview_id: str) -> AnswerHistoryRow | None:
    """The newest change that is not an undo and was not undone: what undo takes back next."""
    return session.exec(
        select(AnswerHistoryRow)
        .where(
            AnswerHistoryRow.interview_id == interview_id,
            col(AnswerHistoryRow.undone).is_(False),
            col(AnswerHistoryRow.is_undo).is_(False),
        )
        .order_by(col(AnswerHistoryRow.id).desc())
        .limit(1)
    ).first()


def last_undoable(store: Store, interview_id: str) -> Key | None:
    """The question (and instance) that `undo_last_answer` would change next, or None."""
    with store.session() as session:
        last = _last_change(session, interview_id)
        return None if last is None else (last.question_id, last.instance or None)


def undo_last_answer(store: Store, interview_id: str) -> Undone | None:
    """Put back the value before the last change that was not undone yet (None: nothing to undo)."""
    now = store.now()
    with store.session() as session:
        row = _get(session, interview_id)
        if row.status != "in_progress":
            raise StoreError(_("this interview is finalized; reopen it to change answers"))
        last = _last_change(session, interview_id)
        if last is None:
            return None
        bundle = pinned_bundle(session, row.bundle_sha256)
        item = bundle.items.get(last.question_id)
        current = session.exec(
            select(AnswerRow).where(
                AnswerRow.interview_id == interview_id,
                AnswerRow.question_id == last.question_id,
                AnswerRow.instance == last.instance,
            )
        ).first()
        current_state, current_value = (
            (current.state, current.value_json) if current else (None, "null")
        )
        restored: Answer | None = None
        if last.old_state is None:
            if current is not None:
                session.delete(current)
        else:
            value = _decode(item.type if item else "text", last.old_value_json)
            restored = Answer(last.old_state, value)  # type: ignore[arg-type]
            if current is None:
                current = AnswerRow(
                    interview_id=interview_id,
                    question_id=last.question_id,
                    instance=last.instance,
                    state=last.old_state,
                    value_json=last.old_value_json,
                    answered_by=store.actor,
                    answered_at=now,
                )
            else:
                current.state = last.old_state
                current.value_json = last.old_value_json
                current.answered_by = store.actor
                current.answered_at = now
            session.add(current)
        last.undone = True
        session.add(last)
        session.add(
            AnswerHistoryRow(
                interview_id=interview_id,
                question_id=last.question_id,
                instance=last.instance,
                old_state=current_state,
                old_value_json=current_value,
                new_state=last.old_state,
                new_value_json=last.old_value_json,
                actor=store.actor,
                at=now,
                is_undo=True,
            )
        )
        row.updated_at = now
        session.add(row)
        store.audit(session, "answer_undo", "answer", f"{interview_id}/{last.question_id}")
    return Undone(last.question_id, last.instance or None, restored)


def answer_history(
    store: Store, interview_id: str
) -> list[tuple[str, str | None, Answer | None, Answer | None, str, dt.datetime]]:
    """Every change, oldest first: (question, instance, old, new, who, when), for review."""
    with store.session() as session:
        row = _get(session, interview_id)
        bundle = pinned_bundle(session, row.bundle_sha256)
        result = []
        for h in session.exec(
            select(AnswerHistoryRow)
            .where(AnswerHistoryRow.interview_id == interview_id)
            .order_by(col(AnswerHistoryRow.id))
        ):
            item = bundle.items.get(h.question_id)
            type_name = item.type if item else "text"
            old = Answer(h.old_state, _decode(type_name, h.old_value_json)) if h.old_state else None  # type: ignore[arg-type]
            new = Answer(h.new_state, _decode(type_name, h.new_value_json)) if h.new_state else None  # type: ignore[arg-type]
            result.append((h.question_id, h.instance or None, old, new, h.actor, h.at))
    return result
