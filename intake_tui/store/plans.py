"""The plan's lifecycle: overrides, and draft → discussed → final revisions, frozen for export.

A draft is never stored: it is drafted from the answers and the caseworker's overrides whenever
it is shown, so it always follows the answers. Marking it `discussed` (the PIP-advies, agreed
with the newcomer) or `final` (signed: dagtekening set, DUO's checks pass) freezes it as its
export document in a new revision that names the one before. The termijn of 3 years runs from
the day after the FIRST final revision's dagtekening and never moves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from intake_tui.core.export import ChangeOut, ExportMeta, build_export, export_json
from intake_tui.core.plan import (
    Override,
    Plan,
    Source,
    builtin_source,
    draft_plan,
    duo_block,
    duo_checks,
    duo_facts,
)
from intake_tui.core.plan.compare import Change, changes_since, document_values
from intake_tui.core.plan.duo import Check, is_asylum_permit_holder
from intake_tui.core.plan.fields import FIELDS, FieldValueError, check_value, to_json
from intake_tui.core.plan.legal import Termijn, first_pip_dagtekening
from intake_tui.core.plan.legal import termijn as legal_termijn
from intake_tui.core.plan.legal_rules import (
    final_dates,
    legal_checks,
    legal_facts,
    legal_fields,
    objection_field,
)
from intake_tui.i18n import _
from intake_tui.store import followups, interviews
from intake_tui.store.models import (
    CentralPlanRow,
    OutboxRow,
    PlanOverrideRow,
    PlanRevisionRow,
)
from intake_tui.store.session import Store, StoreError
from intake_tui.sync.protocol import payload_sha256


class PlanNotReady(StoreError):
    """The plan cannot take the next step yet; `checks` and `open_fields` say why."""

    def __init__(self, message: str, checks: list[Check], open_fields: list[str]) -> None:
        super().__init__(message)
        self.checks = checks
        self.open_fields = open_fields


@dataclass(frozen=True)
class Revision:
    interview_id: str
    revision: int
    previous_revision: int | None
    status: str
    dagtekening: dt.date | None
    document_json: str
    document_sha256: str
    created_at: dt.datetime


def _revision(row: PlanRevisionRow) -> Revision:
    return Revision(
        row.interview_id,
        row.revision,
        row.previous_revision,
        row.status,
        row.dagtekening,
        row.document_json,
        row.document_sha256,
        row.created_at,
    )


def set_override(store: Store, interview_id: str, field: str, value: Any, reason: str) -> None:
    """The caseworker's own value for a field; a reason is required (it is shown with it)."""
    if field not in FIELDS:
        raise StoreError(_("unknown plan field {key!r}").format(key=field))
    if not reason.strip():
        raise StoreError(_("a reason is required to change what the rules proposed"))
    if value is not None:
        try:
            value = check_value(field, value)
        except FieldValueError as error:
            raise StoreError(str(error)) from None
    now = store.now()
    with store.session() as session:
        row = session.exec(
            select(PlanOverrideRow).where(
                PlanOverrideRow.interview_id == interview_id, PlanOverrideRow.field == field
            )
        ).first() or PlanOverrideRow(
            interview_id=interview_id, field=field, value_json="", reason="", actor="", at=now
        )
        row.value_json = json.dumps(to_json(value))
        row.reason = reason.strip()
        row.actor = store.actor
        row.at = now
        session.add(row)
        store.audit(session, "plan_override", "plan", f"{interview_id}/{field}")


def clear_override(store: Store, interview_id: str, field: str) -> None:
    with store.session() as session:
        for row in session.exec(
            select(PlanOverrideRow).where(
                PlanOverrideRow.interview_id == interview_id, PlanOverrideRow.field == field
            )
        ):
            session.delete(row)
        store.audit(session, "plan_override", "plan", f"{interview_id}/{field}")


def overrides(store: Store, interview_id: str) -> dict[str, Override]:
    with store.session() as session:
        rows = session.exec(
            select(PlanOverrideRow).where(PlanOverrideRow.interview_id == interview_id)
        ).all()
    return {
        r.field: Override(
            check_value(r.field, json.loads(r.value_json)) if r.value_json != "null" else None,
            r.reason,
            r.actor,
            r.at,
        )
        for r in rows
    }


def draft(store: Store, opened: interviews.OpenInterview, signing: dt.date | None = None) -> Plan:
    """The plan as the rules and the caseworker's overrides make it now, with the facts the law
    fixes (the termijn from the first PIP anywhere, the AOW date, the PIP deadline)."""
    plan = draft_plan(
        opened.interview,
        opened.bundle.plan,
        overrides(store, opened.summary.id),
        contact_defaults(store),
    )
    legal_fields(opened.interview, plan.fields, plan_termijn(store, opened, signing))
    from intake_tui.config import load_settings

    settings = load_settings(store.data_dir.config_path)
    address = " · ".join(a for a in (settings.bezwaar_adres, settings.bezwaar_email) if a)
    objection_field(plan.fields, opened.bundle.plan.objection, settings.gemeente_naam, address)
    return plan


