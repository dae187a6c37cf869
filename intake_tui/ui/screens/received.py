"""Cases handed over to this laptop (`intake-central transfer`), as sync fetched them: a list,
and each one's plan to read. They are the plan documents the central system sent; there is no
interview of them on this laptop, so nothing here can be changed (docs/decisions.md says why,
and what comes with follow-up conversations).

Enter opens the selected case's plan; Escape goes back. Names and plans are shown as the
documents hold them, wrapped, never cut.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from intake_tui.i18n import N_, _, current_language
from intake_tui.ui.base import AppAccess
from intake_tui.ui.header import IntakeHeader
from intake_tui.ui.keys import LocalizedBindings, screen_first


def _search_dirs(app: Any) -> list[Any]:
    from intake_tui.sync.bundles import installed_bundle_dirs

    return installed_bundle_dirs(app.store.data_dir.root)


class ReceivedScreen(AppAccess, LocalizedBindings, Screen[None]):
    """The list of cases handed over to this laptop."""

    BINDINGS: ClassVar[list[BindingType]] = screen_first(
        [
            Binding("enter", "open", N_("Open"), id="received.open", tooltip=N_("Read the plan")),
            Binding("escape", "back", N_("Back"), id="received.back", tooltip=N_("Back")),
        ]
    )

    def compose(self) -> ComposeResult:
        yield IntakeHeader()
        yield Label(_("Cases handed over to this laptop"), classes="title")
        yield Label(
            _(
                "The municipality moved these cases to this laptop; sync fetched their latest "
                "plan. You can read them here; they cannot be changed on this laptop yet."
            ),
            id="received-hint",
            classes="hint",
        )
        yield OptionList(id="received")
        yield Footer()

    def on_mount(self) -> None:
        from intake_tui.store import central_plans
        from intake_tui.ui.widgets.review_row import HangingRow

        self.cases = central_plans.received_cases(self.store)
        listing = self.query_one("#received", OptionList)
        statuses = {"discussed": _("discussed"), "final": _("final")}
        search = _search_dirs(self.app)
        for index, case in enumerate(self.cases):
            bundle = central_plans.bundle_of(self.store, case.document, search)
            name = central_plans.display_name(case.document, bundle) or "—"
            record = case.document.get("record", {})
            received = case.received_at.strftime("%d-%m-%Y")
            detail = _("{status}, revision {n} · received {date} · id {id}").format(
                status=statuses.get(record.get("status"), record.get("status") or "—"),
                n=record.get("revision", "—"),
                date=received,
                id=case.interview_id,
            )
            listing.add_option(Option(HangingRow(f"{name}  ", detail), id=f"c{index}"))
        if not self.cases:
            listing.add_option(
                Option(_("No cases were handed over to this laptop."), disabled=True)
            )
        listing.focus()

    def action_open(self) -> None:
        listing = self.query_one("#received", OptionList)
        if not self.cases:
            return
        case = self.cases[listing.highlighted or 0]
        self.app.push_screen(ReceivedPlanScreen(case))

    def on_option_list_option_selected(self, _event: OptionList.OptionSelected) -> None:
        self.action_open()

    def action_back(self) -> None:
        self.app.pop_screen()


class ReceivedPlanScreen(AppAccess, LocalizedBindings, Screen[None]):
    """One handed-over case's plan, read only."""

    BINDINGS: ClassVar[list[BindingType]] = screen_first(
        [Binding("escape", "back", N_("Back"), id="received_plan.back", tooltip=N_("Back"))]
    )

    def __init__(self, case: Any) -> None:
        super().__init__()
        self.case = case

    def compose(self) -> ComposeResult:
        yield IntakeHeader()
        yield Label("", id="received-title", classes="title")
        yield OptionList(id="received-plan")
        yield Footer()

    def on_mount(self) -> None:
        from intake_tui.store import central_plans
        from intake_tui.ui.widgets.plan_lines import PlanTexts, document_lines

        bundle = central_plans.bundle_of(self.store, self.case.document, _search_dirs(self.app))
        name = central_plans.display_name(self.case.document, bundle) or self.case.interview_id
        self.query_one("#received-title", Label).update(
            Text(
                _("Plan of {name} — as the central system has it (version {n}), read only").format(
                    name=name, n=self.case.version
                )
            )
        )
        listing = self.query_one("#received-plan", OptionList)
        texts = PlanTexts(bundle, current_language())
        for line in document_lines(self.case.document, texts):
            listing.add_option(Option(line.prompt, disabled=line.heading))
        listing.focus()

    def action_back(self) -> None:
        self.app.pop_screen()
