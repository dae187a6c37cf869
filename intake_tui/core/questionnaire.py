"""Questionnaire bundles: the pydantic models of the format and the loader that checks them.

A bundle is a folder with `questionnaire.yaml`, `plan.yaml` and `translations/<lang>.po`
(docs/bundle-format.md). `load_bundle()` returns a `Bundle` ready for the interview engine:
every expression compiled, every question indexed, the dependency graph built. Anything wrong is
reported all at once, each problem as `path:line:col: message` with a "did you mean" where a
name or key looks misspelt.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError

from intake_tui.core.choices import misplaced_exclusive
from intake_tui.core.expressions import Expression, ExpressionError, compile_expression
from intake_tui.core.values import VALUE_TYPES
from intake_tui.core.yamlsource import (
    DataPath,
    Location,
    Problem,
    SourceMap,
    YamlReadError,
    read_yaml_bytes,
)
from intake_tui.i18n import _

QUESTIONNAIRE_FILE = "questionnaire.yaml"
PLAN_FILE = "plan.yaml"
TRANSLATIONS_DIR = "translations"

QuestionType = Literal[
    "text",
    "longtext",
    "integer",
    "decimal",
    "date",
    "year",
    "yes_no",
    "choice",
    "multi_choice",
    "note",
    "group",
    "repeat",
]
Sensitivity = Literal["personal", "confidential", "special"]
ChoiceSource = Literal["countries", "languages"]

ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*\Z")
CHOICE_VALUE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")
EXPORT_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\Z")
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?\Z")
RESERVED_NAMES = frozenset({"value", "true", "false", "null", "True", "False", "None"})

CONTAINER_TYPES = frozenset({"group", "repeat"})
NO_VALUE_TYPES = frozenset({"note", "group"})
NUMBER_TYPES = frozenset({"integer", "decimal", "year"})
CHOICE_TYPES = frozenset({"choice", "multi_choice"})
COUNTED_TYPES = frozenset({"multi_choice", "repeat"})

Text = Annotated[StrictStr, Field(min_length=1, max_length=4000)]
Bound = int | Decimal | StrictStr


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class ChoiceSpec(_Strict):
    """One answer option: a stable code and its Dutch label (`exclusive`: chosen alone)."""

    value: StrictStr
    label: Text
    hint: Text | None = None
    exclusive: StrictBool = False


class ChoiceSourceSpec(_Strict):
    """A choice list whose codes and names come from CLDR (through Babel)."""

    source: ChoiceSource


class QuestionSpec(_Strict):
    """One item of a questionnaire as written in questionnaire.yaml."""

    id: StrictStr
    type: QuestionType
    label: Text | None = None
    hint: Text | None = None
    choices: list[ChoiceSpec] | StrictStr | None = None
    required: StrictBool | StrictStr = False
    relevant: StrictStr | None = None
    constraint: StrictStr | None = None
    constraint_message: Text | None = None
    calculate: StrictStr | None = None
    min: Bound | None = None
    max: Bound | None = None
    pattern: StrictStr | None = None
    format: Literal["bsn"] | None = None
    allow: list[Literal["unknown", "declined"]] = Field(default_factory=list)
    sensitivity: Sensitivity | None = None
    purpose: Text | None = None
    export: StrictStr | None = None
    questions: list[QuestionSpec] = Field(default_factory=list)


class SectionSpec(_Strict):
    """A section: a titled, ordered list of questions."""

    id: StrictStr
    title: Text
    description: Text | None = None
    relevant: StrictStr | None = None
    questions: list[QuestionSpec]


class BundleSpec(_Strict):
    """A whole questionnaire.yaml."""

    id: Annotated[StrictStr, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    version: Annotated[StrictStr, Field(min_length=1, max_length=40)]
    title: Text
    description: Text | None = None
    source_language: StrictStr = "nl"
    languages: list[StrictStr] = Field(default_factory=list)
    choice_lists: dict[StrictStr, list[ChoiceSpec] | ChoiceSourceSpec] = Field(default_factory=dict)
    sections: list[SectionSpec]


@dataclass(frozen=True)
class Choice:
    """An answer option as the engine and UI use it (label in Dutch; UI translates by key)."""

    value: str
    label: str
    hint: str | None
    key: str  # translation key prefix, e.g. `choice_list.niveau.basis`
    exclusive: bool = False  # "Geen van deze": ticking it clears the others (core/choices.py)


@dataclass(frozen=True, eq=False)
class Item:
    """A section or question of a loaded bundle, with its place in the tree and its expressions."""

    id: str
    type: str  # a QuestionType, or "section"
    spec: QuestionSpec | SectionSpec
    section: str
    parent: str | None  # the enclosing group/repeat/section id; None for a section
    repeat: str | None  # the repeat this item is inside of (None at top level)
    children: tuple[str, ...]
    relevant: Expression | None
    required: bool | Expression
    constraint: Expression | None
    calculate: Expression | None
    choices: tuple[Choice, ...] | None
    choice_source: ChoiceSource | None
    location: Location

    @property
    def holds_value(self) -> bool:
        return self.type in VALUE_TYPES

    @property
    def is_question(self) -> bool:
        return self.type != "section"

    @property
    def label(self) -> str:
        if isinstance(self.spec, SectionSpec):
            return self.spec.title
        return self.spec.label or self.id

    @property
    def question(self) -> QuestionSpec:
        assert isinstance(self.spec, QuestionSpec)
        return self.spec

    def choice_codes(self) -> frozenset[str]:
        return frozenset(c.value for c in self.choices or ())


@dataclass(eq=False)
class Bundle:
    """A checked questionnaire bundle, ready for interviews."""

    spec: BundleSpec
    path: str
    sha256: str
    files: dict[str, bytes]
    items: dict[str, Item]
    order: tuple[str, ...]  # every item, depth first, in questionnaire order
    sections: tuple[str, ...]
    dependents: dict[
        str, tuple[str, ...]
    ]  # id -> ids whose visibility/value can change, topological
    topological: dict[str, int]
    languages: tuple[str, ...] = field(default=())
    plan: Any = None  # PlanRules from plan.yaml (set by the loader; typed in core.plan.rules)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def version(self) -> str:
        return self.spec.version

    @property
    def questions(self) -> list[Item]:
        """Every question (not the sections), in order."""
        return [self.items[i] for i in self.order if self.items[i].is_question]

    def value_questions(self) -> list[Item]:
        """The questions that hold a value, in order."""
        return [self.items[i] for i in self.order if self.items[i].holds_value]


class BundleError(Exception):
    """A bundle did not load; `problems` lists everything wrong, each with its place."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def bundle_files(directory: Path) -> dict[str, bytes]:
    """The files that make up a bundle (their relative paths and bytes), for pinning and hashing."""
    files: dict[str, bytes] = {}
    for name in (QUESTIONNAIRE_FILE, PLAN_FILE):
        path = directory / name
        if path.is_file():
            files[name] = path.read_bytes()
    translations = directory / TRANSLATIONS_DIR
    if translations.is_dir():
        for po in sorted(translations.glob("*.po")):
            files[f"{TRANSLATIONS_DIR}/{po.name}"] = po.read_bytes()
    return files


