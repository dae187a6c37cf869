"""The held and missed talks' own records in a person's export (store/person_export.py): what
each says on the bilingual page, and its status as the JSON gives it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from html import escape
from typing import Any

from intake_tui.core.html_plan import N_, Column
from intake_tui.store.models import OutboxRow


def talk_status(row: OutboxRow, talk_status_now: str | None) -> str | None:
    """completed | missed, as the record's document says; once its content was removed, as
    the talk is now (held: completed)."""
    try:
        return str(json.loads(row.document_json or "")["record"]["status"])
    except (ValueError, KeyError, TypeError):
        return {"held": "completed", "missed": "missed"}.get(talk_status_now or "")


def talk_cell(entry: dict[str, Any]) -> Callable[[Column], str]:
    """A talk's record on the page: received (when, receipt), waiting, or not accepted."""

    def cell(c: Column) -> str:
        date = c.date(dt.date.fromisoformat(entry["date"]) if entry.get("date") else None)
        if entry["state"] == "received":
            return c.ui_format(
                N_(
                    "Your progress conversation of {date} was received by the central system of "
                    "the municipality on {when} (receipt {receipt})."
                ),
                date=date,
                when=_when(dt.datetime.fromisoformat(entry["received_at"])),
                receipt=escape(str(entry["receipt_id"] or "—")),
            )
        if entry["state"] == "waiting":
            return c.ui_format(
                N_(
                    "Your progress conversation of {date} is waiting to be sent to the central "
                    "system of the municipality."
                ),
                date=date,
            )
        return c.ui_format(
            N_(
                "Your progress conversation of {date} was sent to the central system of the "
                "municipality and was not accepted ({state})."
            ),
            date=date,
            state=escape(entry["state"]),
        )

    return cell


def _when(moment: dt.datetime) -> str:
    return f'<span dir="ltr">{escape(moment.strftime("%d-%m-%Y %H:%M"))}</span>'
