"""A newcomer's own data (AVG art. 15), as JSON or as a bilingual printable page.

Everything this laptop holds about one newcomer: the answers (hidden ones too, marked), the
caseworker's notes, every frozen plan revision with its fields, the reasons the rules gave and
the caseworker's own choices with their reasons, the history of every answer (who changed what
and when), and who received the plan: the central system of the municipality, with the date of
its receipt. DUO and the case system are not connected yet, and the export says so. A revision
whose content was removed after retention is named, not shown. `store/exports.py` writes the
result (audited); this module only gathers and renders it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from html import escape
from typing import Any

from sqlmodel import col, select

from intake_tui.core.html_plan import (
    N_,
    Column,
    dutch_text,
    facts_block,
    page_html,
    plan_columns,
    plan_rows,
    table_row,
    title_row,
    unreviewed_row,
)
from intake_tui.core.plan.rules import PlanRules
from intake_tui.core.values import to_json
from intake_tui.i18n import _
from intake_tui.store import interviews, person_talks, plans
from intake_tui.store.models import AnswerHistoryRow, NoteRow, OutboxRow
from intake_tui.store.session import Store

TITLE = N_("What the municipality has stored about you")


@dataclass(frozen=True)
class PersonData:
    """What is stored about one newcomer, gathered once for both forms."""

    opened: interviews.OpenInterview
    revisions: list[plans.Revision]
    history: list[AnswerHistoryRow]
    notes: list[NoteRow]
    outbox: dict[int, OutboxRow]  # the plan revisions' records, by revision
    # The rest of the case (issue 19): its follow-up conversations, each gathered the same
    # way; its talks; DUO's verlengingen; answers kept aside when a draft moved versions.
    followups: tuple[PersonData, ...] = ()
    talks: tuple[dict[str, Any], ...] = ()
    talk_outbox: tuple[OutboxRow, ...] = ()  # the held and missed talks' own records
    extensions: tuple[dict[str, Any], ...] = ()
    kept_aside: tuple[dict[str, Any], ...] = ()


def gather(store: Store, interview_id: str, *, whole_case: bool = True) -> PersonData:
    from dataclasses import replace

    from intake_tui.store import followups, migration
    from intake_tui.store.models import InterviewRow

    data = _gather_one(store, interview_id)
    kept = tuple(
        {"question": q, "instance": i or None, "version": v, "reason": r}
        for q, i, v, r in migration.archived(store, interview_id)
    )
    if not whole_case:
        return replace(data, kept_aside=kept)
    with store.session() as session:
        ids = session.exec(
            select(InterviewRow.id)  # type: ignore[call-overload]
            .where(InterviewRow.case_id == interview_id)
            .order_by(col(InterviewRow.created_at))
        ).all()
        talk_outbox = tuple(
            session.exec(
                select(OutboxRow)
                .where(OutboxRow.interview_id == interview_id, OutboxRow.kind == "followup")
                .order_by(col(OutboxRow.id))
            ).all()
        )
    talks = tuple(
        {
            "id": t.id,
            "due": t.due.isoformat(),
            "status": t.status,
            "rescheduled_from": t.rescheduled_from.isoformat() if t.rescheduled_from else None,
            "reason": t.reason,
            "followup": t.followup_id,
        }
        for t in followups.talks(store, interview_id)
    )
    extensions = tuple(
        {
            "ground": e.ground,
            "decided_on": e.decided_on.isoformat(),
            "new_end": e.new_end.isoformat(),
        }
        for e in followups.extensions(store, interview_id)
    )
    return replace(
        data,
        followups=tuple(gather(store, i, whole_case=False) for i in ids),
        talks=talks,
        extensions=extensions,
        kept_aside=kept,
        talk_outbox=talk_outbox,
    )


def _gather_one(store: Store, interview_id: str) -> PersonData:
    opened = interviews.open_interview(store, interview_id)
    revisions = plans.revisions(store, interview_id)
    with store.session() as session:
        history = list(
            session.exec(
                select(AnswerHistoryRow)
                .where(AnswerHistoryRow.interview_id == interview_id)
                .order_by(col(AnswerHistoryRow.id))
            )
        )
        notes = list(session.exec(select(NoteRow).where(NoteRow.interview_id == interview_id)))
        outbox = {
            row.revision: row
            for row in session.exec(
                select(OutboxRow).where(
                    OutboxRow.interview_id == interview_id, OutboxRow.kind == "plan"
                )
            )
            if row.revision is not None
        }
    return PersonData(opened, revisions, history, notes, outbox)


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _stored(value_json: str) -> Any:
    try:
        return json.loads(value_json)
    except ValueError:
        return value_json


def _answers(data: PersonData) -> list[dict[str, Any]]:
    interview, bundle = data.opened.interview, data.opened.bundle
    found = []
    for (question_id, instance), answer in sorted(
        interview.answers().items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
    ):
        item = bundle.items.get(question_id)
        found.append(
            {
                "question": question_id,
                "label": item.label if item else question_id,
                "instance": instance,
                "state": answer.state,
                "value": to_json(answer.value),
                "visible": interview.is_visible(question_id, instance),
            }
        )
    return found


def _plan_entry(data: PersonData, revision: plans.Revision) -> dict[str, Any]:
    from intake_tui.core.export import ExportDocument

    entry: dict[str, Any] = {
        "revision": revision.revision,
        "status": revision.status,
        "dagtekening": revision.dagtekening.isoformat() if revision.dagtekening else None,
    }
    if not revision.document_json:
        sent = data.outbox.get(revision.revision)
        entry["removed"] = True
        entry["removed_at"] = _iso(sent.purged_at) if sent else None
        entry["removed_note"] = _(
            "removed from this laptop after the municipality received it; the central system "
            "of the municipality has it"
        )
        return entry
    document = ExportDocument.model_validate_json(revision.document_json)
    rules = data.opened.bundle.plan
    fields = {}
    for key, field in document.plan.fields.items():
        if field.value is None or field.value == []:
            continue
        override = field.override
        fields[key] = {
            "label": rules.label(key) if isinstance(rules, PlanRules) else key,
            "value": _plain(field.value),
            "reasons": [source.because for source in field.sources],
            "override": None
            if override is None
            else {
                "reason": override.reason,
                "rule_value": _plain(field.rule_value),
                "by": override.by,
                "at": override.at.isoformat(),
            },
        }
    entry["fields"] = fields
    return entry


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [item.model_dump() if hasattr(item, "model_dump") else item for item in value]
    return value


def _history(data: PersonData) -> list[dict[str, Any]]:
    items = data.opened.bundle.items
    return [
        {
            "question": h.question_id,
            "label": items[h.question_id].label if h.question_id in items else h.question_id,
            "instance": h.instance or None,
            "old_state": h.old_state,
            "old_value": _stored(h.old_value_json),
            "new_state": h.new_state,
            "new_value": _stored(h.new_value_json),
            "by": h.actor,
            "at": h.at.isoformat(),
            "undo": h.is_undo,
            "undone": h.undone,
        }
        for h in data.history
    ]


def _recipients(data: PersonData) -> list[dict[str, Any]]:
    """Who received what: each plan revision's record, then each held or missed talk's own
    record (`talk`: its id, `date`: the day it was due; `status`: completed | missed)."""
    statuses = {r.revision: r.status for r in data.revisions}
    found = []
    for number in sorted(data.outbox):
        entry: dict[str, Any] = {
            "recipient": _("central system of the municipality"),
            "revision": number,
            "status": statuses.get(number),
        }
        found.append(_delivery(entry, data.outbox[number]))
    talks = {t["id"]: t for t in data.talks}
    for row in data.talk_outbox:
        talk = talks.get(row.talk_id or "", {})
        entry = {
            "recipient": _("central system of the municipality"),
            "talk": row.talk_id,
            "date": talk.get("due"),
            "status": person_talks.talk_status(row, talk.get("status")),
        }
        if row.purged_at is not None:
            entry["removed_at"] = _iso(row.purged_at)
        found.append(_delivery(entry, row))
    return found


def _delivery(entry: dict[str, Any], row: OutboxRow) -> dict[str, Any]:
    if row.state == "acked":
        receipt = json.loads(row.receipt_json) if row.receipt_json else {}
        entry["state"] = "received"
        entry["received_at"] = _iso(row.acked_at)
        entry["receipt_id"] = receipt.get("receipt_id")
    else:
        entry["state"] = "waiting" if row.state == "pending" else row.state
    return entry


def person_json(data: PersonData) -> bytes:
    """The JSON form: the keys it always had, and the plan, the history and the recipients."""
    summary = data.opened.summary
    document = {
        "schema": "intake-person-export/1",
        "interview_id": summary.id,
        "display_name": summary.client_display_name,
        "language": summary.client_language,
        "created_at": summary.created_at.isoformat(),
        "status": summary.status,
        "answers": _answers(data),
        "notes": [
            {
                "question": n.question_id,
                "instance": n.instance or None,
                "text": n.text,
                "flagged": n.flagged,
            }
            for n in data.notes
        ],
        "plans": [
            {
                "revision": r.revision,
                "status": r.status,
                "dagtekening": r.dagtekening.isoformat() if r.dagtekening else None,
            }
            for r in data.revisions
        ],
        "plan": [_plan_entry(data, r) for r in data.revisions],
        "history": _history(data),
        "answers_kept_aside": list(data.kept_aside),
        "talks": list(data.talks),
        "termijn_extensions": list(data.extensions),
        "followups": [
            {
                "interview_id": f.opened.summary.id,
                "bundle": {"id": f.opened.bundle.id, "version": f.opened.bundle.version},
                "created_at": f.opened.summary.created_at.isoformat(),
                "status": f.opened.summary.status,
                "answers": _answers(f),
                "notes": [
                    {"question": n.question_id, "instance": n.instance or None, "text": n.text}
                    for n in f.notes
                ],
                "history": _history(f),
                "answers_kept_aside": list(f.kept_aside),
            }
            for f in data.followups
        ],
        "recipients": _recipients(data),
        "recipients_note": _(
            "DUO and the case system are not connected yet: nothing is sent there."
        ),
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


# -- the page ---------------------------------------------------------------------------------


def _when(moment: dt.datetime) -> str:
    return f'<span dir="ltr">{escape(moment.strftime("%d-%m-%Y %H:%M"))}</span>'


def _section(columns: list[Column], message: str, **parts: str) -> str:
    return table_row(columns, lambda c: f"<h2>{c.ui_format(message, **parts)}</h2>", "section")


def _question(c: Column, data: PersonData, question_id: str) -> str:
    item = data.opened.bundle.items.get(question_id)
    if item is None:
        return escape(question_id)
    return c.bundle_text(f"question.{question_id}.label", item.label)


def _value(c: Column, data: PersonData, question_id: str, state: str | None, value: Any) -> str:
    """An answer as stored, in the column's words where the bundle has them."""
    if state is None:
        return "—"
    if state == "unknown":
        return c.ui(N_("you did not know"))
    if state == "declined":
        return c.ui(N_("you did not want to answer"))
    if value is None or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(_value(c, data, question_id, state, v) for v in value)
    if isinstance(value, bool):
        return c.ui(N_("yes") if value else N_("no"))
    item = data.opened.bundle.items.get(question_id)
    if item is not None and item.choice_source is not None:
        from intake_tui.i18n import locale_format

        name = (
            locale_format.country_name
            if item.choice_source == "countries"
            else locale_format.language_name
        )
        return escape(name(str(value), c.lang))
    for choice in (item.choices if item is not None else None) or ():
        if choice.value == str(value):
            return c.bundle_text(choice.key, choice.label)
    if item is not None and item.type == "date" and isinstance(value, str):
        try:
            return c.date(dt.date.fromisoformat(value))
        except ValueError:
            pass
    # Free text stays as typed, in whatever language the newcomer used.
    return escape(str(value))