def bundle_sha256(files: Mapping[str, bytes]) -> str:
    """One digest over names and contents, so any change to any file of a bundle shows."""
    digest = hashlib.sha256()
    for name in sorted(files):
        content = files[name]
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def resolve_bundle_path(path: Path) -> Path:
    """A bundle folder from a folder or a path to its questionnaire.yaml."""
    if path.is_file() or path.name == QUESTIONNAIRE_FILE:
        return path.parent
    return path


def load_bundle(path: Path | str) -> Bundle:
    """Load and check the bundle at `path` (a folder or its questionnaire.yaml)."""
    bundle, problems = check_bundle(path)
    if problems or bundle is None:
        raise BundleError(problems)
    return bundle


def check_bundle(path: Path | str) -> tuple[Bundle | None, list[Problem]]:
    """Load a bundle and return it with every problem found (the bundle is None when any)."""
    given = Path(path)
    directory = resolve_bundle_path(given)
    display_dir = given.parent if given.name == QUESTIONNAIRE_FILE else given
    display = str(display_dir / QUESTIONNAIRE_FILE)
    source = directory / QUESTIONNAIRE_FILE
    if not directory.is_dir():
        return None, [Problem(Location(str(given), 1, 1), _("no such bundle folder"))]
    if not source.is_file():
        return None, [Problem(Location(display, 1, 1), _("file not found"))]
    try:
        files = bundle_files(directory)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return None, [
            Problem(Location(display, 1, 1), _("cannot read file: {reason}").format(reason=reason))
        ]
    return load_bundle_files(files, display_dir=str(display_dir))


