"""Draft a plan from the checked rules of plan.yaml, with the reason and source of every field.

plan.yaml is read and checked by `core.plan.loader` (its format is described there). Every field
records which rules set it, each rule's `because` (plain B1 Dutch for the newcomer) and `source`
(the article or guidance, for the regievoerder), and the answers those rules read, as the
caseworker saw them. Rules never decide silently: two rules that set one field to different
values leave it empty and "needs a decision", with both reasons. Overrides by the caseworker are
applied on top and survive regeneration: the plan shows "rule said X, caseworker chose Y because …".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from intake_tui.core.display import show_answer, show_value
from intake_tui.core.engine import Interview
from intake_tui.core.expressions import Expression, ExpressionError
from intake_tui.core.plan.fields import FIELDS, FieldValueError, check_value
from intake_tui.core.plan.legal import DEADLINE_SOURCE, add_months, pip_deadline

# The loader lives in core.plan.loader; its names stay importable from here.
from intake_tui.core.plan.loader import PLAN_FILE as PLAN_FILE
from intake_tui.core.plan.loader import FieldText as FieldText
from intake_tui.core.plan.loader import PlanRules as PlanRules
from intake_tui.core.plan.loader import Rule as Rule
from intake_tui.core.plan.loader import load_plan_rules as load_plan_rules


@dataclass(frozen=True)
class Input:
    """An answer a rule read, as the caseworker saw it."""

    question: str
    instance: str | None
    shown: str


@dataclass(frozen=True)
class Source:
    """Why a field has its value: the rule, its reason, the answers it read, and where the rule
    comes from (`source`: the article or guidance, Dutch, for the regievoerder; never exported
    and never on the newcomer's page)."""

    rule: str
    because: str
    inputs: tuple[Input, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Override:
    """The caseworker's own choice for a field, with the reason, who and when."""

    value: Any
    reason: str
    by: str
    at: dt.datetime


@dataclass
class PlanField:
    """One field of a drafted plan."""

    key: str
    rule_value: Any = None  # what the rules said
    sources: list[Source] = field(default_factory=list)
    needs_decision: list[Source] = field(default_factory=list)
    override: Override | None = None
    conflicting: bool = False  # rules set different values: no value until someone decides

    @property
    def value(self) -> Any:
        return self.override.value if self.override is not None else self.rule_value

    @property
    def decided(self) -> bool:
        """A value is there and nothing asks for a decision (an override is a decision)."""
        if self.override is not None:
            return True
        return self.rule_value is not None and not self.needs_decision


@dataclass
class Plan:
    """A drafted plan: every field, its value, and why."""

    fields: dict[str, PlanField]

    def value(self, key: str) -> Any:
        return self.fields[key].value

    def open_decisions(self) -> list[PlanField]:
        return [f for f in self.fields.values() if f.needs_decision and f.override is None]


def rule_inputs(interview: Interview, expression: Expression) -> tuple[Input, ...]:
    """The answers an expression read, shown as the caseworker saw them."""
    found: list[Input] = []
    bundle = interview.bundle
    for name in sorted(expression.names):
        item = bundle.items[name]
        if item.repeat is None:
            value = interview.value(name)
            shown = (
                show_value(item, value)
                if value is not None
                else show_answer(
                    item, interview.answer(name) if interview.is_visible(name) else None
                )
            )
            found.append(Input(name, None, shown))
        else:
            for instance in interview.instances(item.repeat):
                value = interview.value(name, instance)
                found.append(Input(name, instance, show_value(item, value)))
    return tuple(found)


def draft_plan(
    interview: Interview,
    rules: PlanRules,
    overrides: Mapping[str, Override] | None = None,
    defaults: Mapping[str, tuple[Any, Source]] | None = None,
) -> Plan:
    """Evaluate every rule against the interview's visible answers; apply the overrides.

    `defaults` are values from outside the interview (the municipality's contact person from
    config.toml), each with its source, used where no rule sets the field.
    """
    fields = {key: PlanField(key) for key in FIELDS}
    for key, (value, source) in (defaults or {}).items():
        if key in fields and value is not None:
            fields[key].rule_value = check_value(key, value)
            fields[key].sources.append(source)
    for rule in rules.rules:
        if not _fires(interview, rule.when):
            continue
        source = Source(rule.id, rule.because, rule_inputs(interview, rule.when), rule.source)
        for key, value in rule.then.items():
            if isinstance(value, Expression):
                value = _computed(interview, key, value)
                if value is None:
                    continue
            _set(fields[key], value, source)
        for key, items in rule.add.items():
            target = fields[key]
            current = list(target.rule_value or [])
            current.extend(i for i in items if i not in current)
            target.rule_value = current
            target.sources.append(source)
        for key in rule.decide:
            fields[key].needs_decision.append(source)
    for key, chosen in (overrides or {}).items():
        if key in fields:
            fields[key].override = chosen
    # After the overrides: derived fields follow the caseworker's choice (e.g. ontzorgen.van).
    _derive(interview, fields, rules.progress.maanden if rules.progress else (3, 6, 12))
    return Plan(fields)


def _fires(interview: Interview, expression: Expression) -> bool:
    try:
        return expression.test(interview.scope())
    except ExpressionError:
        return False


def _computed(interview: Interview, key: str, expression: Expression) -> Any:
    try:
        result = expression.evaluate(interview.scope())
    except ExpressionError:
        return None
    if result is None:
        return None
    try:
        return check_value(key, result)
    except FieldValueError:
        return None


def _set(target: PlanField, value: Any, source: Source) -> None:
    earlier = list(target.sources)
    target.sources.append(source)
    if target.conflicting:
        target.needs_decision.append(source)
    elif earlier and target.rule_value != value:
        # Two rules disagree: the caseworker decides, with every reason in view.
        target.conflicting = True
        target.rule_value = None
        target.needs_decision.extend(target.sources)
    else:
        target.rule_value = value


# Reasons of the fields the code fills in (the law, practice, settings, copies from the
# intake). They have rule ids like plan.yaml's and are translated the same way
# (msgctxt plan.rule.<id>.because); core.translations lists them with the bundle's texts.
# Like plan.yaml's `because`, a reason is plain text for the newcomer; its source is below.
BUILTIN_REASONS: dict[str, str] = {
    "intake.ontwikkelwensen": (
        "Overgenomen uit de brede intake; werk de subdoelen en data samen bij."
    ),
    "intake.aandachtspunten": (
        "Overgenomen uit de brede intake; werk de subdoelen en data samen bij."
    ),
    "wet.pip_binnen_10_weken": (
        "Het PIP moet binnen 10 weken klaar zijn: na de brief van DUO, of na uw inschrijving in "
        "de gemeente als die later was."
    ),
    "wet.ontzorgen_zes_maanden": (
        "Ontzorgen duurt 6 maanden, vanaf de eerste dag van de bijstand tot en met de dag "
        "ervoor 6 maanden later."
    ),
    "praktijk.voortgang": (
        "We spreken elkaar na een aantal maanden weer over hoe het gaat. De data staan in het "
        "plan als het definitief is."
    ),
    "instelling.contactpersoon": "De contactpersoon van de gemeente.",
    "instelling.regievoerder": "De regievoerder die dit plan opstelde.",
}

# Where each built-in reason comes from, as plan.yaml's `source` says it for a rule (Dutch data
# for the regievoerder; shown on the plan screen and in docs/plan-rules.md, never exported).
BUILTIN_SOURCES: dict[str, str] = {
    "intake.ontwikkelwensen": "GGM Model Inburgering, Ontwikkelwens (domain.md §1.2, §4.4)",
    "intake.aandachtspunten": "GGM Model Inburgering, Aandachtspunt (domain.md §1.2, §4.4)",
    "wet.pip_binnen_10_weken": DEADLINE_SOURCE,
    "wet.ontzorgen_zes_maanden": "Participatiewet art. 56a (domain.md §5, [SCH-ONTZ])",
    "praktijk.voortgang": (
        "Praktijk; geen bron voor een vast aantal voortgangsgesprekken gevonden (domain.md §4.6)"
    ),
    "instelling.contactpersoon": (
        "Instelling van de gemeente (config.toml [contact]); DUO Contactpersoon-API"
    ),
    "instelling.regievoerder": (
        "Werkwijze van de app: de regievoerder die het plan opstelt, tot de gemeente een "
        "contactpersoon instelt"
    ),
}


def builtin_source(rule_id: str, inputs: tuple[Input, ...] = ()) -> Source:
    """The source of a field the code fills in, with its registered reason."""
    return Source(rule_id, BUILTIN_REASONS[rule_id], inputs, BUILTIN_SOURCES[rule_id])


# The plan's goal fields (GGM Ontwikkelwens / Aandachtspunt) and the roles of the repeat and its
# questions they are copied from: (repeat, description, sub-goals, start, end). A bundle without
# the repeat or description role gives no goals (core/roles.py).
GOAL_SOURCES = {
    "ontwikkelwensen": (
        "development_wishes",
        "development_wish",
        "development_wish_subgoals",
        "development_wish_start",
        "development_wish_end",
    ),
    "aandachtspunten": (
        "attention_points",
        "attention_point",
        "attention_point_subgoals",
        None,
        None,
    ),
}


def _goals(interview: Interview, fields: dict[str, PlanField]) -> None:
    by_role = interview.bundle.roles
    for key, (repeat_role, text_role, *more) in GOAL_SOURCES.items():
        repeat, text = by_role.get(repeat_role), by_role.get(text_role)
        if repeat is None or text is None:
            continue
        subgoals, start, end = (by_role.get(role) if role else None for role in more)
        goals: list[dict[str, Any]] = []
        inputs: list[Input] = []
        for instance in interview.instances(repeat):
            description = interview.value(text, instance)
            if not isinstance(description, str) or not description:
                continue

            def get(name: str | None, at: str = instance) -> Any:
                return interview.value(name, at) if name else None

            goals.append(
                {
                    "omschrijving": description,
                    "subdoelen": get(subgoals),
                    "start": get(start),
                    "eind": get(end),
                }
            )
            inputs.append(Input(text, instance, description))
        if goals:
            fields[key].rule_value = check_value(key, goals)
            fields[key].sources.append(builtin_source(f"intake.{key}", tuple(inputs)))


def _derive(
    interview: Interview, fields: dict[str, PlanField], progress_months: Sequence[int]
) -> None:
    """Fields the law fixes once their inputs are known (not in plan.yaml: they are not choices)."""
    _goals(interview, fields)
    bundle = interview.bundle
    deadline = pip_deadline(interview)  # domain.md §4.5: notice, BRP registration or SS139
    if deadline is not None:
        item = bundle.items[deadline.question]
        shown = show_value(item, deadline.start)
        fields["pip_uiterlijk"].rule_value = deadline.due
        fields["pip_uiterlijk"].sources.append(
            builtin_source("wet.pip_binnen_10_weken", (Input(deadline.question, None, shown),))
        )
    start = fields["ontzorgen.van"].value
    if fields["ontzorgen.van_toepassing"].value is True and isinstance(start, dt.date):
        # 6 months "tot en met": the day before the same date 6 months on (domain.md §5 said
        # the date itself, a day too late)
        fields["ontzorgen.tot"].rule_value = add_months(start, 6) - dt.timedelta(days=1)
        fields["ontzorgen.tot"].sources.append(
            builtin_source(
                "wet.ontzorgen_zes_maanden",
                (Input("ontzorgen.van", None, start.strftime("%d-%m-%Y")),),
            )
        )
    if fields["leerroute"].value is not None:
        # Months after the dagtekening (plan.yaml); the dates follow when the plan is final.
        fields["voortgangsgesprekken.schema"].rule_value = ", ".join(map(str, progress_months))
        fields["voortgangsgesprekken.schema"].sources.append(builtin_source("praktijk.voortgang"))
