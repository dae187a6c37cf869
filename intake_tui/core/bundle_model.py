"""The questionnaire bundle format: the pydantic models of questionnaire.yaml, and the `Bundle`
the engine runs (items indexed, expressions compiled). Loading and checking: core/questionnaire.py.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from intake_tui.core.expressions import Expression
from intake_tui.core.values import VALUE_TYPES
from intake_tui.core.yamlsource import (
    Location,
    Problem,
)

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
# Who an item speaks to: the newcomer (their language beside the Dutch) or the caseworker only.
Audience = Literal["newcomer", "caseworker"]
ChoiceSource = Literal["countries", "languages"]
# A choice list read from a CSV file in the bundle folder (`source: gemeenten.csv`).
CSV_SOURCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\.csv\Z")

ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*\Z")
CHOICE_VALUE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")
EXPORT_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\Z")
# A bundle's version: MAJOR.MINOR.PATCH, compared as numbers (1.10.0 is newer than 1.9.0).
VERSION_PATTERN = re.compile(r"(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})\Z")
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?\Z")
# What a question's `default:` may read as `case.<field>`: the new-intake form's facts.
CASE_FIELDS = frozenset(
    {
        "given_name",
        "family_name",
        "client_language",
        "interpreter",
        "interpreter_mode",
        "interpreter_language",
    }
)
# The values of `case.interpreter_mode`: how the new-intake form records the interpreter's form
# (a bundle's list of forms uses the same codes for its `default: case.interpreter_mode`).
INTERPRETER_MODES = ("telefonisch", "fysiek", "video")
# `repeat_count:` keeps at most this many instances unless the repeat's `max:` says fewer (or
# more, up to REPEAT_COUNT_LIMIT): hostile input never creates millions of instances.
REPEAT_COUNT_DEFAULT_MAX = 50
REPEAT_COUNT_LIMIT = 500
# A choice's filter attributes (`attrs: {regio: noord}`): snake_case names, short values.
ATTR_VALUE_MAX = 200
# A default proposes one value to confirm; ticks of a multi-choice are saved one by one.
NO_DEFAULT_TYPES = frozenset({"note", "group", "repeat", "multi_choice"})
# A purpose still to be written (what `import-xlsform` puts where an XLSForm has none): loads and
# previews, but is a warning, so `validate --strict` and publish-bundle refuse the bundle.
PURPOSE_PLACEHOLDER = "TODO:"
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
    role: StrictStr | None = None  # a code role the app reads (core/roles.py)
    renamed_from: list[StrictStr] = Field(default_factory=list)  # earlier codes (core/migration.py)
    # filter attributes a `choice_filter:` reads as `choice.<name>`
    attrs: dict[StrictStr, Annotated[StrictStr, Field(max_length=ATTR_VALUE_MAX)]] = Field(
        default_factory=dict
    )


class ChoiceSourceSpec(_Strict):
    """A choice list whose codes and names come from CLDR (through Babel), or from a CSV file
    in the bundle folder (`source: gemeenten.csv`, core/choice_csv.py)."""

    source: StrictStr  # countries, languages or a file name (core/bundle_choices.py checks)

    @property
    def csv(self) -> str | None:
        """The CSV file's name, for a list read from the bundle."""
        return self.source if CSV_SOURCE.match(self.source) else None

    @property
    def cldr(self) -> ChoiceSource | None:
        """`countries` or `languages`: a list named by CLDR."""
        return self.source if self.source in ("countries", "languages") else None  # type: ignore[return-value]


class QuestionSpec(_Strict):
    """One item of a questionnaire as written in questionnaire.yaml."""

    id: StrictStr
    type: QuestionType
    label: Text | None = None
    hint: Text | None = None
    choices: list[ChoiceSpec] | StrictStr | None = None
    required: StrictBool | StrictStr = False
    required_message: Text | None = None  # shown when a required question is left empty
    relevant: StrictStr | None = None
    constraint: StrictStr | None = None
    constraint_message: Text | None = None
    calculate: StrictStr | None = None
    default: StrictStr | None = None
    min: Bound | None = None
    max: Bound | None = None
    pattern: StrictStr | None = None
    format: Literal["bsn"] | None = None
    allow: list[Literal["unknown", "declined"]] = Field(default_factory=list)
    sensitivity: Sensitivity | None = None
    purpose: Text | None = None
    export: StrictStr | None = None
    audience: Audience = "newcomer"
    role: StrictStr | None = None  # what the app reads this answer as (core/roles.py)
    renamed_from: list[StrictStr] = Field(default_factory=list)  # earlier ids (core/migration.py)
    choice_filter: StrictStr | None = None  # which choices are offered (core/choice_filter.py)
    repeat_count: StrictStr | None = None  # a repeat's number of instances (core/choice_filter.py)
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
    # A follow-up conversation's bundle names the intake bundle it follows (store/followups.py).
    follows: Annotated[StrictStr, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")] | None = None
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
    role: str | None = None  # a code role (core/roles.py)
    renamed_from: tuple[str, ...] = ()  # the codes it had in earlier versions of the bundle
    attrs: tuple[tuple[str, str], ...] = ()  # filter attributes, `choice.<name>` in a filter

    def attr(self, name: str) -> str | None:
        """The value of filter attribute `name`, None when this choice has none."""
        return next((value for key, value in self.attrs if key == name), None)


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
    default: Expression | None = None  # proposed once, confirmed by the caseworker (engine.py)
    choice_filter: Expression | None = None  # the choices offered (core/choice_filter.py)
    repeat_count: Expression | None = None  # the number of instances (core/choice_filter.py)

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
    def for_caseworker(self) -> bool:
        """Spoken to the caseworker only (`audience: caseworker`): nothing in their language."""
        return isinstance(self.spec, QuestionSpec) and self.spec.audience == "caseworker"

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
    warnings: tuple[Problem, ...] = ()  # what `validate` advises; the bundle runs as written
    # role → question id, and per question id its code roles → codes (core/roles.py)
    roles: dict[str, str] = field(default_factory=dict)
    code_roles: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    # the choices of each named list read from a CSV file (for the translation keys)
    csv_lists: dict[str, tuple[Choice, ...]] = field(default_factory=dict)

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


def bundle_sha256(files: Mapping[str, bytes]) -> str:
    """One digest over names and contents, so any change to any file of a bundle shows."""
    digest = hashlib.sha256()
    for name in sorted(files):
        content = files[name]
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def version_key(version: str) -> tuple[int, ...]:
    """A version as numbers, to compare (a version that is not MAJOR.MINOR.PATCH, as pinned
    copies from before the rule may have, sorts by its digits)."""
    parts = []
    for part in version.split("."):
        digits = "".join(c for c in part if c.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)
