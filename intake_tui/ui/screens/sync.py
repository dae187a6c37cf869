"""The sync screen: where each plan revision is on its way to the municipality, and "send now".

It runs the same code as `intake-tui sync` (intake_tui/sync/service.py) in a worker thread, with
a progress bar and a row per record. Nothing is ever deleted from here; a revoked laptop
stops, locks and explains (the app does that, also for the background sync).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, ProgressBar

from intake_tui.i18n import N_, _
from intake_tui.ui.base import AppAccess
from intake_tui.ui.header import IntakeHeader
from intake_tui.ui.keys import LocalizedBindings
from intake_tui.ui.widgets.sync_outbox import (
    OutboxTable,
    describe_error,
    last_result,
    outbox_records,
    outbox_states,
    state_names,
)

if TYPE_CHECKING:
    from intake_tui.sync.service import Summary

# The cases screen and the tests read these here as well.
__all__ = ["SyncScreen", "describe_error", "outbox_states", "state_names"]


def not_enrolled_text() -> str:
    """Why `s` sends nothing on a laptop that is not enrolled, and how to enrol it."""
    return _(
        "Nothing was sent: this laptop is not enrolled with the municipality's central server "
        "yet. Ask the functional admin for a one-time code, then enrol it on the command line: "
        "intake-tui device enrol --server URL --code CODE. Until then the plans wait here, "
        "encrypted."
    )


def revoked_text() -> str:
    return _(
        "Nothing was sent: the municipality revoked this laptop. Nothing was deleted; ask the "
        "functional admin to enrol it again (intake-tui device enrol --server URL --code CODE)."
    )


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
            yield OutboxTable(id="outbox")
            yield Label("", id="outbox-detail", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#sync-progress", ProgressBar).display = False
        self.refresh_state()

    def refresh_state(self) -> None:
        from intake_tui.sync import service

        device = service.device(self.store)
        records = outbox_records(self.store)
        waiting = sum(1 for record in records if record.state == "pending")
        if device is None:
            text = _(
                "This laptop is not enrolled with a central server yet, so nothing is sent. "
                "{n} records (discussed or final plans, held or missed talks) are kept here, "
                "encrypted, until it is "
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
        self.query_one("#outbox", OutboxTable).show(records)
        self.show_detail()

    def show_detail(self) -> None:
        """The highlighted record's last result in full, with the id the command line takes."""
        record = self.query_one("#outbox", OutboxTable).highlighted_record()
        text = ""
        if record is not None and record.revision is None:  # a talk held or missed
            due = record.talk_due.strftime("%d-%m-%Y") if record.talk_due else "—"
            text = _("{name}, talk of {date} (interview id {id}): {result}").format(
                name=record.name, date=due, id=record.interview_id, result=last_result(record)
            )
        elif record is not None:
            text = _("{name}, version {revision} (interview id {id}): {result}").format(
                name=record.name,
                revision=record.revision,
                id=record.interview_id,
                result=last_result(record),
            )
        self.query_one("#outbox-detail", Label).update(Text(text))  # a name is not markup

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def action_send(self) -> None:
        from intake_tui.sync import service

        device = service.device(self.store)
        if device is None or device.revoked_at is not None:
            text = not_enrolled_text() if device is None else revoked_text()
            self.query_one("#sync-result", Label).update(text)
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
        from intake_tui.sync.service import central_messages

        self.query_one("#sync-progress", ProgressBar).display = False
        if summary is None:  # then there is an error
            lines = [error or ""]
        elif summary.nothing_to_do:
            lines = [_("Nothing to send."), *central_messages(summary)]
        else:
            lines = [
                _(
                    "Received {acked}, still waiting {deferred}, conflicts {conflicts}, "
                    "refused {rejected}."
                ).format(
                    acked=summary.acked,
                    deferred=summary.deferred,
                    conflicts=summary.conflicts,
                    rejected=summary.rejected,
                ),
                *central_messages(summary),
            ]
        self.query_one("#sync-result", Label).update("\n".join(lines))
        self.refresh_state()
        if summary is not None and summary.stopped == "revoked":
            self.intake.revoked()

    def action_back(self) -> None:
        self.app.pop_screen()
