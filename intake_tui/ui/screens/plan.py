"""The draft PIP: every field with its value and the reason; DUO's checks; discussed and final.

Each line says what the rules proposed and why, or what the caseworker chose instead and
why. `d` freezes the plan as discussed with the newcomer, `f` as final (signed today), `e`
writes the latest frozen revision as JSON and as the bilingual HTML page.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from intake_tui.core.plan.fields import FIELDS, Goal
from intake_tui.i18n import N_, _, current_language
from intake_tui.ui.base import AppAccess
from intake_tui.ui.header import IntakeHeader
from intake_tui.ui.keys import LocalizedBindings, screen_first


def parse_plan_value(key: str, text: str, labels: Mapping[str, str] | None = None) -> Any:
    """A caseworker's typed value for a plan field (the store checks it against the type).

    A code may be typed as its label too (`labels`: code -> label, as the plan shows it)."""
    spec = FIELDS[key]
    by_label = {label.casefold(): code for code, label in (labels or {}).items()}
    if spec.is_list:
        parts = [part.strip() for part in text.split(",") if part.strip()]
        return [by_label.get(part.casefold(), part) for part in parts]
    lowered = text.strip().casefold()
    if lowered in by_label:
        return by_label[lowered]
    if spec.type is bool:
        return lowered in {"ja", "yes", "j", "y", "true", "1"}
    if spec.type is int:
        return int(lowered) if lowered.lstrip("-").isdigit() else text
    if spec.type is dt.date:
        from intake_tui.core.values import ValueProblem, parse_date

        try:
            return parse_date(text)
        except ValueProblem:
            return text
    return text.strip()


# Fields the plan works out itself (dates, the termijn's source, DUO's answers, the bezwaar
# text): not offered under "Empty field" (the store would take them; the printed plan would lie).
NOT_SET_BY_HAND = frozenset(
    {
        "pip_uiterlijk",
        "voortgangsgesprekken",
        "voortgangsgesprekken.schema",
        "termijn_bron",
        "aow_datum",
        "aow_binnen_termijn",
        "vrijstelling.duo",
        "verlenging.gronden",
        "bezwaar.clausule",
        "bezwaar.gemeente",
        "bezwaar.adres",
    }
)


class PlanScreen(AppAccess, LocalizedBindings, Screen[None]):
    """The plan of one interview."""

    BINDINGS: ClassVar[list[BindingType]] = screen_first(
        [
            Binding(
                "d",
                "discussed",
                N_("Discussed"),
                id="plan.discussed",
                tooltip=N_("Mark the plan as discussed with the newcomer"),
            ),
            Binding(
                "f",
                "final",
                N_("Final"),
                id="plan.final",
                tooltip=N_("Make the plan final, signed today"),
            ),
            Binding(
                "e",
                "export",
                N_("Export"),
                id="plan.export",
                tooltip=N_("Write the plan as JSON and HTML"),
            ),
            Binding(
                "o",
                "override",
                N_("Change"),
                id="plan.override",
                tooltip=N_("Choose another value for the selected field, with a reason"),
            ),
            Binding(
                "n",
                "set_empty",
                N_("Empty field"),
                id="plan.set_empty",
                tooltip=N_("Give a value, with a reason, to a plan field that has none yet"),
                show=False,  # 80 columns: F1 and the palette list it
            ),
            Binding(
                "a",
                "inputs",
                N_("Answers"),
                id="plan.inputs",
                tooltip=N_("The answers that led to the selected field"),
                show=False,  # 80 columns: F1 and the palette list it
            ),
            Binding("escape", "back", N_("Back"), id="plan.back", tooltip=N_("Back"), show=False),
        ]
    )

    def __init__(self, interview_id: str) -> None:
        super().__init__()
        self.interview_id = interview_id

    def compose(self) -> ComposeResult:
        yield IntakeHeader()
        yield Label("", id="plan-status", classes="title")
        yield OptionList(id="plan")
        yield Label("", id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_plan()
        self.query_one("#plan", OptionList).focus()

    def refresh_plan(self) -> None:
        from intake_tui.core.plan.compare import differences, document_values, plan_values
        from intake_tui.store import central_plans, interviews, plans
        from intake_tui.ui.widgets.plan_lines import (
            PlanTexts,
            central_lines,
            change_lines,
            plan_lines,
        )

        opened = interviews.open_interview(self.store, self.interview_id)
        today = self.intake.clock.today()
        plan, checks = plans.readiness(self.store, opened, today)
        self.plan, self.bundle = plan, opened.bundle
        self.finalized = opened.summary.status == "finalized"
        latest = plans.latest_frozen(self.store, self.interview_id)
        statuses = {"discussed": _("discussed"), "final": _("final")}
        state = (
            _("draft")
            if latest is None
            else _("{status}, version {n}").format(
                status=statuses.get(latest.status, latest.status), n=latest.revision
            )
        )
        status = _("Plan — {state}").format(state=state)
        period = plans.plan_termijn(self.store, opened, today)
        if period is not None:
            how = (
                _("estimated, as if signed today")
                if period.estimated
                else _("as registered by DUO")
                if period.source == "duo"
                else _("computed from the first PIP")
            )
            status += "  ·  " + _("termijn {start} to {end} ({how})").format(
                start=period.start.strftime("%d-%m-%Y"),
                end=period.end.strftime("%d-%m-%Y"),
                how=how,
            )
        edit = central_plans.pending_edit(self.store, self.interview_id)
        if edit is not None:
            status += "  ·  " + _("edited centrally (version {n})").format(n=edit.version)
        self.query_one("#plan-status", Label).update(status)
        self.texts = PlanTexts(opened.bundle, current_language())
        listing = self.query_one("#plan", OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        self.line_fields: dict[str, str] = {}
        lines = plan_lines(plan, checks, self.texts)
        final, changed = plans.changes(self.store, opened, plan)
        if final is not None and changed:
            lines = change_lines(final, changed, self.texts) + lines
        if edit is not None:
            # Against the version this laptop made last (what the central editor changed, and
            # what the caseworker changed since), else the draft: a draft has no dates yet that
            # only a final plan gets, which would show as differences that are none.
            here = (
                document_values(json.loads(latest.document_json))
                if latest is not None and latest.document_json
                else plan_values(plan)
            )
            diffs = differences(here, document_values(edit.document))
            lines = central_lines(edit.version, edit.received_at, diffs, self.texts) + lines
        for index, line in enumerate(lines):
            option_id = f"l{index}"
            if line.field is not None:
                self.line_fields[option_id] = line.field
            listing.add_option(Option(line.prompt, id=option_id, disabled=line.heading))
        if highlighted is not None and highlighted < listing.option_count:
            listing.highlighted = highlighted  # a change keeps the cursor where it was
        self.failing = [c for c in checks if not c.ok]

    def relabel(self) -> None:
        """The caseworker switched the UI language: the plan's texts follow."""
        self.refresh_plan()

    def say(self, text: str) -> None:
        self.query_one("#message", Label).update(text)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_discussed(self) -> None:
        question = _(
            "Mark the plan as discussed with the newcomer? This version is then kept as the "
            "plan you went through together; you can still change it and make it final later."
        )
        self.confirm(question, _("Yes, discussed"), _("No, not discussed yet"), self.mark_discussed)

    def action_final(self) -> None:
        if self.failing or self.plan.open_decisions():
            self.mark_final()  # refused, with the reasons: there is nothing to confirm
            return
        question = _(
            "Make the plan final? It is signed with today's date ({date}) and frozen: a later "
            "change makes a new version."
        ).format(date=self.intake.clock.today().strftime("%d-%m-%Y"))
        self.confirm(question, _("Yes, make final"), _("No, not final yet"), self.mark_final)

    def confirm(self, question: str, yes: str, no: str, then: Callable[[], None]) -> None:
        """Ask first, unless the interview is not finalized (the store refuses, saying why)."""
        from intake_tui.ui.screens.dialogs import ConfirmScreen

        if not self.finalized:
            then()
            return

        def done(answer: bool | None) -> None:
            if answer:
                then()

        self.app.push_screen(ConfirmScreen(question, yes, no), done)

    def mark_discussed(self) -> None:
        from intake_tui.store import plans
        from intake_tui.store.session import StoreError

        try:
            revision = plans.mark_discussed(self.store, self.interview_id)
        except StoreError as error:
            self.say(error.message)
            return
        self.say(_("Plan frozen as discussed (revision {n}).").format(n=revision.revision))
        self.refresh_plan()

    def mark_final(self) -> None:
        from intake_tui.store import plans
        from intake_tui.store.session import StoreError

        today = self.intake.clock.today()
        try:
            revision = plans.mark_final(self.store, self.interview_id, today)
        except StoreError as error:
            self.say(error.message)
            return
        self.say(_("Plan is final (revision {n}).").format(n=revision.revision))
        self.refresh_plan()

    def action_inputs(self) -> None:
        """Show, under the selected field, the answers its rules read (as they were shown)."""
        listing = self.query_one("#plan", OptionList)
        if listing.highlighted is None:
            return
        key = self.line_fields.get(str(listing.get_option_at_index(listing.highlighted).id))
        if key is None:
            self.say(_("Choose a line of a plan field first."))
            return
        field = self.plan.fields[key]
        shown: list[str] = []
        for source in [*field.sources, *field.needs_decision]:
            for read in source.inputs:
                # Dutch, like `read.shown`: the core keeps the answer as the caseworker saw it.
                item = self.bundle.items.get(read.question)
                label = item.label if item is not None else read.question
                shown.append(f"{label}: {read.shown}")
        self.say(
            _("Answers read: {answers}").format(answers="; ".join(dict.fromkeys(shown)))
            if shown
            else _("No answers were read for this field.")
        )

    def action_override(self) -> None:
        listing = self.query_one("#plan", OptionList)
        if listing.highlighted is None:
            return
        option = listing.get_option_at_index(listing.highlighted)
        key = self.line_fields.get(str(option.id))
        if key is None:
            self.say(_("Choose a line of a plan field first."))
            return
        self.change(key)

    def action_set_empty(self) -> None:
        """A field the plan shows no line for (no rule gave it a value): the caseworker's own,
        e.g. the participation hours agreed in a voortgangsgesprek."""
        from intake_tui.ui.screens.choose import ChooseScreen

        empty = [
            key
            for key, spec in FIELDS.items()
            if key not in NOT_SET_BY_HAND
            and spec.type is not Goal
            and self.plan.fields[key].value in (None, [], "")
        ]
        if not empty:
            self.say(_("Every plan field has a value; choose its line and press o to change it."))
            return

        def chosen(index: int | None) -> None:
            if index is not None:
                self.change(empty[index])

        labels = [self.texts.label(key) for key in empty]
        self.app.push_screen(ChooseScreen(_("Which field gets a value?"), labels), chosen)

    def change(self, key: str) -> None:
        """Ask for a new value of `key` and the reason, and keep them as the caseworker's."""
        from intake_tui.ui.screens.ask import AskScreen

        codes = self.texts.codes(key)
        hint = " / ".join(label for _code, label in codes)  # a label or its code may be typed

        def done(answers: list[str] | None) -> None:
            if not answers:
                return
            from intake_tui.store import plans
            from intake_tui.store.session import StoreError

            try:
                plans.set_override(
                    self.store,
                    self.interview_id,
                    key,
                    parse_plan_value(key, answers[0], dict(codes)),
                    answers[1],
                )
            except StoreError as error:
                self.say(error.message)
                return
            self.refresh_plan()

        self.app.push_screen(
            AskScreen(
                _("Change {field}").format(field=self.texts.label(key)),
                [_("New value") + (f" ({hint})" if hint else ""), _("Reason (required)")],
            ),
            done,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A preview (ui/preview.py) writes no files: no export key in its footer.
        return not (action == "export" and self.store.preview)

    def action_export(self) -> None:
        from intake_tui.store import exports, plans
        from intake_tui.store.session import StoreError

        folder = self.store.data_dir.root / "exports"
        written = []
        try:
            for fmt in ("json", "html"):
                latest = plans.latest_frozen(self.store, self.interview_id)
                if latest is None:
                    self.say(_("Mark the plan as discussed or final first."))
                    return
                path = folder / f"{self.interview_id}-r{latest.revision}.{fmt}"
                written += exports.export_plans(
                    self.store, self.interview_id, path, fmt=fmt, force=True
                )
        except StoreError as error:
            self.say(error.message)
            return
        # The whole path: the caseworker has to find the file to hand it over or print it.
        files = ", ".join(str(path.absolute()) for path in written)
        self.say(_("Written: {files}").format(files=files))