def _answer_rows(
    data: PersonData, columns: list[Column], title: str = N_("Your answers")
) -> list[str]:
    rows = [_section(columns, title)]
    for entry in _answers(data):
        question_id = entry["question"]

        def cell(c: Column, entry: dict[str, Any] = entry, question_id: str = question_id) -> str:
            html = (
                f'<div class="label">{_question(c, data, question_id)}</div>'
                f'<div class="value">'
                f"{_value(c, data, question_id, entry['state'], entry['value'])}</div>"
            )
            if not entry["visible"]:
                html += (
                    f'<div class="reason">{c.ui(N_("not used: the question did not apply"))}</div>'
                )
            return html

        rows.append(table_row(columns, cell, "field"))
    if data.notes:
        rows.append(_section(columns, N_("Notes of the caseworker")))
        for note in data.notes:

            def note_cell(c: Column, note: NoteRow = note) -> str:
                html = (
                    f'<div class="label">{_question(c, data, note.question_id)}</div>'
                    f'<div class="value">{c.dutch(note.text)}</div>'
                )
                if note.flagged:
                    html += f'<div class="reason">{c.ui(N_("marked for follow-up"))}</div>'
                return html

            rows.append(table_row(columns, note_cell, "field"))
    return rows


def _plan_rows(data: PersonData, columns: list[Column]) -> list[str]:
    from intake_tui.core.export import ExportDocument

    rows: list[str] = []
    bundle = data.opened.bundle
    for revision in data.revisions:
        rows.append(
            _section(columns, N_("Plan, version {revision}"), revision=str(revision.revision))
        )
        if not revision.document_json:
            rows.append(
                table_row(
                    columns,
                    lambda c: c.ui(
                        N_(
                            "This version was removed from this laptop after the municipality "
                            "received it; the central system of the municipality has it."
                        )
                    ),
                    "field",
                )
            )
            continue
        document = ExportDocument.model_validate_json(revision.document_json)
        rows += plan_rows(document, bundle, columns)
    return rows


