"""Plan rules (plan.yaml): load and check them, then draft a plan with the reason for every field.

    rules:
      - id: s1_b1_route                       # stable, snake_case
        when: lbt_resultaat == 'haalbaar'     # the expression language of the questionnaire
        then: {leerroute: B, niveau: B1}      # set fields (a value, or {expr: "..."} to compute)
        add: {participatie.activiteiten: [duaal_traject]}   # add items to list fields
        decide: [leerroute]                   # these fields need the caseworker's decision
        because: De leerbaarheidstoets zegt dat de B1-route haalbaar is.

Every field records which rules set it and the answers those rules read, as the caseworker saw
them. Rules never decide silently: two rules that set one field to different values leave it
empty and "needs a decision", with both reasons. Overrides by the caseworker are applied on top
and survive regeneration: the plan shows "rule said X, caseworker chose Y because …".
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from intake_tui.core.bundle_model import ID_PATTERN, Bundle
from intake_tui.core.display import show_answer, show_value
from intake_tui.core.engine import Interview
from intake_tui.core.expressions import Expression, ExpressionError, compile_expression
from intake_tui.core.plan.fields import FIELDS, FieldValueError, check_value
from intake_tui.core.yamlsource import DataPath, Problem, SourceMap, YamlReadError, read_yaml_bytes
from intake_tui.i18n import _

PLAN_FILE = "plan.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ComputedValue(_Strict):
    expr: StrictStr


class RuleSpec(_Strict):
    """One rule as written in plan.yaml."""

    id: StrictStr
    when: StrictStr
    then: dict[StrictStr, Any] = Field(default_factory=dict)
    add: dict[StrictStr, list[Any]] = Field(default_factory=dict)
    decide: list[StrictStr] = Field(default_factory=list)
    because: Annotated[StrictStr, Field(min_length=1)]


class FieldTextSpec(_Strict):
    """How a plan field is named on screen and on paper (Dutch; translated by key)."""

    label: Annotated[StrictStr, Field(min_length=1)]
    hint: StrictStr | None = None
    values: dict[StrictStr, StrictStr] = Field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """A checked rule: its condition compiled, its values typed."""

    id: str
    when: Expression
    then: Mapping[str, Any]  # a typed value, or an Expression to evaluate
    add: Mapping[str, tuple[Any, ...]]
    decide: tuple[str, ...]
    because: str


@dataclass(frozen=True)
class FieldText:
    label: str
    hint: str | None
    values: Mapping[str, str]


@dataclass(frozen=True)
class PlanRules:
    """The checked plan.yaml: rules in order, and the Dutch texts of fields and sections."""

    rules: tuple[Rule, ...]
    fields: Mapping[str, FieldText] = field(default_factory=dict)
    sections: Mapping[str, str] = field(default_factory=dict)

    def label(self, key: str) -> str:
        text = self.fields.get(key)
        return text.label if text is not None else key

    def value_label(self, key: str, value: object) -> str:
        text = self.fields.get(key)
        if text is not None and isinstance(value, str) and value in text.values:
            return text.values[value]
        return str(value)


@dataclass(frozen=True)
class Input:
    """An answer a rule read, as the caseworker saw it."""

    question: str
    instance: str | None
    shown: str


@dataclass(frozen=True)
class Source:
    """Why a field has its value: the rule, its reason, the answers it read."""

    rule: str
    because: str
    inputs: tuple[Input, ...] = ()


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


def load_plan_rules(bundle: Bundle, display: str | None = None) -> tuple[PlanRules, list[Problem]]:
    """The bundle's plan.yaml, checked against its questions; problems as path:line:col."""
    raw = bundle.files.get(PLAN_FILE)
    name = display or f"{bundle.path}/{PLAN_FILE}"
    if raw is None:
        return PlanRules(()), []
    try:
        data, source_map, problems = read_yaml_bytes(raw, name)
    except YamlReadError as error:
        return PlanRules(()), [error.problem]
    checker = _RuleChecker(bundle, source_map, list(problems))
    rules = checker.check(data)
    texts = checker.texts(data)
    sections = checker.sections(data)
    return PlanRules(tuple(rules), texts, sections), sorted(set(checker.problems))


