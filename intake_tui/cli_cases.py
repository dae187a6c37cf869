"""`intake-tui cases list [--json]`: every case on this laptop, as a table or as JSON.

The JSON objects hold `id`, `name`, `status` (`in_progress` | `finalized`, as stored and
exported; `received` for a case handed over to this laptop, of which only the plan is here),
`plan_status` (`discussed` | `final`, the status of the latest frozen plan revision
as in the export's `record.status`; null while the plan is still a draft), `pip_due` (ISO date,
10 weeks after DUO's notice; null without a notice date) and `updated_at` (ISO date and time).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from intake_tui.i18n import _
from intake_tui.store import followups, interviews, plans
from intake_tui.store.session import Store

PAGE = 200


def case_rows(store: Store) -> list[dict[str, Any]]:
    """Every case (all pages), by name, as the objects `cases list --json` prints."""
    summaries: list[interviews.InterviewSummary] = []
    page = 0
    while True:
        found = interviews.list_interviews(store, page=page, page_size=PAGE, order="name")
        summaries.extend(found.items)
        if not found.items or len(summaries) >= found.total:
            break
        page += 1
    latest = plans.latest_statuses(store, [s.id for s in summaries])
    talks = followups.next_due(store, [s.id for s in summaries])
    rows = []
    for summary in summaries:
        revision = latest.get(summary.id)
        rows.append(
            {
                "id": summary.id,
                "name": summary.client_display_name,
                "status": summary.status,
                "plan_status": revision[1] if revision else None,
                "pip_due": _iso(summary.pip_due),
                "next_talk_due": _iso(talks.get(summary.id)),
                "updated_at": _iso(summary.updated_at),
            }
        )
    return rows + received_rows(store)


def received_rows(store: Store) -> list[dict[str, Any]]:
    """The cases handed over to this laptop (their plan only), after the laptop's own."""
    from intake_tui.store import central_plans
    from intake_tui.sync.bundles import installed_bundle_dirs

    search = installed_bundle_dirs(store.data_dir.root)
    rows = []
    for case in central_plans.received_cases(store):
        bundle = central_plans.bundle_of(store, case.document, search)
        rows.append(
            {
                "id": case.interview_id,
                "name": central_plans.display_name(case.document, bundle),
                "status": "received",
                "plan_status": case.document.get("record", {}).get("status"),
                "pip_due": None,
                "next_talk_due": None,
                "updated_at": _iso(case.received_at),
            }
        )
    return rows


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def as_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)


def as_table(rows: list[dict[str, Any]]) -> str:
    """A plain table with the same words as the cases screen; dates as YYYY-MM-DD."""
    status_text = {
        "in_progress": _("in progress"),
        "finalized": _("finalized"),
        "received": _("handed over (plan only)"),
    }
    plan_text = {"discussed": _("discussed"), "final": _("final")}
    header = [_("ID"), _("Name"), _("Status"), _("Plan"), _("PIP due"), _("Last change")]
    lines = [header]
    for row in rows:
        updated = row["updated_at"] or ""
        lines.append(
            [
                row["id"],
                row["name"],
                status_text.get(row["status"], row["status"]),
                plan_text.get(row["plan_status"], _("draft")),
                row["pip_due"] or "—",
                updated[:16].replace("T", " "),
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def migrate(store: Store, interview_id: str, version: str | None, *, dry_run: bool) -> str:
    """`cases migrate`: what moves and what is kept aside, then the move (unless a dry run)."""
    from intake_tui.store import interviews, migration
    from intake_tui.sync.bundles import installed_bundle_dirs

    current = interviews.open_interview(store, interview_id).bundle
    candidates = migration.newer_versions(current, installed_bundle_dirs(store.data_dir.root))
    target = migration.pick(candidates, version)
    found = migration.plan(store, interview_id, target)
    lines = [migration.summary(found, current)]
    if dry_run:
        lines.append(_("Nothing was changed (--dry-run)."))
        return "\n".join(lines)
    migration.move(store, interview_id, target)
    lines.append(_("Moved to {id} {version}.").format(id=target.id, version=target.version))
    return "\n".join(lines)