def _history_rows(data: PersonData, columns: list[Column]) -> list[str]:
    if not data.history:
        return []
    rows = [_section(columns, N_("Changes to your answers"))]
    for h in data.history:

        def cell(c: Column, h: AnswerHistoryRow = h) -> str:
            q = h.question_id
            return c.ui_format(
                N_("{when}: {question}: {old} became {new} (by {who})"),
                when=_when(h.at),
                question=_question(c, data, q),
                old=_value(c, data, q, h.old_state, _stored(h.old_value_json)),
                new=_value(c, data, q, h.new_state, _stored(h.new_value_json)),
                who=escape(h.actor),
            )

        rows.append(table_row(columns, cell, "field"))
    return rows


def _recipient_rows(data: PersonData, columns: list[Column]) -> list[str]:
    rows = [_section(columns, N_("Who received your data"))]
    entries = _recipients(data)
    for entry in entries:
        if "talk" in entry:
            rows.append(table_row(columns, person_talks.talk_cell(entry), "field"))
            continue

        def cell(c: Column, entry: dict[str, Any] = entry) -> str:
            revision = escape(str(entry["revision"]))
            row = data.outbox[entry["revision"]]
            if entry["state"] == "received" and row.acked_at is not None:
                return c.ui_format(
                    N_(
                        "Version {revision} of your plan was received by the central system of "
                        "the municipality on {date} (receipt {receipt})."
                    ),
                    revision=revision,
                    date=_when(row.acked_at),
                    receipt=escape(str(entry["receipt_id"] or "—")),
                )
            if entry["state"] == "waiting":
                return c.ui_format(
                    N_(
                        "Version {revision} of your plan is waiting to be sent to the central "
                        "system of the municipality."
                    ),
                    revision=revision,
                )
            return c.ui_format(
                N_(
                    "Version {revision} of your plan was sent to the central system of the "
                    "municipality and was not accepted ({state})."
                ),
                revision=revision,
                state=escape(entry["state"]),
            )

        rows.append(table_row(columns, cell, "field"))
    if not entries:
        rows.append(table_row(columns, lambda c: c.ui(N_("Nothing has been sent to anyone.")), ""))
    rows.append(
        table_row(
            columns,
            lambda c: c.ui(
                N_("DUO and the case system are not connected yet: nothing is sent there.")
            ),
            "field",
        )
    )
    return rows


def person_html(data: PersonData) -> bytes:
    """The page: Dutch beside the newcomer's language (the interview's), everything escaped,
    no scripts and no external resources (core/html_plan.py)."""
    summary = data.opened.summary
    bundle = data.opened.bundle
    columns = plan_columns(bundle, summary.client_language)
    rows = [title_row(columns, TITLE)]
    notice = unreviewed_row(columns, bundle)
    if notice is not None:
        rows.append(notice)

    def facts(c: Column) -> str:
        lines = [
            (N_("Name"), escape(summary.client_display_name)),
            (N_("Date of the intake"), c.date(summary.created_at.date())),
        ]
        return facts_block(c, lines)

    rows.append(table_row(columns, facts, "facts"))
    rows += _answer_rows(data, columns)
    for followup in data.followups:  # each progress conversation, with its own questions
        rows += _answer_rows(followup, columns, N_("Your answers in a progress conversation"))
    rows += _plan_rows(data, columns)
    rows += _history_rows(data, columns)
    rows += _recipient_rows(data, columns)
    return page_html(columns, rows, dutch_text(TITLE)).encode("utf-8")