def load_bundle_files(
    files: Mapping[str, bytes], *, display_dir: str = "<bundle>"
) -> tuple[Bundle | None, list[Problem]]:
    """Load a bundle from its files' bytes (e.g. the copy pinned in an interview)."""
    display = f"{display_dir}/{QUESTIONNAIRE_FILE}"
    raw = files.get(QUESTIONNAIRE_FILE)
    if raw is None:
        return None, [Problem(Location(display, 1, 1), _("file not found"))]
    try:
        data, source_map, problems = read_yaml_bytes(raw, display)
    except YamlReadError as error:
        return None, [error.problem]
    builder = _Builder(source_map, problems)
    bundle = builder.build(data, dict(files), display_dir)
    problems = sorted(set(builder.problems))
    if problems or bundle is None:
        return None, problems
    # The plan rules read the questions, so they are checked once the questions are sound.
    from intake_tui.core.plan.rules import load_plan_rules

    bundle.plan, plan_problems = load_plan_rules(bundle, f"{display_dir}/{PLAN_FILE}")
    if plan_problems:
        return None, plan_problems
    return bundle, []


def _did_you_mean(word: str, candidates: Iterable[str]) -> str:
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.75)
    if matches:
        return " " + _("(did you mean {name!r}?)").format(name=matches[0])
    return ""


