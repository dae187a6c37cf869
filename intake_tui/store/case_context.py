"""What an interview may read of the rest of its case (issue 19, references across a case).

A follow-up conversation reads the intake's answers as `intake.<id>` and the current plan as
`plan.<field>` (the latest final revision; the draft plan's before there is one); the intake's
plan rules read the latest completed follow-up as `followup.<id>`. Read once when an interview
is opened: while it is open, the other parts of the case do not change under it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from typing import Any

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


def shown_values(
    session: Session,
    row: InterviewRow,
    names: set[str],
    languages: Iterable[str],
    context: Context,
) -> dict[str, dict[str, str]]:
    """name → language → text, for the `intake.` and `plan.` names a follow-up's texts show
    (core/text_refs.py): the values `context_for` read (not read again), as the caseworker and
    the newcomer read them (labels in their language, dd-mm-jjjj dates). A name without a value
    shows "—"."""
    if not names or row.case_id is None:
        return {}
    intake = session.get(InterviewRow, row.case_id)
    if intake is None:
        return {}
    from intake_tui.core.catalogs import Localizer
    from intake_tui.core.display import show_value_in

    bundle = pinned_bundle(session, intake.bundle_sha256)
    localizer = Localizer(bundle)
    values = context.get("intake", {})
    plan = context.get("plan", {})
    languages = tuple(dict.fromkeys(languages))
    found: dict[str, dict[str, str]] = {}
    for name in names:
        prefix, _dot, rest = name.partition(".")
        shown: dict[str, str] = {}
        for lang in languages:
            if prefix == "intake" and rest in bundle.items and values.get(rest) is not None:
                shown[lang] = show_value_in(
                    bundle.items[rest],
                    values[rest],
                    lang,
                    lambda choice, lang: localizer.text(choice.key, choice.label, lang).text,
                )
            elif prefix == "plan" and plan.get(rest) is not None:
                shown[lang] = _plan_value(bundle, localizer, rest, plan[rest], lang)
            else:
                shown[lang] = "—"
        found[name] = shown
    return found


def _plan_value(bundle: Any, localizer: Any, key: str, value: object, lang: str) -> str:
    """A plan field's exported value in `lang`: its code's label from plan.yaml."""
    from intake_tui.i18n import locale_format

    if isinstance(value, bool):
        return locale_format.yes_no(value, lang)
    if isinstance(value, list):
        return ", ".join(_plan_value(bundle, localizer, key, one, lang) for one in value)
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).strftime("%d-%m-%Y")
        except ValueError:
            pass
        texts = bundle.plan.fields.get(key) if bundle.plan is not None else None
        if texts is not None and value in texts.values:
            return localizer.text(f"plan.field.{key}.value.{value}", texts.values[value], lang).text
        return value
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values() if v not in (None, ""))
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)
