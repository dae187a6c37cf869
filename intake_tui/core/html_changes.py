"""What changed since the previous final plan, on the printed page (PIP bijstellen, issue 19):
each changed field with its value before and now, and why - the rule's reason (translated) or
the caseworker's own words (Dutch, marked in the other column). Values compared in the export
document's JSON form; the dates a revision gets when it is signed are not a change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from intake_tui.core.export_model import ExportDocument, SourceOut
from intake_tui.core.html_plan import N_, Column, table_row
from intake_tui.core.plan.compare import DATED_AT_SIGNING
from intake_tui.core.plan.fields import FIELDS


@dataclass(frozen=True)
class PrintedChange:
    key: str
    before: Any
    after: Any
    rule: SourceOut | None  # the rule's reason, when a rule changed it
    words: str | None  # the caseworker's reason, when they changed it by hand


def printed_changes(now: ExportDocument, before: ExportDocument) -> list[PrintedChange]:
    """The fields of `now` whose value differs from `before`, in the order of the registry."""
    found = []
    for key in FIELDS:
        if key in DATED_AT_SIGNING:
            continue
        new, old = now.plan.fields.get(key), before.plan.fields.get(key)
        after = new.value if new is not None else None
        earlier = old.value if old is not None else None
        if ((after in (None, [])) and (earlier in (None, []))) or after == earlier:
            continue
        override = new.override if new is not None else None
        rule = new.sources[0] if new is not None and new.sources and override is None else None
        words = override.reason if override is not None else None
        found.append(PrintedChange(key, earlier, after, rule, words))
    return found


def change_rows(
    columns: Sequence[Column], since: int, changes: Sequence[PrintedChange]
) -> list[str]:
    """The rows of the page that say what changed since version `since`."""
    rows = [
        table_row(
            columns,
            lambda c: (
                "<h2>" + c.ui_format(N_("What changed since version {n}"), n=str(since)) + "</h2>"
            ),
            "section",
        )
    ]
    for change in changes:

        def cell(c: Column, change: PrintedChange = change) -> str:
            shown = c.ui_format(
                N_("was: {before} · now: {after}"),
                before=c.value(change.key, change.before),
                after=c.value(change.key, change.after),
            )
            html = f'<div class="label">{c.label(change.key)}</div><div class="value">{shown}</div>'
            why = c.reason(change.rule) if change.rule is not None else None
            if change.words is not None:
                why = c.dutch(change.words)
            if why:
                html += (
                    f'<div class="reason"><span class="why">{c.ui(N_("Why:"))}</span> {why}</div>'
                )
            return html

        rows.append(table_row(columns, cell, "field"))
    return rows
