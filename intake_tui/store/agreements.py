"""The newcomer's page of agreements until the next conversation (issue 19, item 4).

After a voortgangsgesprek the newcomer takes home what was agreed: one page in Dutch and in
their language, with what, who and by when for each agreement and the date of the next talk.
Its texts come from the follow-up's bundle by role (`agreements`, `agreement`, `agreement_who`,
`agreement_when`, `next_talk_date`: core/roles.py), its layout from the printed plan
(core/html_plan.py): self-contained, escaped, no scripts, right-to-left where the language is.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from intake_tui.core.html_plan import (
    N_,
    Column,
    dutch_text,
    facts_block,
    page_html,
    plan_columns,
    table_row,
    title_row,
    unreviewed_row,
)
from intake_tui.i18n import _
from intake_tui.store import interviews
from intake_tui.store.session import Store, StoreError

TITLE = N_("Our agreements until the next conversation")


def agreements_html(store: Store, followup_id: str) -> bytes:
    """The page for one follow-up conversation (a calm error for an intake)."""
    from intake_tui.store.followups import case_of

    if case_of(store, followup_id) is None:
        with store.session() as session:
            interviews._get(session, followup_id)  # "no interview with id …" when there is none
        raise StoreError(
            _("{id} is an intake, not a follow-up conversation").format(id=followup_id)
        )
    opened = interviews.open_interview(store, followup_id)
    bundle, engine = opened.bundle, opened.interview
    roles = bundle.roles
    columns = plan_columns(bundle, opened.summary.client_language)
    rows = [title_row(columns, TITLE)]
    notice = unreviewed_row(columns, bundle)
    if notice is not None:
        rows.append(notice)
    next_talk = engine.value(roles["next_talk_date"]) if "next_talk_date" in roles else None

    def facts(c: Column) -> str:
        lines = [
            (N_("Name"), escape(opened.summary.client_display_name)),
            (N_("Date of the conversation"), c.date(opened.summary.created_at.date())),
        ]
        if next_talk is not None:
            lines.append((N_("Next conversation"), c.date(next_talk)))
        return facts_block(c, lines)

    rows.append(table_row(columns, facts, "facts"))
    repeat = roles.get("agreements")
    entries = engine.instances(repeat) if repeat is not None else ()
    for entry in entries:
        rows.append(
            table_row(columns, lambda c, entry=entry: _agreement(c, opened, entry), "field")
        )
    if not entries:
        rows.append(table_row(columns, lambda c: c.ui(N_("No agreements were recorded.")), ""))
    title = f"{dutch_text(TITLE)} — {opened.summary.client_display_name}"
    return page_html(columns, rows, title).encode("utf-8")


def _agreement(c: Column, opened: interviews.OpenInterview, entry: str) -> str:
    bundle, engine, roles = opened.bundle, opened.interview, opened.bundle.roles

    def value(role: str) -> object:
        return engine.value(roles[role], entry) if role in roles else None

    what, who, when = value("agreement"), value("agreement_who"), value("agreement_when")
    html = f'<div class="value">{c.dutch(str(what)) if what else "—"}</div>'
    parts = []
    if isinstance(who, str):
        item = bundle.items[roles["agreement_who"]]
        choice = next((ch for ch in item.choices or () if ch.value == who), None)
        label = c.bundle_text(choice.key, choice.label) if choice is not None else escape(who)
        parts.append(c.ui_format(N_("Who: {who}"), who=label))
    if when is not None:
        parts.append(c.ui_format(N_("By: {date}"), date=c.date(when)))  # type: ignore[arg-type]
    if parts:
        html += '<div class="reason">' + " · ".join(parts) + "</div>"
    return html


def write_agreements(store: Store, followup_id: str, out: Path, *, force: bool = False) -> Path:
    """Write the page to `out`, audited like every export (store/exports.py)."""
    from intake_tui.store.exports import _write_audited

    content = agreements_html(store, followup_id)
    _write_audited(
        store,
        out,
        content,
        force=force,
        action="export",
        object_type="agreements",
        object_id=followup_id,
    )
    return out
