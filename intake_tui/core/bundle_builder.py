"""The checker that turns a parsed questionnaire.yaml into a `Bundle`, reporting every problem
at its place (`path:line:col: message`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from intake_tui.core.bundle_choices import (
    check_choice_lists,
    check_counted_and_filtered,
    question_choices,
)
from intake_tui.core.bundle_model import (
    CASE_FIELDS,
    CONTAINER_TYPES,
    COUNTED_TYPES,
    ID_PATTERN,
    NO_DEFAULT_TYPES,
    NO_VALUE_TYPES,
    NUMBER_TYPES,
    PLAN_FILE,
    PURPOSE_PLACEHOLDER,
    RESERVED_NAMES,
    VERSION_PATTERN,
    Bundle,
    BundleSpec,
    Choice,
    ChoiceSource,
    ChoiceSourceSpec,
    Item,
    QuestionSpec,
    SectionSpec,
    bundle_sha256,
)
from intake_tui.core.bundle_support import (
    Origins,
    _all_ids,
    _did_you_mean,
    _friendly,
    _model_keys,
    _owner_model,
    _valid_lists,
    _walk_loc,
    check_export_key,
    check_language_tags,
    dependency_graph,
    expression_location,
)
from intake_tui.core.choices import misplaced_exclusive
from intake_tui.core.expression_types import EXPRESSION_FIELDS, check_item_types
from intake_tui.core.expressions import Expression, ExpressionError, compile_expression
from intake_tui.core.migration import check_renames
from intake_tui.core.patterns import PatternError, compile_pattern
from intake_tui.core.related import follow_up_names
from intake_tui.core.roles import check_roles
from intake_tui.core.text_refs import check_names, texts_of
from intake_tui.core.values import VALUE_TYPES
from intake_tui.core.yamlsource import (
    DataPath,
    Problem,
    SourceMap,
)
from intake_tui.i18n import _


class _Builder:
    """Checks a parsed questionnaire.yaml piece by piece and assembles the `Bundle`."""

    def __init__(
        self, source_map: SourceMap, problems: list[Problem], *, pinned: bool = False
    ) -> None:
        self.map = source_map
        self.problems = list(problems)
        self.pinned = pinned  # a copy an interview was started with: see load_bundle_files
        self.warnings: list[Problem] = []
        self.broken_ids: set[str] = set()  # ids of items that failed validation: no cascades
        self.origins = Origins()  # where each valid item was written: lists skip the invalid
        self.context_fields: dict[str, frozenset[str] | None] = {}  # intake./plan. (follow-up)

    # -- reporting --------------------------------------------------------------------------

    def report(self, path: DataPath, message: str, *, key: bool = False) -> None:
        self.problems.append(Problem(self.map.locate(path, key=key), message))

    def warn(self, path: DataPath, message: str) -> None:
        self.warnings.append(Problem(self.map.locate(path), message, warning=True))

    def report_pydantic(
        self, error: ValidationError, raw: Mapping[str, Any], path: DataPath, model: type[BaseModel]
    ) -> None:
        found: list[tuple[DataPath, str, str, bool]] = []
        for detail in error.errors(include_url=False):
            data_path, node = _walk_loc(raw, detail["loc"])
            kind = detail["type"]
            at_key = False
            if kind == "extra_forbidden":
                name = str(detail["loc"][-1])
                owner = _owner_model(model, data_path[:-1])
                message = _("unknown key {key!r}").format(key=name) + _did_you_mean(
                    name, _model_keys(owner)
                )
                at_key = True
            elif kind == "missing":
                message = _("missing key {key!r}").format(key=str(detail["loc"][-1]))
                data_path = data_path[:-1]
            else:
                field_name = next((str(p) for p in reversed(data_path) if isinstance(p, str)), "")
                message = _friendly(kind, detail, field_name, node)
            full = (*path, *data_path)
            if any(full[: len(b)] == b for b in self.map.broken):
                continue  # the YAML reader already said what is wrong here
            found.append((full, message, kind, at_key))
        # A union field fails once per alternative; keep the most specific report per place.
        deepest = [p for p, *_ in found]
        for data_path, message, kind, at_key in found:
            shadowed = kind.endswith("_type") and any(
                len(other) > len(data_path) and other[: len(data_path)] == data_path
                for other in deepest
            )
            if not shadowed:
                self.report(data_path, message, key=at_key)

    # -- validation of the parts --------------------------------------------------------------

    def build(self, data: object, files: dict[str, bytes], display_dir: str) -> Bundle | None:
        if not isinstance(data, dict):
            self.report((), _("the file must be a mapping of keys (id, version, title, sections)"))
            return None
        sections_raw = data.get("sections")
        sections: list[SectionSpec] = []
        if isinstance(sections_raw, list):
            for index, raw in enumerate(sections_raw):
                section = self.section(raw, ("sections", index))
                if section is not None:
                    sections.append(section)
        lists_raw = data.get("choice_lists")
        top = dict(data)
        if isinstance(sections_raw, list):
            top["sections"] = sections
        try:
            spec = BundleSpec.model_validate(top)
        except ValidationError as error:
            self.report_pydantic(error, top, (), BundleSpec)
            spec = None
        if spec is None:
            # Keep checking what we can: ids, expressions and references of the valid sections.
            spec = BundleSpec.model_construct(
                id="invalid",
                version="0",
                title="?",
                source_language="nl",
                languages=[],
                choice_lists=_valid_lists(lists_raw),
                sections=sections,
            )
        return self.assemble(spec, files, display_dir)

    def section(self, raw: object, path: DataPath) -> SectionSpec | None:
        if not isinstance(raw, dict):
            self.report(path, _("a section must be a mapping with id, title and questions"))
            return None
        raw = dict(raw)
        children = self.children(raw, path)
        candidate = raw | ({"questions": children} if children is not None else {})
        try:
            return self.origins.keep(SectionSpec.model_validate(candidate), path)
        except ValidationError as error:
            self.report_pydantic(error, raw, path, SectionSpec)
            if isinstance(raw.get("id"), str):
                self.broken_ids.add(raw["id"])
            # Its questions were checked; remember them too so references do not cascade.
            self.broken_ids.update(i for child in children or () for i in _all_ids(child))
            return None

    def children(self, raw: dict[str, Any], path: DataPath) -> list[QuestionSpec] | None:
        items = raw.get("questions")
        if not isinstance(items, list):
            return None
        valid: list[QuestionSpec] = []
        for index, child in enumerate(items):
            question = self.question(child, (*path, "questions", index))
            if question is not None:
                valid.append(question)
        return valid

    def question(self, raw: object, path: DataPath) -> QuestionSpec | None:
        if not isinstance(raw, dict):
            self.report(path, _("a question must be a mapping with at least id and type"))
            return None
        raw = dict(raw)
        children = self.children(raw, path)
        candidate = raw | ({"questions": children} if children is not None else {})
        try:
            return self.origins.keep(QuestionSpec.model_validate(candidate), path)
        except ValidationError as error:
            self.report_pydantic(error, raw, path, QuestionSpec)
            qid = raw.get("id")
            if isinstance(qid, str):
                self.broken_ids.add(qid)
                # Its children were checked; remember them too so references do not cascade.
                for child in children or ():
                    self.broken_ids.update(_all_ids(child))
            return None

    # -- the whole bundle ---------------------------------------------------------------------

    def assemble(
        self, spec: BundleSpec, files: dict[str, bytes], display_dir: str
    ) -> Bundle | None:
        check_language_tags(spec, self.report)
        self.context_fields = follow_up_names(spec, display_dir, self.warn)
        choice_lists = check_choice_lists(spec, self.report, files, display_dir, self.problems)
        items: dict[str, Item] = {}
        order: list[str] = []
        raw_items: list[
            tuple[QuestionSpec | SectionSpec, DataPath, str, str | None, str | None]
        ] = []
        first_seen: dict[str, DataPath] = {}

        def visit(
            node: QuestionSpec | SectionSpec,
            path: DataPath,
            section: str,
            parent: str | None,
            repeat: str | None,
        ) -> None:
            if node.id in first_seen:
                first = self.map.locate((*first_seen[node.id], "id"))
                self.report(
                    (*path, "id"),
                    _("duplicate id {id!r} (first defined at {line}:{column})").format(
                        id=node.id, line=first.line, column=first.column
                    ),
                )
            else:
                first_seen[node.id] = path
                raw_items.append((node, path, section, parent, repeat))
            if not ID_PATTERN.match(node.id) or node.id in RESERVED_NAMES:
                self.report(
                    (*path, "id"),
                    _(
                        "id {id!r} must be snake_case: a-z, digits and _ , starting with a letter"
                    ).format(id=node.id)
                    if node.id not in RESERVED_NAMES
                    else _("id {id!r} is a reserved word").format(id=node.id),
                )
            inner_repeat = repeat
            if isinstance(node, QuestionSpec) and node.type == "repeat":
                if repeat is not None:
                    self.report(
                        (*path, "type"),
                        _("a repeat cannot be inside another repeat ({outer!r})").format(
                            outer=repeat
                        ),
                    )
                inner_repeat = node.id
            for child in node.questions:
                visit(child, self.origins.path(child), section, node.id, inner_repeat)

        for section_spec in spec.sections:
            visit(section_spec, self.origins.path(section_spec), section_spec.id, None, None)

        repeat_of = {
            node.id: repeat for node, _p, _s, _pa, repeat in raw_items if repeat is not None
        }
        types = {
            node.id: (node.type if isinstance(node, QuestionSpec) else "section")
            for node, *_rest in raw_items
        }
        known = set(types) | self.broken_ids
        exports: dict[str, DataPath] = {}
        top_level = {node.id: types[node.id] for node, *_r, repeat in raw_items if repeat is None}
        for node, path, *_rest in raw_items:
            for field_name, text in texts_of(node):
                check_names(
                    text,
                    (*path, field_name),
                    top_level=top_level,
                    context=self.context_fields,
                    report=self.report,
                )

        for node, path, section, parent, repeat in raw_items:
            kind = types[node.id]
            children = tuple(child.id for child in node.questions)
            choices: tuple[Choice, ...] | None = None
            choice_source: ChoiceSource | None = None
            if isinstance(node, QuestionSpec):
                self.check_question(node, path)
                choices, choice_source = question_choices(node, path, choice_lists, self.report)
                list_name = node.choices if isinstance(node.choices, str) else None
                if node.type == "choice" and {c.value for c in choices or ()} == {"ja", "nee"}:
                    self.warn(
                        (*path, "type"),
                        _(
                            "a choice of only 'ja' and 'nee': use type yes_no, so every yes/no "
                            "question reads, orders and exports the same way"
                        ),
                    )
                if node.purpose and node.purpose.startswith(PURPOSE_PLACEHOLDER):
                    message = _("the purpose is a placeholder: write why this question is asked")
                    self.warn((*path, "purpose"), message)
                if misplaced := misplaced_exclusive(node.type, choices or (), list_name):
                    self.report((*path, *misplaced[0]), misplaced[1], key=True)
                check_export_key(node, path, exports, self.map, self.report)
            compiled: dict[str, Expression | None] = {}
            for field_name in EXPRESSION_FIELDS:
                source = getattr(node, field_name, None)
                if not isinstance(source, str):
                    compiled[field_name] = None
                    continue
                compiled[field_name] = self.expression(
                    source,
                    (*path, field_name),
                    field_name,
                    node.id,
                    repeat,
                    repeat_of,
                    types,
                    known,
                    choice_fields=frozenset(name for c in choices or () for name, _v in c.attrs),
                )
            required_spec = getattr(node, "required", False)
            items[node.id] = Item(
                id=node.id,
                type=kind,
                spec=node,
                section=section,
                parent=parent,
                repeat=repeat,
                children=children,
                relevant=compiled["relevant"],
                required=compiled["required"] or (required_spec is True),
                constraint=compiled["constraint"],
                calculate=compiled["calculate"],
                default=compiled["default"],
                choice_filter=compiled["choice_filter"],
                repeat_count=compiled["repeat_count"],
                choices=choices,
                choice_source=choice_source,
                location=self.map.locate(path),
            )
            order.append(node.id)

        dependents, topological = dependency_graph(items, raw_items, self.report)
        paths = {node.id: path for node, path, *_rest in raw_items}
        error = self.warn if self.pinned else self.report  # a pinned copy must always open
        found = check_roles(items, paths, has_plan=PLAN_FILE in files, error=error, warn=self.warn)
        check_renames(items, paths, error)
        if not VERSION_PATTERN.match(spec.version) and spec.id != "invalid":
            error(
                ("version",),
                _('version {version!r} must be MAJOR.MINOR.PATCH, e.g. "1.4.0"').format(
                    version=spec.version
                ),
            )
        check_item_types(
            items,
            sorted(items, key=topological.__getitem__),
            lambda item_id, field_name, expression, problem: self.report_at(
                (*paths[item_id], field_name),
                expression.source,
                problem.offset,
                problem.message,
                warning=self.pinned,
            ),
        )
        return Bundle(
            spec=spec,
            path=display_dir,
            sha256=bundle_sha256(files),
            files=files,
            items=items,
            order=tuple(order),
            sections=tuple(s.id for s in spec.sections),
            dependents=dependents,
            topological=topological,
            languages=tuple(dict.fromkeys([spec.source_language, *spec.languages])),
            warnings=tuple(sorted(set(self.warnings))),
            roles=found.roles,
            code_roles=found.code_roles,
            csv_lists={
                name: found_list
                for name, entry in spec.choice_lists.items()
                if isinstance(entry, ChoiceSourceSpec)
                and entry.csv is not None
                and isinstance(found_list := choice_lists.get(name), tuple)
            },
        )

    def expression(
        self,
        source: str,
        path: DataPath,
        field_name: str,
        owner: str,
        scope_repeat: str | None,
        repeat_of: Mapping[str, str],
        types: Mapping[str, str],
        known: set[str],
        *,
        choice_fields: frozenset[str] = frozenset(),
    ) -> Expression | None:
        try:
            expression = compile_expression(
                source,
                repeat_of=repeat_of,
                allow_value=field_name == "constraint",
                case_fields=CASE_FIELDS if field_name == "default" else frozenset(),
                choice_fields=choice_fields if field_name == "choice_filter" else None,
                context_fields=self.context_fields,
            )
        except ExpressionError as error:
            self.report_at(path, source, error.offset or 0, error.message)
            return None
        ok = True
        for name in sorted(expression.names):
            if name not in known:
                self.report(
                    path,
                    f"{field_name}: "
                    + _("unknown question {name!r}").format(name=name)
                    + _did_you_mean(name, [n for n in types if types[n] != "section"]),
                )
                ok = False
            elif types.get(name) in NO_VALUE_TYPES or types.get(name) == "section":
                self.report(
                    path,
                    f"{field_name}: "
                    + _("{name!r} is a {type}; it has no value").format(
                        name=name, type=types.get(name)
                    ),
                )
                ok = False
        for name in sorted(expression.free_names):
            inner = repeat_of.get(name)
            if name in types and inner is not None and inner != scope_repeat:
                self.report(
                    path,
                    f"{field_name}: "
                    + _(
                        "{name!r} is inside repeat {repeat!r}; outside it, use any_of, all_of, "
                        "max_of, min_of or count"
                    ).format(name=name, repeat=inner),
                )
                ok = False
        if field_name == "calculate" and owner in expression.names:
            self.report(path, f"{field_name}: " + _("a calculation cannot use its own value"))
            ok = False
        return expression if ok else None

    def report_at(
        self, path: DataPath, source: str, offset: int, message: str, *, warning: bool = False
    ) -> None:
        """A problem at character `offset` of the expression at `path` (its key is the prefix)."""
        where = expression_location(self.map, path, source, offset)
        found = Problem(where, f"{path[-1]}: {message}", warning=warning)
        (self.warnings if warning else self.problems).append(found)

    def check_question(self, node: QuestionSpec, path: DataPath) -> None:
        kind = node.type
        if kind != "group" and node.label is None:
            self.report(path, _("missing key 'label'"))
        if kind in VALUE_TYPES:
            for key in ("purpose", "sensitivity"):
                if getattr(node, key) is None:
                    self.report(
                        path,
                        _("missing key {key!r}: every question that holds a value needs it").format(
                            key=key
                        ),
                    )
        if kind in CONTAINER_TYPES and not node.questions:
            self.report(path, _("a {type} needs questions").format(type=kind))
        if kind not in CONTAINER_TYPES and "questions" in node.model_fields_set:
            self.report(
                (*path, "questions"),
                _("only a group or repeat can hold questions"),
                key=True,
            )
        if kind in NO_VALUE_TYPES | {"repeat"}:
            # A repeat holds a list of instances: it can be exported, never typed or calculated.
            keys = ("calculate", "constraint", "pattern", "format", "allow")
            for key in keys if kind == "repeat" else (*keys, "export"):
                if getattr(node, key):
                    self.report(
                        (*path, key),
                        _("{key!r} does not apply to a {type}").format(key=key, type=kind),
                        key=True,
                    )
        if node.required_message is not None and (kind in NO_VALUE_TYPES or not node.required):
            self.warn(
                (*path, "required_message"),
                _("'required_message' is shown only when a required question is left empty"),
            )
        if node.pattern is not None:
            if kind != "text":
                self.report(
                    (*path, "pattern"), _("'pattern' applies only to text questions"), key=True
                )
            try:
                compile_pattern(node.pattern)
            except PatternError as error:
                # A copy an interview was pinned to may hold a pattern Python's re took (issue
                # 18 moved to RE2): there it is a warning, and the engine does not check it.
                (self.warn if self.pinned else self.report)(
                    (*path, "pattern"),
                    _("invalid regular expression: {reason}").format(reason=error),
                )
        if node.format is not None and kind != "text":
            self.report((*path, "format"), _("'format' applies only to text questions"), key=True)
        if node.default is not None and (kind in NO_DEFAULT_TYPES or node.calculate is not None):
            self.report(
                (*path, "default"),
                _("'default' does not apply to a calculated question")
                if node.calculate is not None
                else _("'default' does not apply to a {type}").format(type=kind),
                key=True,
            )
        if node.calculate is not None and node.allow:
            self.report(
                (*path, "allow"),
                _("a calculated question is never asked; 'allow' does not apply"),
                key=True,
            )
        check_counted_and_filtered(node, path, self.report)
        self.check_bounds(node, path)

    def check_bounds(self, node: QuestionSpec, path: DataPath) -> None:
        kind = node.type
        parsed: dict[str, object] = {}
        for key in ("min", "max"):
            bound = getattr(node, key)
            if bound is None:
                continue
            if kind in NUMBER_TYPES or kind in COUNTED_TYPES:
                if isinstance(bound, str) or (kind != "decimal" and not isinstance(bound, int)):
                    self.report(
                        (*path, key),
                        _("{key!r} must be a whole number here").format(key=key)
                        if kind != "decimal"
                        else _("{key!r} must be a number").format(key=key),
                    )
                    continue
                parsed[key] = bound
            elif kind == "date":
                import datetime as dt

                try:
                    parsed[key] = dt.date.fromisoformat(str(bound))
                except ValueError:
                    self.report(
                        (*path, key),
                        _('{key!r} must be a date written as "YYYY-MM-DD"').format(key=key),
                    )
            else:
                self.report(
                    (*path, key),
                    _("{key!r} does not apply to a {type}").format(key=key, type=kind),
                    key=True,
                )
        low, high = parsed.get("min"), parsed.get("max")
        if low is not None and high is not None and low > high:  # type: ignore[operator]
            self.report(
                (*path, "min"),
                _("min ({low}) is larger than max ({high})").format(low=node.min, high=node.max),
            )
