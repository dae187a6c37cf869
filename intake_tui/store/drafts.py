"""Typed text that is not an answer yet: kept per question until it is saved or thrown away.

A draft is never an answer: the engine, the plan, exports and sync do not see it. Saving the
answer of the same question removes it (`interviews.save_answer`).
"""

from __future__ import annotations

from sqlmodel import select

from intake_tui.core.engine import Key
from intake_tui.store.interviews import sql_time
from intake_tui.store.models import AnswerDraftRow
from intake_tui.store.session import Store


def save_draft(
    store: Store, interview_id: str, question_id: str, text: str, instance: str | None = None
) -> None:
    """Keep what is being typed into a long answer (every few seconds), not yet an answer.

    A crash loses seconds of typing at most; `save_answer` of the same question removes it.
    """
    at = sql_time(store.now())
    with store.session() as session:
        session.connection().exec_driver_sql(
            "INSERT INTO answer_draft (interview_id, question_id, instance, text, saved_by,"
            " saved_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (interview_id, question_id,"
            " instance) DO UPDATE SET text = excluded.text, saved_by = excluded.saved_by,"
            " saved_at = excluded.saved_at",
            (interview_id, question_id, instance or "", text, store.actor, at),
        )


def drafts(store: Store, interview_id: str) -> dict[Key, str]:
    """Unsaved drafts of long answers, to offer back when the interview is opened again."""
    with store.session() as session:
        rows = session.exec(
            select(AnswerDraftRow).where(AnswerDraftRow.interview_id == interview_id)
        )
        return {(r.question_id, r.instance or None): r.text for r in rows}


def discard_draft(
    store: Store, interview_id: str, question_id: str, instance: str | None = None
) -> None:
    """Throw away the unsaved text of one question (the caseworker chose to)."""
    with store.session() as session:
        session.connection().exec_driver_sql(
            "DELETE FROM answer_draft WHERE interview_id = ? AND question_id = ? AND instance = ?",
            (interview_id, question_id, instance or ""),
        )