def _model_keys(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


class _Builder:
    """Checks a parsed questionnaire.yaml piece by piece and assembles the `Bundle`."""

    def __init__(self, source_map: SourceMap, problems: list[Problem]) -> None:
        self.map = source_map
        self.problems = list(problems)
        self.broken_ids: set[str] = set()  # ids of items that failed validation: no cascades

    # -- reporting --------------------------------------------------------------------------

    def report(self, path: DataPath, message: str, *, key: bool = False) -> None:
        self.problems.append(Problem(self.map.locate(path, key=key), message))

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
        try:
            return SectionSpec.model_validate(
                raw | ({"questions": children} if children is not None else {})
            )
        except ValidationError as error:
            self.report_pydantic(error, raw, path, SectionSpec)
            if isinstance(raw.get("id"), str):
                self.broken_ids.add(raw["id"])
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
            return QuestionSpec.model_validate(candidate)
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
        self.check_languages(spec)
        choice_lists = self.check_choice_lists(spec)
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
            for index, child in enumerate(node.questions):
                visit(child, (*path, "questions", index), section, node.id, inner_repeat)

        for index, section_spec in enumerate(spec.sections):
            visit(section_spec, ("sections", index), section_spec.id, None, None)

        repeat_of = {
            node.id: repeat for node, _p, _s, _pa, repeat in raw_items if repeat is not None
        }
        types = {
            node.id: (node.type if isinstance(node, QuestionSpec) else "section")
            for node, *_rest in raw_items
        }
        known = set(types) | self.broken_ids
        exports: dict[str, DataPath] = {}

        for node, path, section, parent, repeat in raw_items:
            kind = types[node.id]
            children = tuple(child.id for child in node.questions)
            compiled: dict[str, Expression | None] = {}
            for field_name in ("relevant", "constraint", "calculate", "required"):
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
                )
            choices: tuple[Choice, ...] | None = None
            choice_source: ChoiceSource | None = None
            if isinstance(node, QuestionSpec):
                self.check_question(node, path)
                choices, choice_source = self.question_choices(node, path, choice_lists)
                list_name = node.choices if isinstance(node.choices, str) else None
                if misplaced := misplaced_exclusive(node.type, choices or (), list_name):
                    self.report((*path, *misplaced[0]), misplaced[1], key=True)
                if node.export is not None:
                    if not EXPORT_PATTERN.match(node.export):
                        self.report(
                            (*path, "export"),
                            _("export key {key!r} must be dotted snake_case (person.bsn)").format(
                                key=node.export
                            ),
                        )
                    elif node.export in exports:
                        first = self.map.locate((*exports[node.export], "export"))
                        self.report(
                            (*path, "export"),
                            _("export key {key!r} is used twice (first at {line}:{column})").format(
                                key=node.export, line=first.line, column=first.column
                            ),
                        )
                    else:
                        exports[node.export] = path
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
                choices=choices,
                choice_source=choice_source,
                location=self.map.locate(path),
            )
            order.append(node.id)

        dependents, topological = self.dependency_graph(items, raw_items)
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
    ) -> Expression | None:
        try:
            expression = compile_expression(
                source, repeat_of=repeat_of, allow_value=field_name == "constraint"
            )
        except ExpressionError as error:
            where = self.expression_location(path, source, error.offset or 0)
            self.problems.append(Problem(where, f"{field_name}: {error.message}"))
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

    def expression_location(self, path: DataPath, source: str, offset: int) -> Location:
        start = self.map.locate(path)
        if "\n" in source[:offset]:
            return start  # a block scalar: the start of the expression is close enough
        # A plain scalar starts exactly at the text; a quoted one a character later.
        quote = 1 if path in self.map.quoted else 0
        return Location(start.path, start.line, start.column + quote + offset)

    def check_languages(self, spec: BundleSpec) -> None:
        tags = [("source_language", None, spec.source_language)] + [
            ("languages", i, tag) for i, tag in enumerate(spec.languages)
        ]
        for key, index, tag in tags:
            if not LANGUAGE_TAG.match(tag):
                path: DataPath = (key,) if index is None else (key, index)
                self.report(
                    path,
                    _(
                        "{tag!r} is not a valid language tag (BCP 47, e.g. 'nl', 'ar', 'prs')"
                    ).format(tag=tag),
                )

    def check_choice_lists(self, spec: BundleSpec) -> dict[str, tuple[Choice, ...] | ChoiceSource]:
        lists: dict[str, tuple[Choice, ...] | ChoiceSource] = {}
        for name, entry in spec.choice_lists.items():
            if not ID_PATTERN.match(name):
                self.report(
                    ("choice_lists", name),
                    _("list name {name!r} must be snake_case").format(name=name),
                    key=True,
                )
            if isinstance(entry, ChoiceSourceSpec):
                lists[name] = entry.source
            else:
                lists[name] = self.choices(entry, ("choice_lists", name), f"choice_list.{name}")
        return lists

    def choices(self, entries: list[ChoiceSpec], path: DataPath, key: str) -> tuple[Choice, ...]:
        seen: set[str] = set()
        result: list[Choice] = []
        if not entries:
            self.report(path, _("a choice list needs at least one choice"))
        for index, choice in enumerate(entries):
            if not CHOICE_VALUE_PATTERN.match(choice.value):
                self.report(
                    (*path, index, "value"),
                    _(
                        "choice value {value!r} must be a short code (letters, digits, _ and -)"
                    ).format(value=choice.value),
                )
            if choice.value in seen:
                self.report(
                    (*path, index, "value"),
                    _("choice value {value!r} appears twice").format(value=choice.value),
                )
            seen.add(choice.value)
            at = f"{key}.{choice.value}"
            result.append(Choice(choice.value, choice.label, choice.hint, at, choice.exclusive))
        return tuple(result)

    def question_choices(
        self,
        node: QuestionSpec,
        path: DataPath,
        lists: Mapping[str, tuple[Choice, ...] | ChoiceSource],
    ) -> tuple[tuple[Choice, ...] | None, ChoiceSource | None]:
        if node.type not in CHOICE_TYPES:
            if node.choices is not None:
                self.report(
                    (*path, "choices"),
                    _("choices are only for choice and multi_choice questions"),
                    key=True,
                )
            return None, None
        if node.choices is None:
            self.report(path, _("a {type} question needs choices").format(type=node.type))
            return None, None
        if isinstance(node.choices, str):
            found = lists.get(node.choices)
            if found is None:
                self.report(
                    (*path, "choices"),
                    _("unknown choice list {name!r}").format(name=node.choices)
                    + _did_you_mean(node.choices, lists),
                )
                return None, None
            if isinstance(found, str):
                return source_choices(found), found
            return found, None
        return self.choices(node.choices, (*path, "choices"), f"question.{node.id}.choice"), None

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
        if node.pattern is not None:
            if kind != "text":
                self.report(
                    (*path, "pattern"), _("'pattern' applies only to text questions"), key=True
                )
            try:
                re.compile(node.pattern)
            except (re.error, RecursionError, OverflowError) as error:
                self.report(
                    (*path, "pattern"),
                    _("invalid regular expression: {reason}").format(reason=error),
                )
        if node.format is not None and kind != "text":
            self.report((*path, "format"), _("'format' applies only to text questions"), key=True)
        if node.calculate is not None and node.allow:
            self.report(
                (*path, "allow"),
                _("a calculated question is never asked; 'allow' does not apply"),
                key=True,
            )
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

    def dependency_graph(
        self,
        items: Mapping[str, Item],
        raw_items: list[tuple[QuestionSpec | SectionSpec, DataPath, str, str | None, str | None]],
    ) -> tuple[dict[str, tuple[str, ...]], dict[str, int]]:
        """Who must be recomputed when an answer changes, in an order where inputs come first.

        An item's visibility depends on its own `relevant` names and its parent's visibility; its
        value (as expressions see it) depends on its visibility and, if calculated, on the
        `calculate` names. A cycle would make answers depend on themselves, so it is an error.
        """
        inputs: dict[str, set[str]] = {item_id: set() for item_id in items}
        for item in items.values():
            if item.relevant is not None:
                inputs[item.id].update(n for n in item.relevant.names if n in items)
            if item.calculate is not None:
                inputs[item.id].update(n for n in item.calculate.names if n in items)
            if item.parent is not None:
                inputs[item.id].add(item.parent)
        paths = {node.id: path for node, path, *_rest in raw_items}
        order: list[str] = []
        state: dict[str, int] = {}  # 1 = visiting, 2 = done
        for start in items:
            if state.get(start):
                continue
            stack: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(inputs[start])))]
            state[start] = 1
            trail = [start]
            while stack:
                node, pending = stack[-1]
                advanced = False
                for nxt in pending:
                    if state.get(nxt) == 1:
                        cycle = [*trail[trail.index(nxt) :], nxt]
                        self.report(
                            paths.get(nxt, ()),
                            _("dependency cycle: {cycle}").format(cycle=" → ".join(cycle)),
                        )
                        continue
                    if not state.get(nxt):
                        state[nxt] = 1
                        trail.append(nxt)
                        stack.append((nxt, iter(sorted(inputs[nxt]))))
                        advanced = True
                        break
                if not advanced:
                    stack.pop()
                    trail.pop()
                    state[node] = 2
                    order.append(node)
        topological = {item_id: index for index, item_id in enumerate(order)}
        direct: dict[str, set[str]] = {item_id: set() for item_id in items}
        for item_id, sources in inputs.items():
            for source in sources:
                direct[source].add(item_id)
        dependents: dict[str, tuple[str, ...]] = {}
        for item_id in items:
            seen: set[str] = set()
            todo = list(direct[item_id])
            while todo:
                nxt = todo.pop()
                if nxt not in seen:
                    seen.add(nxt)
                    todo.extend(direct[nxt])
            dependents[item_id] = tuple(sorted(seen, key=lambda i: topological[i]))
        return dependents, topological