def plan_termijn(
    store: Store, opened: interviews.OpenInterview, signing: dt.date | None = None
) -> Termijn | None:
    """The termijn: from the first PIP anywhere; before any, as if signed on `signing` (or
    today), marked as an estimate."""
    first_here = first_final_dagtekening(revisions(store, opened.summary.id))
    planned = signing or store.clock.today()
    extended = followups.extended_to(store, opened.summary.id)
    return legal_termijn(opened.interview, first_here, planned, extended)


def contact_defaults(store: Store) -> dict[str, tuple[Any, Source]]:
    """The contact person from config.toml ([contact]), else the caseworker who drafts."""
    from intake_tui.config import load_settings

    settings = load_settings(store.data_dir.config_path)
    configured = builtin_source("instelling.contactpersoon")
    if settings.contact_name:
        return {
            "contactpersoon.naam": (settings.contact_name, configured),
            "contactpersoon.email": (settings.contact_email, configured),
            "contactpersoon.telefoon": (settings.contact_phone, configured),
        }
    return {
        "contactpersoon.naam": (
            store.actor,
            builtin_source("instelling.regievoerder"),
        )
    }


def revisions(store: Store, interview_id: str) -> list[Revision]:
    with store.session() as session:
        rows = session.exec(
            select(PlanRevisionRow)
            .where(PlanRevisionRow.interview_id == interview_id)
            .order_by(col(PlanRevisionRow.revision))
        ).all()
    return [_revision(r) for r in rows]


def latest_statuses(store: Store, interview_ids: list[str]) -> dict[str, tuple[int, str]]:
    """interview id → (revision, status) of its latest frozen revision, in one query (the
    cases table asks for a page of 50 at a time)."""
    if not interview_ids:
        return {}
    with store.session() as session:
        rows = session.exec(
            select(  # type: ignore[call-overload]
                PlanRevisionRow.interview_id, PlanRevisionRow.revision, PlanRevisionRow.status
            ).where(col(PlanRevisionRow.interview_id).in_(interview_ids))
        ).all()
    latest: dict[str, tuple[int, str]] = {}
    for interview_id, number, status in rows:
        if interview_id not in latest or number > latest[interview_id][0]:
            latest[interview_id] = (number, status)
    return latest


def latest_frozen(store: Store, interview_id: str) -> Revision | None:
    found = revisions(store, interview_id)
    return found[-1] if found else None


def first_final_dagtekening(found: list[Revision]) -> dt.date | None:
    finals = [r.dagtekening for r in found if r.status == "final" and r.dagtekening]
    return finals[0] if finals else None


def readiness(
    store: Store, opened: interviews.OpenInterview, dagtekening: dt.date | None
) -> tuple[Plan, list[Check]]:
    """The draft plan and DUO's checks for it, as if signed on `dagtekening`."""
    plan = draft(store, opened, dagtekening)
    found = revisions(store, opened.summary.id)
    earlier = [r.dagtekening for r in found if r.status == "final" and r.dagtekening]
    facts = duo_facts(
        opened.interview, dagtekening, earlier_final_dagtekening=max(earlier) if earlier else None
    )
    first = first_pip_dagtekening(opened.interview, first_final_dagtekening(found))
    signing = dagtekening or store.clock.today()
    legal = legal_facts(opened.interview, first, signing, later_pip=bool(earlier))
    return plan, duo_checks(plan, facts) + legal_checks(plan, legal)


def mark_discussed(store: Store, interview_id: str) -> Revision:
    """Freeze the plan as discussed with the newcomer (the PIP-advies)."""
    return _freeze(store, interview_id, "discussed", None)


def mark_final(store: Store, interview_id: str, dagtekening: dt.date) -> Revision:
    """Freeze the plan as final (signed on `dagtekening`); refused while any check fails."""
    return _freeze(store, interview_id, "final", dagtekening)


