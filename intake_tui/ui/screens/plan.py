"""The draft PIP: every field with its value and the reason; DUO's checks; discussed and final.

Each line says what the rules proposed and why, or what the caseworker chose instead and
why. `d` freezes the plan as discussed with the newcomer, `f` as final (signed today), `e`
writes the latest frozen revision as JSON and as the bilingual HTML page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from intake_tui.core.plan.fields import FIELDS
from intake_tui.i18n import N_, _
from intake_tui.ui.base import AppAccess
from intake_tui.ui.header import IntakeHeader
from intake_tui.ui.keys import LocalizedBindings


def _text(value: Any) -> str:
    if value is None or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, list):
        return ", ".join(
            _text(v) if not isinstance(v, dict) else str(v.get("omschrijving")) for v in value
        )
    return str(value)


def parse_plan_value(key: str, text: str) -> Any:
    """A caseworker's typed value for a plan field (the store checks it against the type)."""
    spec = FIELDS[key]
    if spec.is_list:
        return [part.strip() for part in text.split(",") if part.strip()]
    lowered = text.strip().casefold()
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


class PlanScreen(AppAccess, LocalizedBindings, Screen[None]):
    """The plan of one interview."""

    BINDINGS: ClassVar[list[BindingType]] = [
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
            "a",
            "inputs",
            N_("Answers"),
            id="plan.inputs",
            tooltip=N_("The answers that led to the selected field"),
        ),
        Binding("escape", "back", N_("Back"), id="plan.back", tooltip=N_("Back")),
    ]

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
        from intake_tui.store import interviews, plans

        opened = interviews.open_interview(self.store, self.interview_id)
        today = self.intake.clock.today()
        plan, checks = plans.readiness(self.store, opened, today)
        self.plan, self.bundle = plan, opened.bundle
        self.finalized = opened.summary.status == "finalized"
        rules = opened.bundle.plan
        latest = plans.latest_frozen(self.store, self.interview_id)
        statuses = {"discussed": _("discussed"), "final": _("final")}
        state = (
            _("draft")
            if latest is None
            else _("{status}, version {n}").format(
                status=statuses.get(latest.status, latest.status), n=latest.revision
            )
        )
        self.query_one("#plan-status", Label).update(_("Plan — {state}").format(state=state))
        listing = self.query_one("#plan", OptionList)
        listing.clear_options()
        lines: list[tuple[str, str | None]] = []  # (text, plan field it belongs to)
        failing = [c for c in checks if not c.ok]
        lines.append((_("── DUO checks (as if signed today) ──"), None))
        lines.extend((("✓ " if c.ok else "✗ ") + c.message, None) for c in checks)
        for section, title in rules.sections.items() if rules else []:
            fields = [k for k, spec in FIELDS.items() if spec.section == section]
            lines.append((f"── {title} ──", None))
            for key in fields:
                field = plan.fields[key]
                if field.value in (None, []) and not field.needs_decision:
                    continue
                label = rules.label(key)
                value = (
                    rules.value_label(key, field.value)
                    if isinstance(field.value, str)
                    else _text(field.value)
                )
                line = f"{label}: {value}"
                if field.needs_decision and field.override is None:
                    line = f"? {label}: " + _("needs a decision")
                lines.append((line, key))
                if field.override is not None:
                    lines.append(
                        (
                            "    "
                            + _(
                                "rule said {rule}, caseworker chose {chosen} because {reason}"
                            ).format(
                                rule=_text(field.rule_value),
                                chosen=_text(field.override.value),
                                reason=field.override.reason,
                            ),
                            key,
                        )
                    )
                for source in (field.needs_decision or field.sources)[:2]:
                    lines.append((f"    {source.because}", key))
        self.line_fields: dict[str, str] = {}
        for index, (line, line_key) in enumerate(lines):
            option_id = f"l{index}"
            if line_key is not None:
                self.line_fields[option_id] = line_key
            listing.add_option(Option(line, id=option_id))
        self.failing = failing

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
        ).format(date=_text(self.intake.clock.today()))
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
                item = self.bundle.items.get(read.question)
                label = item.label if item is not None else read.question
                shown.append(f"{label}: {read.shown}")
        self.say(
            _("Answers read: {answers}").format(answers="; ".join(dict.fromkeys(shown)))
            if shown
            else _("No answers were read for this field.")
        )

    def action_override(self) -> None:
        from intake_tui.ui.screens.ask import AskScreen

        listing = self.query_one("#plan", OptionList)
        if listing.highlighted is None:
            return
        option = listing.get_option_at_index(listing.highlighted)
        key = self.line_fields.get(str(option.id))
        if key is None:
            self.say(_("Choose a line of a plan field first."))
            return
        spec = FIELDS[key]
        codes = getattr(spec.type, "__args__", ())
        hint = " / ".join(str(c) for c in codes) if codes else ""

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
                    parse_plan_value(key, answers[0]),
                    answers[1],
                )
            except StoreError as error:
                self.say(error.message)
                return
            self.refresh_plan()

        self.app.push_screen(
            AskScreen(
                _("Change {field}").format(field=key),
                [_("New value") + (f" ({hint})" if hint else ""), _("Reason (required)")],
            ),
            done,
        )

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
        self.say(_("Written: {files}").format(files=", ".join(p.name for p in written)))
