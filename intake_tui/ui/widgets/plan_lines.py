"""The lines of the plan screen: DUO's checks, then each section with its fields and every reason,
each reason followed by its source (the article or guidance from plan.yaml's `source`).

The texts of plan.yaml (section titles, field labels, value labels, rule reasons) are shown in
the caseworker's language where the bundle's catalog has them, by the same keys the printed plan
uses (msgctxt `plan.section.<id>`, `plan.field.<key>.label`, `plan.field.<key>.value.<code>`,
`plan.rule.<id>.because`), and in the Dutch of plan.yaml otherwise. A value that is a code is
always shown by its label; a section without a line to show is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from intake_tui.core.catalogs import Localizer
from intake_tui.core.plan.compare import Change, Difference, typed_value
from intake_tui.core.plan.duo import Check
from intake_tui.core.plan.fields import FIELDS, value_codes
from intake_tui.core.plan.rules import Plan, PlanField, PlanRules, Source
from intake_tui.i18n import _
from intake_tui.ui.widgets.review_row import HangingRow

REASON_INDENT = "    "
SOURCE_INDENT = "      "  # under its reason, a little further in


class PlanTexts:
    """The texts of one bundle's plan.yaml in the caseworker's language (`ui_language`)."""

    def __init__(self, bundle: Any, ui_language: str) -> None:
        # Without a bundle (a received case whose questionnaire is not here): codes and keys.
        self.rules: PlanRules = (bundle.plan if bundle is not None else None) or PlanRules(())
        self.ui_language = ui_language
        self.localizer = Localizer(bundle) if bundle is not None else None

    def _text(self, key: str, dutch: str) -> str:
        if self.localizer is None:
            return dutch
        return self.localizer.text(key, dutch, self.ui_language).text

    def section(self, section: str) -> str:
        dutch = self.rules.sections.get(section) or section.capitalize()
        return self._text(f"plan.section.{section}", dutch)

    def label(self, key: str) -> str:
        return self._text(f"plan.field.{key}.label", self.rules.label(key))

    def code(self, key: str, code: str) -> str:
        """The label of one value code of a field (the code itself when plan.yaml has none)."""
        text = self.rules.fields.get(key)
        if text is None or code not in text.values:
            return code
        return self._text(f"plan.field.{key}.value.{code}", text.values[code])

    def value(self, key: str, value: Any) -> str:
        """A field's value as the caseworker reads it: labels, not codes; dd-mm-jjjj dates."""
        if value is None or value == []:
            return "—"
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, dt.date):
            return value.strftime("%d-%m-%Y")
        if isinstance(value, dict):
            return goal_text(value)
        if isinstance(value, (list, tuple)):
            return ", ".join(self.value(key, item) for item in value)
        if isinstance(value, str):
            return self.code(key, value)
        return str(value)

    def reason(self, source: Source) -> str:
        return self._text(f"plan.rule.{source.rule}.because", source.because)

    def codes(self, key: str) -> list[tuple[str, str]]:
        """(code, label) of every value a field may take, for the change dialog."""
        return [(code, self.code(key, code)) for code in value_codes(key)]


def goal_text(goal: dict[str, Any]) -> str:
    """An ontwikkelwens or aandachtspunt: its description, sub-goals and dates."""
    text = str(goal.get("omschrijving") or "")
    if goal.get("subdoelen"):
        text += " — " + str(goal["subdoelen"])
    start, end = goal.get("start"), goal.get("eind")
    if start or end:
        shown = [d.strftime("%d-%m-%Y") if isinstance(d, dt.date) else "…" for d in (start, end)]
        text += f" ({shown[0]} – {shown[1]})"
    return text


@dataclass(frozen=True)
class PlanLine:
    """One option of the plan list: what it shows and the plan field it belongs to, if any."""

    prompt: HangingRow
    field: str | None = None
    heading: bool = False


def plan_lines(plan: Plan, checks: Sequence[Check], texts: PlanTexts) -> list[PlanLine]:
    """Every line of the plan screen, in order; nothing cut, no empty section."""
    lines: list[PlanLine] = []
    for kind, title in (
        ("duo", _("── DUO checks (as if signed today) ──")),
        ("wet", _("── Legal rules (as if signed today) ──")),
    ):
        these = [c for c in checks if c.kind == kind]
        if these:
            lines.append(PlanLine(HangingRow(title), heading=True))
            lines.extend(PlanLine(HangingRow("✓ " if c.ok else "✗ ", c.message)) for c in these)
    for section in texts.rules.sections:
        rows = [
            line
            for key, spec in FIELDS.items()
            if spec.section == section
            for line in field_lines(key, plan.fields[key], texts)
        ]
        if rows:
            lines.append(PlanLine(HangingRow(f"── {texts.section(section)} ──"), heading=True))
            lines.extend(rows)
    return lines