def _walk_loc(raw: object, loc: tuple[int | str, ...]) -> tuple[DataPath, object]:
    """The part of a pydantic error location that is a real path in the data (drops union tags)."""
    path: list[str | int] = []
    node = raw
    for part in loc:
        if _has_part(node, part):
            path.append(part)
            node = node[part]  # type: ignore[index]
        elif isinstance(node, dict) and isinstance(part, str) and not _is_type_tag(part):
            path.append(part)  # a missing or extra key: its name is still the place
            node = None
    return tuple(path), node


def _has_part(node: object, part: int | str) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _is_type_tag(part: str) -> bool:
    return any(mark in part for mark in ("[", "(", "function-")) or part in {
        "str",
        "int",
        "bool",
        "decimal",
        "list",
        "dict",
        "ChoiceSpec",
        "ChoiceSourceSpec",
        "literal",
    }


def _owner_model(model: type[BaseModel], path: DataPath) -> type[BaseModel]:
    """The model that owns the mapping at `path` inside `model` (for key suggestions)."""
    names = [p for p in path if isinstance(p, str)]
    current = model
    nested: dict[str, type[BaseModel]] = {
        "questions": QuestionSpec,
        "sections": SectionSpec,
        "choices": ChoiceSpec,
    }
    for name in names:
        current = nested.get(name, current)
    if names and names[-1] == "choice_lists":
        return ChoiceSourceSpec
    return current


