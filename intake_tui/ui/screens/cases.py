"""The cases: a searchable table of interviews, newest change first; Enter opens one.

Only a page of rows is loaded at a time (the store pages and searches in SQL), so the table
stays fast with thousands of cases.

An overdue PIP is marked by a sign in front of its date (the summary says what it means), not
only by colour. "PIP due within
14 days" means not yet overdue (overdue is a filter and a count of its own), in the summary and
in the filter alike (`interviews.Counts.due_soon`). The keyboard lands in the table on every
return to this screen, so `/` searches instead of typing a "/"; Enter in the search box opens the
selected case. The palette opens a case by name or id (`palette.CaseProvider`). Under the table,
the selected case's interview id in full: the id `intake-tui cases list` prints and `export ID`
takes, and its next talk (a voortgangsgesprek of its final plan; one query per page, never per
row), with the overdue sign when it is overdue. The filter has "talk overdue" and the summary
counts those cases (`followups.overdue_cases`, in SQL like the other filters). `t` opens the
selected case's timeline (intake, plan revisions, talks).

The footer shows only what matters most, so that it fits 80 columns in Dutch without cutting:
search and a new intake (Enter opens the selected case), besides the app's help, lock, quit and
command palette. F1 help and the palette list every key, the ones with `show=False` included.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label

from intake_tui.i18n import N_, _
from intake_tui.ui.base import AppAccess
from intake_tui.ui.header import IntakeHeader
from intake_tui.ui.keys import LocalizedBindings, screen_first
from intake_tui.ui.palette import CaseProvider
from intake_tui.ui.widgets.cases_detail import OVERDUE_SIGN, CaseDetail

if TYPE_CHECKING:
    from intake_tui.store.interviews import InterviewSummary

PAGE_SIZE = 50
DUE_SOON_DAYS = 14


def _date(day: dt.date | dt.datetime | None) -> str:
    return day.strftime("%d-%m-%Y") if day is not None else "—"


class CasesScreen(AppAccess, LocalizedBindings, Screen[None]):
    """All interviews on this laptop."""

    BINDINGS: ClassVar[list[BindingType]] = screen_first(
        [
            Binding(
                "/", "search", N_("Search"), id="cases.search", tooltip=N_("Search by name or id")
            ),
            Binding(
                "enter", "open", N_("Open"), id="cases.open", tooltip=N_("Open the selected case")
            ),
            Binding("n", "new", N_("New intake"), id="cases.new", tooltip=N_("Start a new intake")),
            Binding(
                "f",
                "filter",
                N_("Filter"),
                id="cases.filter",
                tooltip=N_("All, in progress, finalized, PIP due soon, overdue, talk overdue"),
                show=False,
            ),
            Binding(
                "t",
                "timeline",
                N_("Timeline"),
                id="cases.timeline",
                tooltip=N_("The case's intake, plan revisions and talks"),
                show=False,
            ),
            Binding(
                "delete",
                "delete",
                N_("Delete draft"),
                id="cases.delete",
                tooltip=N_("Erase a draft case (asks first)"),
                show=False,
            ),
            Binding(
                "f9",
                "settings",
                N_("Settings"),
                id="cases.settings",
                tooltip=N_("Theme, lock time, language"),
                show=False,
            ),
            Binding(
                "s",
                "sort",
                N_("Sort"),
                id="cases.sort",
                tooltip=N_("Last change, name, PIP due date, newest case"),
                show=False,
            ),
            Binding(
                "f8",
                "sync",
                N_("Sync"),
                id="cases.sync",
                tooltip=N_("Sync with the municipality"),
            ),
            Binding(
                "h",
                "received",
                N_("Handed over"),
                id="cases.received",
                tooltip=N_("Cases handed over to this laptop by the municipality"),
                show=False,
            ),
            Binding("pagedown", "next_page", N_("Next page"), id="cases.next", show=False),
            Binding(
                "pageup", "previous_page", N_("Previous page"), id="cases.previous", show=False
            ),
        ]
    )

    FILTERS = ("all", "in_progress", "finalized", "due_soon", "overdue", "talk_overdue")
    COMMANDS: ClassVar[set[Any]] = {CaseProvider}
    AUTO_FOCUS = "#cases"

    # Keys the search box types itself while it has the focus (the others work from anywhere).
    TYPED_IN_SEARCH = frozenset(
        {"search", "open", "new", "filter", "sort", "delete", "received", "timeline"}
    )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in self.TYPED_IN_SEARCH and isinstance(self.focused, Input))

    def __init__(self) -> None:
        super().__init__()
        self.filter = "all"
        self.order = "changed"
        self.page = 0
        self.total = 0
        self.row_ids: list[str] = []
        self.next_talks: dict[str, dt.date] = {}
        self.mounted_now = False

    def compose(self) -> ComposeResult:
        yield IntakeHeader()
        yield Input(placeholder=_("Search (name or id)…"), id="search")
        yield Label("", id="summary", classes="hint")
        table: DataTable[str] = DataTable(id="cases", cursor_type="row", zebra_stripes=True)
        yield table
        yield CaseDetail(id="case-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.count_cases()
        self.relabel()
        self.query_one("#cases", DataTable).focus()
        self.mounted_now = True  # the resume that follows the mount has nothing new to show

    def count_cases(self) -> None:
        """The summary's counts (in progress, finalized, PIP overdue and due soon, talks overdue,
        handed over): counted when the screen comes up or comes back and after an erasure, not
        on every keystroke of a search, a page or a change of filter or order, which change
        none of them (a new case, an answer, a plan or a sync happen on other screens)."""
        from intake_tui.store import central_plans, followups, interviews

        today = self.intake.clock.today()
        self.handed_over = central_plans.received_count(self.store)
        self.counts = interviews.case_counts(self.store, today)
        self.talks_overdue = followups.overdue_count(self.store, today)

    def relabel(self) -> None:
        """Column names and rows in the current UI language (also after a change of it)."""
        self.query_one("#search", Input).placeholder = _("Search (name or id)…")
        table = self.query_one("#cases", DataTable)
        table.clear(columns=True)
        table.add_columns(
            _("Name"), _("Status"), _("Plan"), _("Sync state"), _("PIP due"), _("Last change")
        )
        self.refresh_rows()

    def rows_for_page(self, query: str, today: dt.date) -> tuple[list[InterviewSummary], int]:
        """The interviews of this page under the filter and search, and how many in all."""
        from intake_tui.store import interviews

        statuses = [self.filter] if self.filter in ("in_progress", "finalized") else None
        if self.filter == "talk_overdue":
            from intake_tui.store import followups

            talk_page = followups.overdue_cases(
                self.store, today, query, self.page, page_size=PAGE_SIZE, order=self.order
            )
            return talk_page.items, talk_page.total
        due_by = {
            "due_soon": today + dt.timedelta(days=DUE_SOON_DAYS),
            "overdue": today - dt.timedelta(days=1),
        }.get(self.filter)
        if self.filter != "due_soon":
            page = interviews.list_interviews(
                self.store,
                query,
                self.page,
                page_size=PAGE_SIZE,
                statuses=statuses,
                due_by=due_by,
                order=self.order,
            )
            return page.items, page.total
        # Due within 14 days and not yet overdue, as the summary counts them: the store lists
        # everything due by then, the overdue ones are left out here (a short list: only cases
        # without a final plan whose PIP falls due within two weeks or has).
        found: list[InterviewSummary] = []
        number = 0
        while True:
            page = interviews.list_interviews(
                self.store, query, number, page_size=500, due_by=due_by, order=self.order
            )
            found.extend(s for s in page.items if s.pip_due is not None and s.pip_due >= today)
            number += 1
            if number * 500 >= page.total:
                break
        start = self.page * PAGE_SIZE
        return found[start : start + PAGE_SIZE], len(found)

    def refresh_rows(self) -> None:
        from intake_tui.store import followups, plans

        query = self.query_one("#search", Input).value
        today = self.intake.clock.today()
        items, self.total = self.rows_for_page(query, today)
        table = self.query_one("#cases", DataTable)
        table.clear()
        self.row_ids = []
        status_text = {"in_progress": _("in progress"), "finalized": _("finalized")}
        from intake_tui.ui.widgets.sync_outbox import outbox_states, state_names

        page_ids = [s.id for s in items]
        sync_states = outbox_states(self.store, page_ids)
        latest = plans.latest_statuses(self.store, page_ids)
        self.next_talks = followups.next_due(self.store, page_ids)
        sync_names = state_names()
        overdue_rows = 0
        for summary in items:
            revision = latest.get(summary.id)  # (number, status) or None
            plan = (
                {"discussed": _("discussed"), "final": _("final")}.get(revision[1], "—")
                if revision
                else _("draft")
            )
            # Where the latest frozen revision is on its way to the municipality.
            sync = (
                sync_names.get(sync_states.get((summary.id, revision[0]), ""), "—")
                if revision
                else "—"
            )
            final = revision is not None and revision[1] == "final"
            # An overdue PIP: a sign in front of its date, not only a colour (colour-blind,
            # monochrome, NO_COLOR); the summary says what it means.
            late = summary.pip_due is not None and summary.pip_due < today and not final
            overdue_rows += late
            table.add_row(
                Text(summary.client_display_name),  # a name as written: "[" is no markup
                status_text.get(summary.status, summary.status),
                plan,
                sync,
                f"{OVERDUE_SIGN} {_date(summary.pip_due)}" if late else _date(summary.pip_due),
                _date(summary.updated_at),
                key=summary.id,
            )
            self.row_ids.append(summary.id)
        first = self.page * PAGE_SIZE + (1 if items else 0)
        last = self.page * PAGE_SIZE + len(items)
        counts = self.counts
        names = {
            "all": _("all cases"),
            "in_progress": _("in progress"),
            "finalized": _("finalized"),
            "due_soon": _("PIP due within 14 days"),
            "overdue": _("PIP overdue"),
            "talk_overdue": _("talk overdue"),
        }
        orders = {
            "changed": _("last change"),
            "name": _("name"),
            "due": _("PIP due date"),
            "created": _("newest case"),
        }
        summary_text = _(
            "{first}–{last} of {total} ({filter}, by {order}) · {open} in progress, "
            "{done} finalized, {overdue} overdue, {soon} due within 14 days"
        ).format(
            order=orders[self.order],
            first=first,
            last=last,
            total=self.total,
            filter=names[self.filter],
            open=counts.in_progress,
            done=counts.finalized,
            overdue=counts.overdue,
            soon=counts.due_soon,
        )
        summary_text += " · " + _("{n} with a talk overdue").format(n=self.talks_overdue)
        if overdue_rows:
            summary_text += " · " + _("{sign} = PIP overdue").format(sign=OVERDUE_SIGN)
        if self.handed_over:
            summary_text += " · " + _("{n} handed over to this laptop (h)").format(
                n=self.handed_over
            )
        if not items and query.strip():
            summary_text = (
                _("No case matches “{query}”.").format(query=query.strip()) + " " + summary_text
            )
        elif not items:
            summary_text = _("No cases here.") + " " + summary_text
        self.query_one("#summary", Label).update(Text(summary_text))
        self.show_selected()

    def show_selected(self) -> None:
        """The case under the cursor, with its interview id, under the table."""
        table = self.query_one("#cases", DataTable)
        row = table.cursor_row
        if self.row_ids and 0 <= row < len(self.row_ids):
            name = str(table.get_row_at(row)[0])
            case_id = self.row_ids[row]
            self.query_one(CaseDetail).show_case(
                name, case_id, self.next_talks.get(case_id), self.intake.clock.today()
            )
        else:
            self.query_one(CaseDetail).show_case(None, None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_selected()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self.page = 0
            self.refresh_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter after a search (or after Tab into the search box) opens the selected case at
        # once; with nothing found, the keys stay in the search box to try again.
        if self.row_ids:
            self.query_one("#cases", DataTable).focus()
            self.action_open()

    def action_search(self) -> None:
        self.set_focus(self.query_one("#search", Input))  # at once: the next key is typed there

    def action_next_page(self) -> None:
        if (self.page + 1) * PAGE_SIZE < self.total:
            self.page += 1
            self.refresh_rows()

    def action_previous_page(self) -> None:
        if self.page > 0:
            self.page -= 1
            self.refresh_rows()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_case(str(event.row_key.value))

    def action_open(self) -> None:
        table = self.query_one("#cases", DataTable)
        if self.row_ids and 0 <= table.cursor_row < len(self.row_ids):
            self.open_case(self.row_ids[table.cursor_row])

    def action_sort(self) -> None:
        from intake_tui.store.interviews import ORDERS

        self.order = ORDERS[(ORDERS.index(self.order) + 1) % len(ORDERS)]
        self.page = 0
        self.refresh_rows()

    def action_filter(self) -> None:
        self.filter = self.FILTERS[(self.FILTERS.index(self.filter) + 1) % len(self.FILTERS)]
        self.page = 0
        self.refresh_rows()

    def action_delete(self) -> None:
        from intake_tui.store import interviews
        from intake_tui.store.session import StoreError
        from intake_tui.ui.screens.dialogs import ConfirmScreen

        table = self.query_one("#cases", DataTable)
        if not self.row_ids or not 0 <= table.cursor_row < len(self.row_ids):
            return
        interview_id = self.row_ids[table.cursor_row]
        name = str(table.get_row_at(table.cursor_row)[0])

        def done(yes: bool | None) -> None:
            if not yes:
                return
            try:
                interviews.delete_draft(self.store, interview_id)
            except StoreError as error:
                self.notify(error.message, severity="warning")
                return
            self.count_cases()
            self.refresh_rows()

        self.app.push_screen(
            ConfirmScreen(
                _(
                    "Erase the draft case {name} with all its answers and notes? This cannot "
                    "be undone."
                ).format(name=name),
                _("Erase"),
            ),
            done,
        )

    def action_timeline(self) -> None:
        from intake_tui.ui.screens.timeline import TimelineScreen

        table = self.query_one("#cases", DataTable)
        if self.row_ids and 0 <= table.cursor_row < len(self.row_ids):
            self.app.push_screen(TimelineScreen(self.row_ids[table.cursor_row]))

    def action_settings(self) -> None:
        from intake_tui.ui.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen())

    def action_received(self) -> None:
        from intake_tui.ui.screens.received import ReceivedScreen

        self.app.push_screen(ReceivedScreen())

    def action_sync(self) -> None:
        from intake_tui.ui.screens.sync import SyncScreen

        self.app.push_screen(SyncScreen())

    def action_new(self) -> None:
        from intake_tui.ui.screens.new_intake import NewIntakeScreen

        self.app.push_screen(NewIntakeScreen())

    def on_screen_resume(self) -> None:
        # Back from an interview, the sync screen, the settings: show the new states. Not while
        # locking (no store then). The keys go to the table again, not to the search box.
        if self.mounted_now:  # Textual resumes a screen when it is first shown, too
            self.mounted_now = False
            return
        if self.is_mounted and self.intake.store is not None:
            self.count_cases()
            self.refresh_rows()
            self.query_one("#cases", DataTable).focus()

    def open_case(self, interview_id: str) -> None:
        from intake_tui.ui.screens.interview import InterviewScreen

        self.app.push_screen(InterviewScreen(interview_id))