class _RuleChecker:
    def __init__(self, bundle: Bundle, source_map: SourceMap, problems: list[Problem]) -> None:
        self.bundle = bundle
        self.map = source_map
        self.problems = problems
        self.repeat_of = {i.id: i.repeat for i in bundle.items.values() if i.repeat is not None}

    def report(self, path: DataPath, message: str, *, key: bool = False) -> None:
        self.problems.append(Problem(self.map.locate(path, key=key), message))

    def check(self, data: object) -> list[Rule]:
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            self.report((), _("plan.yaml must be a mapping with a list 'rules'"))
            return []
        for key in data:
            if key not in ("rules", "fields", "sections"):
                self.report(
                    (key,),
                    _("unknown key {key!r}").format(key=key)
                    + _suggest(key, ["rules", "fields", "sections"]),
                    key=True,
                )
        rules: list[Rule] = []
        seen: dict[str, DataPath] = {}
        for index, raw in enumerate(data["rules"]):
            path: DataPath = ("rules", index)
            try:
                spec = RuleSpec.model_validate(raw)
            except ValidationError as error:
                for detail in error.errors(include_url=False):
                    loc = tuple(
                        p for p in detail["loc"] if not isinstance(p, str) or p in (raw or {})
                    )
                    where = (*path, *loc)
                    if detail["type"] == "extra_forbidden":
                        name = str(detail["loc"][-1])
                        message = _("unknown key {key!r}").format(key=name) + _suggest(
                            name, list(RuleSpec.model_fields)
                        )
                        self.report(where, message, key=True)
                    elif detail["type"] == "missing":
                        self.report(
                            path, _("missing key {key!r}").format(key=str(detail["loc"][-1]))
                        )
                    else:
                        self.report(where, f"{detail['loc'][-1]}: {detail['msg']}")
                continue
            if not ID_PATTERN.match(spec.id):
                self.report(
                    (*path, "id"), _("rule id {id!r} must be snake_case").format(id=spec.id)
                )
            if spec.id in seen:
                first = self.map.locate((*seen[spec.id], "id"))
                self.report(
                    (*path, "id"),
                    _("duplicate rule id {id!r} (first at {line}:{column})").format(
                        id=spec.id, line=first.line, column=first.column
                    ),
                )
            seen.setdefault(spec.id, path)
            rule = self.rule(spec, path)
            if rule is not None:
                rules.append(rule)
        return rules

    def texts(self, data: object) -> dict[str, FieldText]:
        raw = data.get("fields", {}) if isinstance(data, dict) else {}
        if not isinstance(raw, dict):
            self.report(("fields",), _("'fields' must be a mapping of plan fields"))
            return {}
        found: dict[str, FieldText] = {}
        for key, value in raw.items():
            path: DataPath = ("fields", key)
            if not self.field_key(key, path):
                continue
            try:
                spec = FieldTextSpec.model_validate(value)
            except ValidationError as error:
                detail = error.errors(include_url=False)[0]
                self.report(path, f"{'.'.join(str(p) for p in detail['loc'])}: {detail['msg']}")
                continue
            for code in spec.values:
                try:
                    check_value(key, code, item=FIELDS[key].is_list)
                except FieldValueError as problem:
                    self.report((*path, "values", code), str(problem), key=True)
            found[key] = FieldText(spec.label, spec.hint, dict(spec.values))
        return found

    def sections(self, data: object) -> dict[str, str]:
        from typing import get_args

        from intake_tui.core.plan.fields import Section

        raw = data.get("sections", {}) if isinstance(data, dict) else {}
        known = get_args(Section)
        found: dict[str, str] = {}
        if not isinstance(raw, dict):
            self.report(("sections",), _("'sections' must map section ids to titles"))
            return found
        for key, title in raw.items():
            if key not in known:
                self.report(
                    ("sections", key),
                    _("unknown plan section {key!r}").format(key=key) + _suggest(key, known),
                    key=True,
                )
            elif not isinstance(title, str) or not title:
                self.report(("sections", key), _("a section title must be text"))
            else:
                found[key] = title
        return found

    def expression(self, source: str, path: DataPath) -> Expression | None:
        try:
            expression = compile_expression(source, repeat_of=self.repeat_of)
        except ExpressionError as error:
            start = self.map.locate(path)
            quote = 1 if path in self.map.quoted else 0
            self.problems.append(
                Problem(
                    type(start)(start.path, start.line, start.column + quote + (error.offset or 0)),
                    error.message,
                )
            )
            return None
        ok = True
        items = self.bundle.items
        for name in sorted(expression.names):
            item = items.get(name)
            if item is None or not item.holds_value:
                self.report(
                    path,
                    _("unknown question {name!r}").format(name=name)
                    + _suggest(name, [i for i in items if items[i].holds_value]),
                )
                ok = False
        for name in sorted(expression.free_names):
            if name in self.repeat_of:
                self.report(
                    path,
                    _(
                        "{name!r} is inside repeat {repeat!r}; use any_of, all_of, max_of, "
                        "min_of or count"
                    ).format(name=name, repeat=self.repeat_of[name]),
                )
                ok = False
        return expression if ok else None

    def field_key(self, key: str, path: DataPath, *, list_field: bool | None = None) -> bool:
        spec = FIELDS.get(key)
        if spec is None:
            self.report(
                path,
                _("unknown plan field {key!r}").format(key=key) + _suggest(key, list(FIELDS)),
                key=True,
            )
            return False
        if list_field is True and not spec.is_list:
            self.report(
                path, _("{key!r} is not a list; set it under 'then'").format(key=key), key=True
            )
            return False
        if list_field is False and spec.is_list:
            self.report(
                path, _("{key!r} is a list; add to it under 'add'").format(key=key), key=True
            )
            return False
        return True

    def rule(self, spec: RuleSpec, path: DataPath) -> Rule | None:
        when = self.expression(spec.when, (*path, "when"))
        ok = when is not None
        then: dict[str, Any] = {}
        for key, value in spec.then.items():
            where = (*path, "then", key)
            if not self.field_key(key, where, list_field=False):
                ok = False
                continue
            if isinstance(value, dict):
                try:
                    computed = ComputedValue.model_validate(value)
                except ValidationError:
                    self.report(where, _('a computed value is written {expr: "..."}'))
                    ok = False
                    continue
                expression = self.expression(computed.expr, (*where, "expr"))
                if expression is None:
                    ok = False
                else:
                    then[key] = expression
                continue
            try:
                then[key] = check_value(key, value)
            except FieldValueError as error:
                self.report(where, str(error))
                ok = False
        add: dict[str, tuple[Any, ...]] = {}
        for key, values in spec.add.items():
            where = (*path, "add", key)
            if not self.field_key(key, where, list_field=True):
                ok = False
                continue
            items: list[Any] = []
            for index, value in enumerate(values):
                try:
                    items.append(check_value(key, value, item=True))
                except FieldValueError as error:
                    self.report((*where, index), str(error))
                    ok = False
            add[key] = tuple(items)
        for index, key in enumerate(spec.decide):
            if not self.field_key(key, (*path, "decide", index)):
                ok = False
        if not ok or when is None:
            return None
        return Rule(spec.id, when, then, add, tuple(spec.decide), spec.because)


