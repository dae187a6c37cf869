"""Answers as rows: decoded against their question's type, encoded for storage, and loaded for
one interview (shared by the interview, history, migration and case-context code)."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from intake_tui.core.engine import Key
from intake_tui.core.questionnaire import Bundle
from intake_tui.core.values import Answer, Value, from_json, to_json
from intake_tui.store.models import AnswerRow


def _stored_answers(session: Session, interview_id: str, bundle: Bundle) -> dict[Key, Answer]:
    answers: dict[Key, Answer] = {}
    for answer in session.exec(select(AnswerRow).where(AnswerRow.interview_id == interview_id)):
        item = bundle.items.get(answer.question_id)
        value = _decode(item.type if item is not None else "text", answer.value_json)
        answers[(answer.question_id, answer.instance or None)] = Answer(answer.state, value)  # type: ignore[arg-type]
    return answers


def _decode(type_name: str, text: str) -> Value | None:
    try:
        return from_json(type_name, json.loads(text))
    except ValueError:
        # A value that no longer fits its question (e.g. after a bundle change) is kept as
        # stored text rather than dropped; validation will flag it.
        return text


def _encode(answer: Answer | None) -> tuple[str | None, str]:
    if answer is None:
        return None, "null"
    return answer.state, json.dumps(to_json(answer.value))