def field_lines(key: str, field: PlanField, texts: PlanTexts) -> list[PlanLine]:
    """A field's line, the caseworker's own choice if any, and every reason (none when empty)."""
    if field.value in (None, []) and not field.needs_decision:
        return []
    label = texts.label(key)
    if field.needs_decision and field.override is None:
        lines = [PlanLine(HangingRow(f"? {label}: ", _("needs a decision")), key)]
    else:
        lines = [PlanLine(HangingRow(f"{label}: ", texts.value(key, field.value)), key)]
    if field.override is not None:
        chose = _("rule said {rule}, caseworker chose {chosen} because {reason}").format(
            rule=texts.value(key, field.rule_value),
            chosen=texts.value(key, field.override.value),
            reason=field.override.reason,
        )
        lines.append(PlanLine(HangingRow(REASON_INDENT, chose), key))
    reasons = dict.fromkeys(
        (texts.reason(s), s.source) for s in [*field.needs_decision, *field.sources]
    )
    for reason, source in reasons:
        lines.append(PlanLine(HangingRow(REASON_INDENT, reason), key))
        if source:
            # The source is Dutch data from plan.yaml, for the caseworker only: it is never
            # translated, printed for the newcomer or exported.
            shown = _("Source: {source}").format(source=source)
            lines.append(PlanLine(HangingRow(SOURCE_INDENT, shown), key))
    return lines


def central_lines(
    version: int, received: dt.datetime, diffs: Sequence[Difference], texts: PlanTexts
) -> list[PlanLine]:
    """The central edit beside this plan: every field that differs, here and centrally, and
    what to do (issue 15: a central edit is seen before a revision can replace it)."""
    title = _("── Edited centrally: version {n}, received {when} ──").format(
        n=version,
        when=(received.astimezone() if received.tzinfo else received).strftime("%d-%m-%Y %H:%M"),
    )
    lines = [PlanLine(HangingRow(title), heading=True)]
    if not diffs:
        lines.append(PlanLine(HangingRow("", _("The central version has the same values."))))
    for diff in diffs:
        shown = _("here: {here} · centrally: {central}").format(
            here=texts.value(diff.key, diff.here), central=texts.value(diff.key, diff.central)
        )
        lines.append(PlanLine(HangingRow(f"{texts.label(diff.key)}: ", shown), diff.key))
    lines.append(
        PlanLine(
            HangingRow(
                REASON_INDENT,
                _(
                    "Take over what you agree with (o), then mark the plan discussed or final: "
                    "that version is sent as made with the central edit in view."
                ),
            )
        )
    )
    return lines


def change_lines(revision: int, changes: Sequence[Change], texts: PlanTexts) -> list[PlanLine]:
    """The plan's changes since its last final revision: from, to, and why (PIP bijstellen)."""
    title = _("── Changed since the final plan (version {n}) ──").format(n=revision)
    lines = [PlanLine(HangingRow(title), heading=True)]
    for change in changes:
        shown = _("{before} → {after}").format(
            before=texts.value(change.key, change.before),
            after=texts.value(change.key, change.after),
        )
        lines.append(PlanLine(HangingRow(f"{texts.label(change.key)}: ", shown), change.key))
        if change.reason:
            reason = _("Why: {reason}").format(reason=change.reason)
            lines.append(PlanLine(HangingRow(REASON_INDENT, reason), change.key))
    return lines


def document_lines(document: dict[str, Any], texts: PlanTexts) -> list[PlanLine]:
    """A received plan document (a case handed over to this laptop), section by section: each
    field with a value, and the caseworker's own choice with its reason. Read only."""
    fields = document.get("plan", {}).get("fields", {})
    lines: list[PlanLine] = []
    sections = list(texts.rules.sections) or list(dict.fromkeys(s.section for s in FIELDS.values()))
    for section in sections:
        rows = []
        for key, spec in FIELDS.items():
            entry = fields.get(key)
            if spec.section != section or not isinstance(entry, dict):
                continue
            value = typed_value(key, entry.get("value"))
            if value in (None, []):
                continue
            rows.append(PlanLine(HangingRow(f"{texts.label(key)}: ", texts.value(key, value)), key))
            override = entry.get("override")
            if isinstance(override, dict) and override.get("reason"):
                chose = _("caseworker's choice, because {reason}").format(reason=override["reason"])
                rows.append(PlanLine(HangingRow(REASON_INDENT, chose), key))
        if rows:
            lines.append(PlanLine(HangingRow(f"── {texts.section(section)} ──"), heading=True))
            lines.extend(rows)
    return lines