def _freeze(store: Store, interview_id: str, status: str, dagtekening: dt.date | None) -> Revision:
    opened = interviews.open_interview(store, interview_id)
    if opened.summary.status != "finalized":
        raise StoreError(_("finalize the interview (review the answers) before freezing its plan"))
    plan, checks = readiness(store, opened, dagtekening)
    if status == "final" and dagtekening is not None:
        final_dates(plan.fields, dagtekening)  # the voortgangsgesprekken get their dates
    open_fields = [f.key for f in plan.open_decisions()]
    if status == "final":
        failing = [c for c in checks if not c.ok]
        if failing or open_fields:
            raise PlanNotReady(
                _("the plan cannot be final yet: {reasons}").format(
                    reasons="; ".join(
                        [c.message for c in failing]
                        + [_("{field} needs a decision").format(field=f) for f in open_fields]
                    )
                ),
                failing,
                open_fields,
            )
    found = revisions(store, interview_id)
    previous = found[-1].revision if found else None
    number = (previous or 0) + 1
    # The termijn runs from the first PIP anywhere: an earlier one (another gemeente) or the
    # first final one here; a discussed plan without either has none yet.
    period = plan_termijn(store, opened, dagtekening)
    if period is not None and period.estimated and status != "final":
        period = None
    interpreter = json.loads(_interpreter_json(store, interview_id))
    meta = ExportMeta(
        interview_id=interview_id,
        revision=number,
        previous_revision=previous,
        status=status,  # type: ignore[arg-type]
        frozen_at=store.now(),
        created_at=opened.summary.created_at,
        finalized_at=opened.summary.finalized_at,
        caseworker=store.actor,
        device_id=store.device_id,
        client_language=opened.summary.client_language,
        interpreter_used=bool(interpreter.get("used")),
        interpreter_how=interpreter.get("how"),
        interpreter_language=interpreter.get("language"),
        dagtekening=dagtekening,
        termijn_start=period.start if period else None,
        termijn_end=period.end if period else None,
    )
    asiel = is_asylum_permit_holder(opened.interview)
    block = (
        duo_block(plan, dagtekening, asielstatushouder=asiel)
        if status == "final" and dagtekening
        else None
    )
    # Frozen whole (special-category answers included): what is synced must be complete; a
    # plain file export leaves them out again (see export_document()).
    _since, changed = changes(store, opened, plan)
    document = export_json(
        build_export(
            opened.interview,
            plan,
            meta,
            include_special=True,
            duo=block,
            followups=followups.export_entries(store, interview_id),
            changes=[
                ChangeOut(
                    field=c.key, from_=to_json(c.before), to=to_json(c.after), reason=c.reason
                )
                for c in changed
            ],
        )
    )
    digest = hashlib.sha256(document.encode()).hexdigest()
    row = PlanRevisionRow(
        interview_id=interview_id,
        revision=number,
        previous_revision=previous,
        status=status,
        dagtekening=dagtekening,
        document_json=document,
        document_sha256=digest,
        created_by=store.actor,
        created_at=store.now(),
    )
    with store.session() as session:
        # Inside the write lock: if another app instance froze a revision meanwhile, this one
        # was built on stale facts (number, termijn, checks) and must not be stored.
        latest = session.exec(
            select(PlanRevisionRow.revision)  # type: ignore[call-overload]
            .where(PlanRevisionRow.interview_id == interview_id)
            .order_by(col(PlanRevisionRow.revision).desc())
        ).first()
        if latest != previous:
            raise StoreError(
                _("the plan was changed in another window at the same time; please try again")
            )
        session.add(row)
        central = session.get(CentralPlanRow, interview_id)
        session.flush()  # the row's id, for its outbox entry
        assert row.id is not None
        # The outbox entry in the same transaction: a frozen revision is always on its way to
        # the central system, with the one idempotency key every attempt will carry.
        session.add(
            OutboxRow(
                plan_revision_id=row.id,
                interview_id=interview_id,
                revision=number,
                idempotency_key=str(uuid.uuid4()),
                payload_sha256=payload_sha256(json.loads(document)),
                # The central version the plan screen showed beside this plan, if any: the
                # server refuses a revision that has not seen the newest central edit.
                based_on_version=central.version if central is not None else None,
                created_at=store.now(),
            )
        )
        store.audit(session, f"plan_{status}", "plan", f"{interview_id}/r{number}")
        if status == "final":  # the voortgangsgesprekken it dates become the case's talks
            dates = plan.fields["voortgangsgesprekken"].value or []
            followups.plan_talks(session, store, interview_id, dates)
    return _revision(row)


def _interpreter_json(store: Store, interview_id: str) -> str:
    from intake_tui.store.models import InterviewRow

    with store.session() as session:
        row = session.get(InterviewRow, interview_id)
        return row.interpreter_json if row else "{}"


def changes(
    store: Store, opened: interviews.OpenInterview, plan: Plan
) -> tuple[int | None, list[Change]]:
    """The case's latest final revision, and what `plan` changes against it (None, [] before
    there is one)."""
    finals = [r for r in revisions(store, opened.summary.id) if r.status == "final"]
    if not finals or not finals[-1].document_json:
        return None, []
    final = finals[-1]
    return final.revision, changes_since(plan, document_values(json.loads(final.document_json)))


def extend_termijn(
    store: Store, case_id: str, ground: str, decided_on: dt.date, new_end: dt.date
) -> None:
    """Record DUO's verlenging of the case's termijn: after the end the plan has now (after an
    earlier gemeente's PIP, DUO's registered end or an earlier verlenging, whichever counts).
    Only after a final PIP: before one there is no termijn to extend."""
    opened = interviews.open_interview(store, case_id)
    period = plan_termijn(store, opened)
    if period is None or period.estimated:
        raise StoreError(_("there is no termijn to extend before the first final plan"))
    followups.record_extension(store, case_id, ground, decided_on, new_end, end_so_far=period.end)
