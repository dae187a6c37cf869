"""Load and check plan.yaml: every rule with its condition compiled, its values typed, its
reason (`because`, for the newcomer) and its `source` (the article or guidance, for the
regievoerder); the Dutch texts of fields and sections. Problems are values at path:line:col.

    rules:
      - id: s1_b1_route                       # stable, snake_case
        when: lbt_resultaat == 'haalbaar'     # the expression language of the questionnaire
        then: {leerroute: B, niveau: B1}      # set fields (a value, or {expr: "..."} to compute)
        add: {participatie.activiteiten: [duaal_traject]}   # add items to list fields
        decide: [leerroute]                   # these fields need the caseworker's decision
        because: De leerbaarheidstoets zegt dat de B1-route haalbaar is.
        source: Wet inburgering 2021 art. 14 lid 3; domain.md §3.1 S1   # required, Dutch
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from intake_tui.core.bundle_model import ID_PATTERN, Bundle
from intake_tui.core.bundle_support import expression_location
from intake_tui.core.expression_types import check_types, question_types
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
    # Advised, not required: a bundle pinned in an interview before sources existed must still
    # open. A missing or empty one is a warning (validate prints it; the default bundle has none).
    source: StrictStr = ""


class ProgressSpec(_Strict):
    """When the voortgangsgesprekken are, in months after the dagtekening (no law fixes it)."""

    maanden: list[Annotated[int, Field(ge=1, le=36)]] = Field(min_length=1, max_length=12)
    source: Annotated[StrictStr, Field(min_length=1)]


class ObjectionSpec(_Strict):
    """The rechtsmiddelenclausule of the PIP (a beschikking): {gemeente}, {adres} and {email}
    are filled in from config.toml [gemeente]."""

    tekst: Annotated[StrictStr, Field(min_length=1)]
    niet_nakomen: Annotated[StrictStr, Field(min_length=1)]
    source: Annotated[StrictStr, Field(min_length=1)]


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
    because: str  # plain B1 Dutch for the newcomer
    source: str  # the article, DUO rule or guidance it rests on (Dutch, for the regievoerder)


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
    progress: ProgressSpec | None = None  # the voortgangsgesprekken schedule
    objection: ObjectionSpec | None = None  # the bezwaar clause

    def label(self, key: str) -> str:
        text = self.fields.get(key)
        return text.label if text is not None else key

    def value_label(self, key: str, value: object) -> str:
        text = self.fields.get(key)
        if text is not None and isinstance(value, str) and value in text.values:
            return text.values[value]
        return str(value)


def load_plan_rules(
    bundle: Bundle, display: str | None = None, *, pinned: bool = False
) -> tuple[PlanRules, list[Problem]]:
    """The bundle's plan.yaml, checked against its questions; problems as path:line:col.
    `pinned`: type mistakes in expressions are warnings (see load_bundle_files)."""
    raw = bundle.files.get(PLAN_FILE)
    name = display or f"{bundle.path}/{PLAN_FILE}"
    if raw is None:
        return PlanRules(()), []
    try:
        data, source_map, problems = read_yaml_bytes(raw, name)
    except YamlReadError as error:
        return PlanRules(()), [error.problem]
    checker = _RuleChecker(bundle, source_map, list(problems))
    checker.pinned = pinned
    # `followup.<id>`: the latest completed follow-up's answers (names of the bundles that
    # follow this one; not checkable when none is found).
    from intake_tui.core.related import follower_ids

    checker.context_fields = {"followup": follower_ids(bundle.id, bundle.path)}
    rules = checker.check(data)
    texts = checker.texts(data)
    sections = checker.sections(data)
    progress = checker.part(data, "voortgangsgesprekken", ProgressSpec)
    objection = checker.part(data, "bezwaar", ObjectionSpec)
    plan = PlanRules(tuple(rules), texts, sections, progress, objection)  # type: ignore[arg-type]
    return plan, sorted(set(checker.problems))


TOP_KEYS = ["rules", "fields", "sections", "voortgangsgesprekken", "bezwaar"]


class _RuleChecker:
    def __init__(self, bundle: Bundle, source_map: SourceMap, problems: list[Problem]) -> None:
        self.pinned = False  # set by load_plan_rules for an interview's pinned copy
        self.context_fields: dict[str, frozenset[str] | None] = {}  # followup.<id>
        self.bundle = bundle
        self.map = source_map
        self.problems = problems
        self.repeat_of = {i.id: i.repeat for i in bundle.items.values() if i.repeat is not None}
        order = sorted(bundle.items, key=lambda i: bundle.topological.get(i, 0))
        self.types = question_types(bundle.items, order)

    def report(self, path: DataPath, message: str, *, key: bool = False) -> None:
        self.problems.append(Problem(self.map.locate(path, key=key), message))

    def check(self, data: object) -> list[Rule]:
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            self.report((), _("plan.yaml must be a mapping with a list 'rules'"))
            return []
        for key in data:
            if key not in TOP_KEYS:
                self.report(
                    (key,),
                    _("unknown key {key!r}").format(key=key) + _suggest(key, TOP_KEYS),
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

    def part(self, data: object, key: str, model: type[_Strict]) -> _Strict | None:
        """An optional top-level mapping of plan.yaml, checked against `model`."""
        raw = data.get(key) if isinstance(data, dict) else None
        if raw is None:
            return None
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                where = tuple(p for p in detail["loc"] if isinstance(p, str | int))
                self.report((key, *where), f"{key}: {detail['msg']}")
            return None

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
            expression = compile_expression(
                source, repeat_of=self.repeat_of, context_fields=self.context_fields
            )
        except ExpressionError as error:
            self.report_at(path, source, error.offset or 0, error.message)
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
        if ok:
            for problem in check_types(expression, self.types):
                self.report_at(path, source, problem.offset, problem.message, warning=self.pinned)
                ok = self.pinned  # a pinned copy keeps the rule as it always ran
        return expression if ok else None

    def report_at(
        self, path: DataPath, source: str, offset: int, message: str, *, warning: bool = False
    ) -> None:
        """A problem at character `offset` of the expression `source` written at `path`."""
        where = expression_location(self.map, path, source, offset)
        self.problems.append(Problem(where, message, warning=warning))

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
        if not spec.source.strip():
            where = (*path, "source") if "source" in spec.model_fields_set else path
            self.problems.append(
                Problem(
                    self.map.locate(where),
                    _(
                        "missing key 'source' (the article, DUO rule or domain.md reference the "
                        "rule rests on; where none was found, say so)"
                    ),
                    warning=True,
                )
            )
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
        return Rule(spec.id, when, then, add, tuple(spec.decide), spec.because, spec.source.strip())


def _suggest(word: str, candidates: Sequence[str]) -> str:
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.75)
    return " " + _("(did you mean {name!r}?)").format(name=matches[0]) if matches else ""
