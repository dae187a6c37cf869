"""The outbox as the caseworker sees it: one row per record (a plan revision, or a talk held or
missed) with its last result.

The outbox keeps, per record, its state, how many tries, the last error (language-free: an
HTTP status and code, or the kind of connection error) and the receipt's time; here that
becomes words: received at a time, waiting, not through yet (tried again at the next sync),
refused or in conflict with the reason. Store rows are read into `OutboxRecord`s here, so no
SQLModel row reaches the table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import DataTable

from intake_tui.i18n import _

if TYPE_CHECKING:
    from intake_tui.store.session import Store


def state_names() -> dict[str, str]:
    return {
        "pending": _("waiting"),
        "acked": _("received"),
        "conflict": _("conflict: a person decides"),
        "central_edit": _("edited centrally: see the plan"),
        "rejected": _("refused: kept here"),
    }


def describe_error(error: str | None) -> str:
    """The last error of a record in the caseworker's words (the outbox keeps it language-free:
    an HTTP status and code, or the kind of connection error)."""
    if not error:
        return ""
    status = error.split(" ", 1)[0]
    if not status.isdigit():
        return _("no connection to the server ({reason})").format(reason=error)
    if "without a matching receipt" in error:
        return _("the answer was not a receipt (a Wi-Fi login page?)")
    if "redirect" in error:
        return _("sent elsewhere by the network ({status}); not followed").format(status=status)
    if status in ("408", "425", "429") or status.startswith("5"):
        return _("the server was busy or down ({status})").format(status=status)
    return _("the server refused it ({reason})").format(reason=error)


def outbox_states(store: Store, interview_ids: list[str]) -> dict[tuple[str, int], str]:
    """(interview id, revision) → outbox state, for a page of the cases table (one query)."""
    from sqlmodel import col, select

    from intake_tui.store.models import OutboxRow

    if not interview_ids:
        return {}
    with store.session() as session:
        rows = session.exec(
            select(OutboxRow.interview_id, OutboxRow.revision, OutboxRow.state).where(
                col(OutboxRow.interview_id).in_(interview_ids), OutboxRow.kind == "plan"
            )
        ).all()
    return {(str(i), int(r)): str(state) for i, r, state in rows}


@dataclass(frozen=True)
class OutboxRecord:
    """One record in the outbox, as the sync screen shows it: a plan revision, or a talk
    (`revision` None, `plan_status` "held" or "missed", `talk_due` its date)."""

    interview_id: str
    name: str
    revision: int | None
    plan_status: str  # discussed | final, or for a talk: held | missed
    state: str  # pending | acked | conflict | central_edit | rejected
    attempts: int
    last_error: str | None
    acked_at: dt.datetime | None
    purged_at: dt.datetime | None
    talk_due: dt.date | None = None


def outbox_records(store: Store) -> list[OutboxRecord]:
    """Every outbox record, newest first (one query)."""
    from sqlmodel import col, select

    from intake_tui.store.models import InterviewRow, OutboxRow, PlanRevisionRow, TalkRow

    with store.session() as session:
        rows = session.exec(
            select(  # type: ignore[call-overload]
                OutboxRow,
                PlanRevisionRow.status,
                TalkRow.due,
                TalkRow.missed,
                InterviewRow.client_display_name,
            )
            .outerjoin(PlanRevisionRow, col(PlanRevisionRow.id) == OutboxRow.plan_revision_id)
            .outerjoin(TalkRow, col(TalkRow.id) == OutboxRow.talk_id)
            .join(InterviewRow, col(InterviewRow.id) == OutboxRow.interview_id)
            .order_by(col(OutboxRow.id).desc())
        ).all()
    return [
        OutboxRecord(
            interview_id=row.interview_id,
            name=name,
            revision=row.revision,
            plan_status=status if row.kind == "plan" else ("missed" if missed else "held"),
            state=row.state,
            attempts=row.attempts,
            last_error=row.last_error,
            acked_at=row.acked_at,
            purged_at=row.purged_at,
            talk_due=due if row.kind == "followup" else None,
        )
        for row, status, due, missed, name in rows
    ]


def _moment(when: dt.datetime) -> str:
    # The store gives UTC; the screen shows the laptop's local time (a naive one is taken as
    # it is).
    local = when.astimezone() if when.tzinfo is not None else when
    return local.strftime("%d-%m-%Y %H:%M")


def last_result(record: OutboxRecord) -> str:
    """What happened to this record the last time, in the caseworker's words."""
    reason = describe_error(record.last_error)
    if record.state == "acked":
        text = (
            _("received {when}").format(when=_moment(record.acked_at))
            if record.acked_at is not None
            else _("received")
        )
        if record.purged_at is not None:
            text += "; " + _("content removed {when}").format(when=_moment(record.purged_at))
        return text
    if record.state == "conflict":
        return _("conflict ({reason}): a person decides").format(
            reason=reason or _("another version")
        )
    if record.state == "central_edit":
        return _(
            "not sent: the plan was edited centrally. The plan screen shows the edit; the next "
            "version you make takes its place"
        )
    if record.state == "rejected":
        return _("refused ({reason}): kept here").format(reason=reason or _("no reason given"))
    if record.attempts == 0:
        return _("waiting: not sent yet")
    if reason:
        return _("not through yet: {reason}; tried again at the next sync").format(reason=reason)
    return _("waiting: tried again at the next sync")


class OutboxTable(DataTable[str]):
    """The outbox, newest first: name, version, plan, state, tries and the last result."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        self.records: list[OutboxRecord] = []

    def show(self, records: list[OutboxRecord]) -> None:
        self.records = records
        self.clear()
        if not self.columns:
            self.add_columns(
                _("Name"), _("Version"), _("Plan"), _("State"), _("Tries"), _("Last result")
            )
        plan_names = {
            "discussed": _("discussed"),
            "final": _("final"),
            "held": _("talk held"),
            "missed": _("talk missed"),
        }
        names = state_names()
        for record in records:
            self.add_row(
                Text(record.name),  # a name as written: "[" is no markup
                str(record.revision) if record.revision is not None else "—",
                plan_names.get(record.plan_status, record.plan_status),
                names.get(record.state, record.state),
                str(record.attempts),
                Text(last_result(record)),
            )

    def highlighted_record(self) -> OutboxRecord | None:
        if self.records and 0 <= self.cursor_row < len(self.records):
            return self.records[self.cursor_row]
        return None