def _suggest(word: str, candidates: Sequence[str]) -> str:
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.75)
    return " " + _("(did you mean {name!r}?)").format(name=matches[0]) if matches else ""


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
        source = Source(rule.id, rule.because, rule_inputs(interview, rule.when))
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
    _derive(interview, fields)
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


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Reasons of the fields the code fills in (the law, practice, settings, copies from the
# intake). They have rule ids like plan.yaml's and are translated the same way
# (msgctxt plan.rule.<id>.because); core.translations lists them with the bundle's texts.
BUILTIN_REASONS: dict[str, str] = {
    "intake.ontwikkelwensen": (
        "Overgenomen uit de brede intake; werk de subdoelen en data samen bij."
    ),
    "intake.aandachtspunten": (
        "Overgenomen uit de brede intake; werk de subdoelen en data samen bij."
    ),
    "wet.pip_binnen_10_weken": (
        "Het PIP moet binnen 10 weken na de kennisgeving van DUO zijn vastgesteld "
        "(Besluit inburgering 2021 art. 5.3)."
    ),
    "wet.ontzorgen_zes_maanden": (
        "Ontzorgen duurt 6 maanden vanaf de eerste dag van de bijstand (Participatiewet art. 56a)."
    ),
    "praktijk.voortgang": (
        "Voortgangsgesprekken na 3, 6 en 12 maanden; pas het schema aan waar nodig."
    ),
    "instelling.contactpersoon": "De contactpersoon van de gemeente (config.toml [contact]).",
    "instelling.regievoerder": "De regievoerder die dit plan opstelde.",
}


def builtin_source(rule_id: str, inputs: tuple[Input, ...] = ()) -> Source:
    """The source of a field the code fills in, with its registered reason."""
    return Source(rule_id, BUILTIN_REASONS[rule_id], inputs)


# The repeats the plan copies its goals from (GGM Ontwikkelwens / Aandachtspunt), per bundle
# question id: (repeat, description, sub-goals, start, end). Absent questions are skipped.
GOAL_SOURCES = {
    "ontwikkelwensen": (
        "ontwikkelwensen",
        "ontwikkelwens_omschrijving",
        "ontwikkelwens_subdoelen",
        "ontwikkelwens_start",
        "ontwikkelwens_eind",
    ),
    "aandachtspunten": (
        "aandachtspunten",
        "aandachtspunt_omschrijving",
        "aandachtspunt_subdoelen",
        None,
        None,
    ),
}


def _goals(interview: Interview, fields: dict[str, PlanField]) -> None:
    bundle = interview.bundle
    for key, (repeat, text, subgoals, start, end) in GOAL_SOURCES.items():
        if repeat not in bundle.items or text not in bundle.items:
            continue
        goals: list[dict[str, Any]] = []
        inputs: list[Input] = []
        for instance in interview.instances(repeat):
            description = interview.value(text, instance)
            if not isinstance(description, str) or not description:
                continue

            def get(name: str | None, at: str = instance) -> Any:
                return interview.value(name, at) if name and name in bundle.items else None

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


def _derive(interview: Interview, fields: dict[str, PlanField]) -> None:
    """Fields the law fixes once their inputs are known (not in plan.yaml: they are not choices)."""
    _goals(interview, fields)
    bundle = interview.bundle
    notice = (
        interview.value("datum_kennisgeving_duo")
        if "datum_kennisgeving_duo" in bundle.items
        else None
    )
    if isinstance(notice, dt.date):
        due = notice + dt.timedelta(weeks=10)
        fields["pip_uiterlijk"].rule_value = due
        fields["pip_uiterlijk"].sources.append(
            builtin_source(
                "wet.pip_binnen_10_weken",
                (
                    Input(
                        "datum_kennisgeving_duo",
                        None,
                        show_value(bundle.items["datum_kennisgeving_duo"], notice),
                    ),
                ),
            )
        )
    start = fields["ontzorgen.van"].value
    if fields["ontzorgen.van_toepassing"].value is True and isinstance(start, dt.date):
        fields["ontzorgen.tot"].rule_value = _add_months(start, 6)
        fields["ontzorgen.tot"].sources.append(
            builtin_source(
                "wet.ontzorgen_zes_maanden",
                (Input("ontzorgen.van", None, start.strftime("%d-%m-%Y")),),
            )
        )
    if fields["leerroute"].value is not None:
        today = interview.today()
        fields["voortgangsgesprekken"].rule_value = [_add_months(today, m) for m in (3, 6, 12)]
        fields["voortgangsgesprekken"].sources.append(builtin_source("praktijk.voortgang"))
