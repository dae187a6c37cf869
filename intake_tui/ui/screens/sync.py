"""The sync screen: where each plan revision is on its way to the municipality, and "send now".

It runs the same code as `intake-tui sync` (intake_tui/sync/service.py) in a worker thread, with
a progress bar and a row per record. Nothing is ever deleted from here; a revoked laptop
stops, locks and explains (the app does that, also for the background sync).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, ProgressBar

from intake_tui.i18n import N_, _
from intake_tui.ui.base import AppAccess
from intake_tui.ui.header import IntakeHeader
from intake_tui.ui.keys import LocalizedBindings

if TYPE_CHECKING:
    from intake_tui.store.session import Store
    from intake_tui.sync.service import Summary


def state_names() -> dict[str, str]:
    return {
        "pending": _("waiting"),
        "acked": _("received"),
        "conflict": _("conflict: a person decides"),
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
                col(OutboxRow.interview_id).in_(interview_ids)
            )
        ).all()
    return {(str(i), int(r)): str(state) for i, r, state in rows}


class SyncScreen(AppAccess, LocalizedBindings, Screen[None]):
    """The outbox with its states; s sends now."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Back"), id="sync.back", tooltip=N_("Back to the cases")),
        Binding(
            "s",
            "send",
            N_("Send now"),
            id="sync.send",
            tooltip=N_("Send the waiting plans to the municipality"),
        ),
    ]

    def compose(self) -> ComposeResult:
        yield IntakeHeader()
        with Vertical(id="question-panel"):
            yield Label(_("Sync with the municipality"), classes="title")
            yield Label("", id="sync-state")
            yield ProgressBar(id="sync-progress", show_eta=False)
            yield Label("", id="sync-result")
            table: DataTable[str] = DataTable(id="outbox", cursor_type="row")
            yield table
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#sync-progress", ProgressBar).display = False
        table = self.query_one("#outbox", DataTable)
        table.add_columns(_("Name"), _("Version"), _("Plan"), _("State"), _("Tries"), _("Last"))
        self.refresh_state()

    def refresh_state(self) -> None:
        from sqlmodel import col, select

        from intake_tui.store.models import InterviewRow, OutboxRow, PlanRevisionRow
        from intake_tui.sync import service

        device = service.device(self.store)
        with self.store.session() as session:
            rows = session.exec(
                select(OutboxRow, PlanRevisionRow.status, InterviewRow.client_display_name)
                .join(PlanRevisionRow, col(PlanRevisionRow.id) == OutboxRow.plan_revision_id)
                .join(InterviewRow, col(InterviewRow.id) == OutboxRow.interview_id)
                .order_by(col(OutboxRow.id).desc())
            ).all()
        waiting = sum(1 for row, _s, _n in rows if row.state == "pending")
        if device is None:
            text = _(
                "This laptop is not enrolled with a central server yet, so nothing is sent. "
                "{n} discussed or final plan revisions are kept here, encrypted, until it is "
                "(intake-tui device enrol --server URL --code CODE)."
            ).format(n=waiting)
        elif device.revoked_at is not None:
            text = _(
                "This laptop was revoked by the municipality: nothing is sent, and nothing was "
                "deleted. Ask the functional admin to enrol it again."
            )
        else:
            text = _("Enrolled with {server} as device {id}. {n} waiting.").format(
                server=device.server_url, id=device.device_id, n=waiting
            )
        problem = self.intake.sync_problem
        if problem:
            text += " " + _("The last automatic try did not run: {reason}").format(reason=problem)
        self.query_one("#sync-state", Label).update(text)
        table = self.query_one("#outbox", DataTable)
        table.clear()
        names = state_names()
        plan_names = {"discussed": _("discussed"), "final": _("final")}
        for row, status, name in rows:
            table.add_row(
                name,
                str(row.revision),
                plan_names.get(status, status),
                names.get(row.state, row.state),
                str(row.attempts),
                describe_error(row.last_error),
            )

    def action_send(self) -> None:
        from intake_tui.sync import service

        device = service.device(self.store)
        if device is None or device.revoked_at is not None:
            self.query_one("#sync-result", Label).update(
                _("Nothing can be sent from this laptop now (see above).")
            )
            return
        bar = self.query_one("#sync-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.query_one("#sync-result", Label).update(_("Sending…"))
        self.run_worker(self._send, thread=True, exclusive=True, group="sync")

    def _send(self) -> None:
        from intake_tui.sync import service
        from intake_tui.sync.client import SyncConfigError

        app = self.app
        store = self.store

        def progress(summary: Summary, total: int) -> None:
            done = summary.acked + summary.conflicts + summary.rejected
            app.call_from_thread(self._progress, done, total)

        try:
            summary = service.run_sync(store, ca_file=self.intake.sync_ca_file, progress=progress)
            service.purge_synced(store, self.intake.retention_days)
        except SyncConfigError as error:
            app.call_from_thread(self._finished, None, error.message)
            return
        app.call_from_thread(self._finished, summary, None)

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#sync-progress", ProgressBar).update(total=total, progress=done)

    def _finished(self, summary: Summary | None, error: str | None) -> None:
        result = self.query_one("#sync-result", Label)
        self.query_one("#sync-progress", ProgressBar).display = False
        if summary is None:  # then there is an error
            result.update(error or "")
        elif summary.nothing_to_do:
            result.update(_("Nothing to send."))
        else:
            result.update(
                _(
                    "Received {acked}, still waiting {deferred}, conflicts {conflicts}, "
                    "refused {rejected}."
                ).format(
                    acked=summary.acked,
                    deferred=summary.deferred,
                    conflicts=summary.conflicts,
                    rejected=summary.rejected,
                )
            )
        self.refresh_state()
        if summary is not None and summary.stopped == "revoked":
            self.intake.revoked()

    def action_back(self) -> None:
        self.app.pop_screen()