def _friendly(kind: str, detail: Mapping[str, Any], field_name: str, node: object) -> str:
    if kind == "literal_error":
        expected = detail.get("ctx", {}).get("expected", "")
        shown = repr(node) if not isinstance(node, (dict, list)) else type(node).__name__
        message = _("{key!r} is {value}; expected one of {expected}").format(
            key=field_name, value=shown, expected=expected
        )
        if isinstance(node, str) and "'" in str(expected):
            options = re.findall(r"'([^']*)'", str(expected))
            message += _did_you_mean(node, options)
        return message
    if kind in ("string_type", "str_type"):
        return _("{key!r} must be text (put it in quotes)").format(key=field_name)
    if kind in ("bool_type", "bool_parsing"):
        return _("{key!r} must be true or false").format(key=field_name)
    if kind in ("list_type",):
        return _("{key!r} must be a list").format(key=field_name)
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("{key!r} must be a mapping of keys").format(key=field_name)
    if kind == "string_too_short":
        return _("{key!r} must not be empty").format(key=field_name)
    if kind == "string_too_long":
        return _("{key!r} is too long").format(key=field_name)
    if kind == "string_pattern_mismatch":
        return _("{key!r} has characters that are not allowed").format(key=field_name)
    return f"{field_name}: {detail.get('msg', kind)}"


def _all_ids(question: QuestionSpec) -> Iterator[str]:
    yield question.id
    for child in question.questions:
        yield from _all_ids(child)


def _valid_lists(raw: object) -> dict[str, list[ChoiceSpec] | ChoiceSourceSpec]:
    """The choice lists that validate on their own, when the top level as a whole did not."""
    result: dict[str, list[ChoiceSpec] | ChoiceSourceSpec] = {}
    if not isinstance(raw, dict):
        return result
    for name, entry in raw.items():
        try:
            if isinstance(entry, dict):
                result[name] = ChoiceSourceSpec.model_validate(entry)
            elif isinstance(entry, list):
                result[name] = [ChoiceSpec.model_validate(c) for c in entry]
        except ValidationError:
            continue
    return result


_SOURCE_CACHE: dict[str, tuple[Choice, ...]] = {}


def source_choices(source: ChoiceSource) -> tuple[Choice, ...]:
    """The codes of a CLDR-backed list (ISO 3166 territories or ISO 639 languages), Dutch names.

    The UI names them in its own language through `intake_tui.i18n`; the engine needs the codes.
    """
    cached = _SOURCE_CACHE.get(source)
    if cached is not None:
        return cached
    # Babel is imported only when a bundle uses a CLDR-backed list.
    from babel import Locale

    locale = Locale("nl")
    if source == "countries":
        names: Mapping[str, str] = {
            code: name
            for code, name in locale.territories.items()
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
        }
    else:
        names = {
            code: name
            for code, name in locale.languages.items()
            if code.isalpha() and code.islower() and 2 <= len(code) <= 3
        }
    choices = tuple(
        Choice(code, name, None, f"{source}.{code}")
        for code, name in sorted(names.items(), key=lambda kv: kv[1].casefold())
    )
    _SOURCE_CACHE[source] = choices
    return choices


# CLDR territory codes that are not countries a person comes from.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})
